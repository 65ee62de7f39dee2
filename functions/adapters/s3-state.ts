import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { encodeKeySegment } from '../core/archive-layout.ts';
import type { AttributionState } from '../core/fleet/attribution-state.ts';
import {
  type DailyConnectorKpi,
  dailyKpisKey,
  kpiJsonLines,
  kpiRowsFromJsonLines,
} from '../core/fleet/daily-kpis.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { bytesOf, documentChunks, type PackedDocument } from '../scan/document-text.ts';
import type { Cursor, DocumentText, LegacyState, SilenceStore, StateStore } from '../scan/ports.ts';
import {
  parseStateDocument,
  type StateDocument,
  type StoredDocument,
  unpartitionedKpis,
} from '../scan/state-document.ts';
import type { S3Location } from './s3-location.ts';
import { S3Objects } from './s3-objects.ts';

const ATTEMPTS = 3;

/**
 * A depot's state in S3: the state document as one object (`state.json`), replaced whole with
 * compare-and-swap (`If-Match` on the ETag read, `If-None-Match: *` for the first), and each
 * day's KPI rows as one JSON Lines object (`kpis/date=YYYY-MM-DD/kpis.jsonl`, an Athena
 * partition). A run costs one read and one or two writes of the document, whatever the fleet.
 */
export class S3State implements StateStore, SilenceStore {
  readonly #objects: S3Objects;
  readonly #prefix: string;
  readonly #etags = new Map<string, string | undefined>();
  readonly legacy: LegacyState;
  readonly location: string;

  constructor(client: S3Client, { bucket, prefix }: S3Location) {
    this.#objects = new S3Objects(client, bucket);
    this.#prefix = prefix;
    this.location = `s3://${bucket}/${prefix}`;
    this.legacy = new S3LegacyState(client, this.#objects, prefix);
  }

  async loadDocument(): Promise<StoredDocument | undefined> {
    const key = this.#documentKey();
    const { value, etag } = await this.#objects.readText(key);
    if (value === undefined || etag === undefined) return undefined;
    return {
      document: parseStateDocument(value, `s3://${this.#objects.bucket}/${key}`),
      version: etag,
    };
  }

  async readDocument(): Promise<DocumentText | undefined> {
    const key = this.#documentKey();
    const read = await this.#objects.readTextPieces(key);
    return (
      read && { text: read.text, version: read.etag, where: `s3://${this.#objects.bucket}/${key}` }
    );
  }

  async commitDocument(
    document: StateDocument | PackedDocument,
    over: string | undefined,
  ): Promise<string | undefined> {
    return this.#objects.writeTextIfUnchanged(
      this.#documentKey(),
      bytesOf(() => documentChunks(document)),
      over,
      'application/json',
    );
  }

  #documentKey(): string {
    return `${this.#prefix}state.json`;
  }

  async saveRunPart(runId: string, part: string, value: unknown): Promise<void> {
    const key = this.#runPartKey(runId, part);
    // A retried shard replaces what its earlier attempt saved: read for the ETag, then write.
    await this.#read<unknown>(key);
    await this.#write<unknown>(key, value, () => value);
  }

  async loadRunPart(runId: string, part: string): Promise<unknown> {
    return this.#read<unknown>(this.#runPartKey(runId, part));
  }

  async readRunPart(runId: string, part: string): Promise<AsyncIterable<string> | undefined> {
    return (await this.#objects.readTextPieces(this.#runPartKey(runId, part)))?.text;
  }

  #runPartKey(runId: string, part: string): string {
    return `${this.#prefix}runs/${encodeKeySegment(runId)}/${encodeKeySegment(part)}.json`;
  }

  async loadDailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    // Read once per store: a reader asks for several days of one document.
    this.#forReaders ??= this.loadDocument();
    return unpartitionedKpis((await this.#forReaders)?.document, day) ?? this.loadKpiPartition(day);
  }

  #forReaders: Promise<StoredDocument | undefined> | undefined;

  async loadKpiPartition(day: string): Promise<DailyConnectorKpi[]> {
    const { value } = await this.#objects.readText(this.#prefix + dailyKpisKey(day));
    return value === undefined ? [] : kpiRowsFromJsonLines(value);
  }

  async saveDailyKpis(day: string, rows: Iterable<DailyConnectorKpi>): Promise<void> {
    // Bytes, not one string: a line's text is garbage as soon as it is encoded.
    const lines: Buffer[] = [];
    for (const line of kpiJsonLines(rows)) lines.push(Buffer.from(line));
    await this.#objects.writeText(
      this.#prefix + dailyKpisKey(day),
      Buffer.concat(lines),
      'application/x-ndjson',
    );
  }

  async loadSilences(): Promise<unknown> {
    return this.#read<unknown>(this.#silencesKey());
  }

  async updateSilences(change: (stored: unknown) => unknown[]): Promise<void> {
    const key = this.#silencesKey();
    // Read first, so the write is against what was there; on a lost race, apply to theirs.
    await this.#write<unknown>(key, change(await this.#read<unknown>(key)), change);
  }

  #silencesKey(): string {
    return `${this.#prefix}silences.json`;
  }

  async #read<T>(key: string): Promise<T | undefined> {
    const { value, etag } = await this.#objects.readJson<T>(key);
    this.#etags.set(key, etag);
    return value;
  }

  /** Writes against the version last read; on a lost race, merges with theirs and tries again. */
  async #write<T>(key: string, value: T, merge: (theirs: T) => T): Promise<void> {
    let next = value;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const etag = await this.#objects.writeJsonIfUnchanged(key, next, this.#etags.get(key));
      if (etag !== undefined) {
        this.#etags.set(key, etag);
        return;
      }
      const theirs = await this.#read<T>(key);
      next = theirs === undefined ? value : merge(theirs);
    }
    throw new Error(`state object ${key} kept changing under this run (${ATTEMPTS} attempts)`);
  }
}

/**
 * The per-connector layout before the state document: a cursor and an incident record object
 * per connector, and the fleet's record in `fleet/attribution.json`.
 */
class S3LegacyState implements LegacyState {
  constructor(
    private readonly client: S3Client,
    private readonly objects: S3Objects,
    private readonly prefix: string,
  ) {}

  async loadCursor(origin: ReportOrigin): Promise<Cursor | undefined> {
    return (await this.objects.readJson<Cursor>(this.#key('cursors', origin))).value;
  }

  async loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined> {
    return (await this.objects.readJson<ConnectorIncidentState>(this.#key('incidents', origin)))
      .value;
  }

  async loadAttribution(): Promise<AttributionState | undefined> {
    return (await this.objects.readJson<AttributionState>(`${this.prefix}fleet/attribution.json`))
      .value;
  }

  async holdsAny(): Promise<boolean> {
    for (const folder of ['cursors/', 'incidents/', 'fleet/']) {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.objects.bucket,
          Prefix: this.prefix + folder,
          MaxKeys: 1,
        }),
      );
      if ((page.KeyCount ?? page.Contents?.length ?? 0) > 0) return true;
    }
    return false;
  }

  #key(kind: string, { chargerId, connectorId }: ReportOrigin): string {
    return `${this.prefix}${kind}/charger=${encodeKeySegment(chargerId)}/connector=${encodeKeySegment(connectorId)}.json`;
  }
}
