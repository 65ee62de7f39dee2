import { mapWithConcurrency } from '../core/concurrency.ts';
import { emptyAttribution } from '../core/fleet/attribution.ts';
import type { AttributionState, SessionMark } from '../core/fleet/attribution-state.ts';
import {
  type DailyConnectorKpi,
  type KpiSession,
  kpiSessionsByConnector,
  rolledUpRow,
} from '../core/fleet/daily-kpis.ts';
import type { PeerDriftState } from '../core/fleet/peer-drift.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import { DEPOT_ORIGIN } from '../core/incidents/depot-outage.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { readAttribution, readFleetFailures } from './attribution-reader.ts';
import { DayRows } from './day-rows.ts';
import { readPackedDocument } from './document-reader.ts';
import { jsonChunks, type PackedDocument, SpilledText } from './document-text.ts';
import { OutboxEntries } from './outbox-entries.ts';
import type { Cursor, NoticeOutbox, ScanState, StateStore } from './ports.ts';
import { KeySet } from './shared-keys.ts';
import { SpilledEntries } from './spilled-entries.ts';
import { SpilledTexts } from './spilled-texts.ts';
import {
  connectorKey,
  type Deliverer,
  emptyDocument,
  type OutboxEntry,
  type StateDocument,
} from './state-document.ts';

/** What one step of a run changed, for a shard to hand to the run's last step. */
export interface StateChanges {
  /** The version of the document the step read: the last step commits over it, or not at all. */
  over: string | undefined;
  cursors: Cursor[];
  incidents: ConnectorIncidentState[];
  /** By day, the KPI rows of the step's connectors that it changed. */
  kpis: Record<string, DailyConnectorKpi[]>;
  outbox: OutboxEntry[];
}

/** A shard's changes as `RunState.takeChanges` takes them. */
export interface ChangesTaken {
  cursor(cursor: Cursor): void;
  record(record: ConnectorIncidentState): void;
  kpiRows(day: string, rows: Iterable<DailyConnectorKpi>): Promise<void>;
  outbox(entries: readonly OutboxEntry[]): void;
}

/** How a commit went: done, or another run committed first (the store's version moved on). */
export type CommitOutcome = 'committed' | 'lost';

const DAY_MS = 86_400_000;
/** The attribution record's tables are per connector or vehicle: written entry by entry. */
const ATTRIBUTION_SPLIT_DEPTH = 3;
/** Characters of the attribution record's text read at a time. */
const READ_CHARS = 64 * 1024;
/** Records of the old layout read at once while converting it: a depot's are read once. */
const LEGACY_READS_AT_ONCE = 16;

/**
 * A run's working copy of the depot's state document: read once, changed in memory by every
 * step of the run, committed once with compare-and-swap. Before the first commit of a depot
 * whose state is still in the per-connector layout, every configured connector's records are
 * read from it once and carried into the document.
 */
export class RunState implements ScanState {
  readonly #store: StateStore;
  #document: PackedDocument;
  #version: string | undefined;
  readonly #changedDays = new Set<string>();
  /** Finished days' rows read from their partitions, for a late report. */
  readonly #partitions = new Map<string, DayRows>();
  readonly #touched = new KeySet();
  /** By day, the connectors whose KPI rows this run changed. */
  readonly #changedRows = new Map<string, KeySet>();
  /** Where this run's own entries begin in the outbox: earlier runs' come first. */
  #newFrom: number;
  /** The attribution record's tables as this run works on them, each in a temp file. */
  readonly #tables: SpilledEntries<unknown>[] = [];
  /** Every day's rows the run opened: a day the commit leaves out is still closed at the end. */
  readonly #days = new Set<DayRows>();

  private constructor(
    store: StateStore,
    document: PackedDocument,
    version: string | undefined,
    readonly deliverer: Deliverer,
  ) {
    this.#store = store;
    this.#document = document;
    this.#version = version;
    this.#newFrom = document.outbox.length;
    for (const rows of Object.values(document.kpis)) this.#days.add(rows);
  }

  /** Reads the depot's document (or converts the per-connector layout) for one run. */
  static async open(
    store: StateStore,
    deliverer: Deliverer,
    fleet: readonly { chargerId: string; connectors: readonly string[] }[],
  ): Promise<RunState> {
    const stored = await readStored(store);
    if (stored) return new RunState(store, stored.document, stored.version, deliverer);
    const document = emptyDocument();
    if (await store.legacy.holdsAny()) {
      await readLegacy(store, document, fleet);
      document.migratedFrom = 'per-connector files';
    }
    return new RunState(store, packed(document), undefined, deliverer);
  }

  /** The version read, which the commit replaces. */
  get version(): string | undefined {
    return this.#version;
  }

  /** The outbox as it stands in this run, earlier runs' entries first, read from its temp file. */
  outboxEntries(): OutboxEntry[] {
    return [...this.#document.outbox];
  }

  async loadCursor(origin: ReportOrigin): Promise<Cursor | undefined> {
    return this.#cursor(connectorKey(origin));
  }

  #cursor(key: string): Cursor | undefined {
    const text = this.#document.cursors.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as Cursor);
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    this.#setCursor(cursor);
  }

  #setCursor(cursor: Cursor): void {
    const key = connectorKey(cursor);
    this.#document.cursors.set(key, JSON.stringify(cursor));
    this.#touched.add(key);
  }

  async loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined> {
    return this.readIncidents(origin);
  }

  readIncidents(origin: ReportOrigin): ConnectorIncidentState | undefined {
    return this.#record(connectorKey(origin));
  }

  #record(key: string): ConnectorIncidentState | undefined {
    const text = this.#document.incidents.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as ConnectorIncidentState);
  }

  async saveIncidents(state: ConnectorIncidentState): Promise<void> {
    this.#setRecord(state);
  }

  #setRecord(state: ConnectorIncidentState): void {
    const key = connectorKey(state);
    this.#document.incidents.set(key, JSON.stringify(state));
    this.#touched.add(key);
  }

  /** Gives back what the run's copy holds outside memory; call once the run is over. */
  close(): void {
    this.#document.cursors.close();
    this.#document.incidents.close();
    this.#document.outbox.close();
    this.#document.attribution?.texts.close();
    for (const table of this.#tables.splice(0)) table.close();
    for (const rows of this.#days) rows.close();
    this.#days.clear();
  }

  /** The attribution record, its per-connector tables kept in temp files (see `readAttribution`). */
  async loadAttribution(): Promise<AttributionState | undefined> {
    const kept = this.#document.attribution;
    if (!kept) return undefined;
    const { record, tables } = readAttribution(kept.texts.pieces(kept.key, READ_CHARS));
    this.#tables.push(...tables);
    return record;
  }

  async loadFleetFailures(): Promise<readonly SessionMark[]> {
    const kept = this.#document.attribution;
    return kept ? readFleetFailures(kept.texts.pieces(kept.key, READ_CHARS)) : [];
  }

  newAttribution(): AttributionState {
    return {
      ...emptyAttribution(),
      cleanByConnector: this.#table(),
      cleanByVehicle: this.#table(),
      seen: this.#table(),
    };
  }

  newPeerDrift(): PeerDriftState {
    return { connectors: this.#table() };
  }

  #table<T>(): SpilledEntries<T> {
    const table = new SpilledEntries<T>();
    this.#tables.push(table as SpilledEntries<unknown>);
    return table;
  }

  async saveAttribution(state: AttributionState): Promise<void> {
    this.#document.attribution = spilledAttribution(state, this.#document.attribution?.texts);
  }

  async loadDailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    return (await this.#dayRows(day)).rows();
  }

  async addKpiSessions(day: string, sessions: readonly KpiSession[]): Promise<void> {
    const rows = await this.#dayRows(day);
    // Keyed as the document keys connectors.
    for (const [key, list] of kpiSessionsByConnector(sessions)) {
      const row = rolledUpRow(rows.get(key), day, (list[0] as KpiSession).origin, list);
      if (row) this.#setRow(day, rows, key, row);
    }
  }

  /** A day's rows: the document's, else (a finished day, for a late report) its partition's. */
  async #dayRows(day: string): Promise<DayRows> {
    const kept = this.#document.kpis[day] ?? this.#partitions.get(day);
    if (kept) return kept;
    const rows = DayRows.of(await this.#store.loadKpiPartition(day));
    this.#days.add(rows);
    this.#partitions.set(day, rows);
    return rows;
  }

  #setRow(day: string, rows: DayRows, key: string, row: DailyConnectorKpi): void {
    rows.set(key, row);
    // A finished day a late report changed comes back into the document until written again.
    this.#document.kpis[day] = rows;
    this.#changedDays.add(day);
    let changed = this.#changedRows.get(day);
    if (!changed) {
      changed = new KeySet();
      this.#changedRows.set(day, changed);
    }
    changed.add(key);
  }

  /**
   * The run's outbox: every notice added is decided, kept for the commit and counts as told;
   * `deliverOutbox` sends it once the commit is made.
   */
  readonly outbox: NoticeOutbox = {
    add: (notices: readonly IncidentNotification[]) => {
      for (const notice of notices) this.#keep({ notice, deliverer: this.deliverer });
    },
  };

  #keep(entry: OutboxEntry): void {
    this.#document.outbox.add(entry);
  }

  /** The outbox entries this run is to deliver, in the order they were decided. */
  *dueForThisRun(): Generator<OutboxEntry> {
    for (const entry of this.#document.outbox)
      if (entry.deliverer.runId === this.deliverer.runId) yield entry;
  }

  /** Replaces the outbox (after earlier runs' entries were checked against their receipts). */
  replaceOutbox(entries: OutboxEntry[]): void {
    this.#document.outbox.close();
    this.#document.outbox = OutboxEntries.of(entries);
    this.#newFrom = entries.length;
  }

  /** What this run changed so far: a shard's share, for the run's last step. */
  changes(): StateChanges {
    return {
      over: this.#version,
      cursors: [...this.#touched].flatMap((key) => this.#cursor(key) ?? []),
      incidents: [...this.#touched].flatMap((key) => this.#record(key) ?? []),
      kpis: Object.fromEntries(
        [...this.#changedRows].map(([day, keys]) => {
          const rows = this.#document.kpis[day];
          return [day, [...keys].flatMap((key) => rows?.get(key) ?? [])];
        }),
      ),
      outbox: [...this.#document.outbox.from(this.#newFrom)],
    };
  }

  /** Takes a shard's changes into this run's copy; false when the shard read another version. */
  async apply(changes: StateChanges): Promise<boolean> {
    const taking = this.takeChanges(changes.over);
    if (!taking) return false;
    for (const cursor of changes.cursors) taking.cursor(cursor);
    for (const record of changes.incidents) taking.record(record);
    for (const [day, rows] of Object.entries(changes.kpis ?? {})) await taking.kpiRows(day, rows);
    taking.outbox(changes.outbox);
    return true;
  }

  /**
   * Takes a shard's changes one at a time, as its part is read; undefined when the shard read
   * another version of the state than this run did.
   */
  takeChanges(over: string | undefined): ChangesTaken | undefined {
    if (over !== this.#version) return undefined;
    return {
      cursor: (cursor) => this.#setCursor(cursor),
      record: (record) => this.#setRecord(record),
      kpiRows: async (day, rows) => {
        const kept = await this.#dayRows(day);
        for (const row of rows) this.#setRow(day, kept, connectorKey(row), row);
      },
      outbox: (entries) => {
        for (const entry of entries) this.#keep({ ...entry, deliverer: this.deliverer });
      },
    };
  }

  /**
   * Commits the run: first the KPI partitions of the days that are over and not yet written
   * there (yesterday, on the first run of a day; an older day a late report changed), which is
   * idempotent like the archive: a run redone after a crash writes the same rows again. Today's
   * rows stay in the document alone. Then the document, over the version read. `lost` means
   * another run committed first: nothing of this run counts.
   */
  async commit(now: string): Promise<CommitOutcome> {
    const today = now.slice(0, 10);
    const written = new Set(this.#document.kpisInPartition ?? []);
    for (const day of this.#changedDays) written.delete(day);
    this.#changedDays.clear();
    for (const day of Object.keys(this.#document.kpis).sort()) {
      if (day >= today || written.has(day)) continue;
      await this.#store.saveDailyKpis(day, this.#document.kpis[day]?.inOrder() ?? []);
      written.add(day);
    }
    // A day leaves the document once it is over and written: only late reports still come.
    const oldest = new Date(Date.parse(now) - DAY_MS).toISOString().slice(0, 10);
    const kept = Object.entries(this.#document.kpis).filter(([day]) => day >= oldest);
    return this.#write(
      {
        ...this.#document,
        kpis: Object.fromEntries(kept),
        kpisInPartition: kept.map(([day]) => day).filter((day) => written.has(day)),
      },
      now,
    );
  }

  /**
   * After delivery, in a second small commit: takes `done` out of the outbox and marks `sent`
   * as delivered but not yet in the incident history. Another run may have committed in
   * between (it left this run's entries alone): then this is applied to its version instead, a
   * few times at most. Returns whether it was recorded.
   */
  async settle(
    done: ReadonlySet<string>,
    sent: ReadonlySet<string>,
    now: string,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const outbox = new OutboxEntries();
      for (const e of this.#document.outbox)
        if (!done.has(e.notice.id))
          outbox.add(sent.has(e.notice.id) && e.sent === undefined ? { ...e, sent: now } : e);
      const earlier = this.#document.outbox;
      let committed = false;
      try {
        committed = (await this.#write({ ...this.#document, outbox }, now)) === 'committed';
      } finally {
        // Whichever outbox the document no longer holds gives its temp file back.
        (committed ? earlier : outbox).close();
      }
      if (committed) return true;
      const stored = await readStored(this.#store);
      if (!stored) return false;
      this.close();
      this.#document = stored.document;
      this.#version = stored.version;
    }
    return false;
  }

  async #write(next: PackedDocument, now: string): Promise<CommitOutcome> {
    const document: PackedDocument = {
      ...next,
      seq: this.#document.seq + 1,
      runId: this.deliverer.runId,
      committedAt: now,
    };
    const version = await this.#store.commitDocument(document, this.#version);
    if (version === undefined) return 'lost';
    this.#document = document;
    this.#version = version;
    return 'committed';
  }
}

/** The stored document as a run's packed copy, read as it arrives where the store can. */
async function readStored(
  store: StateStore,
): Promise<{ document: PackedDocument; version: string } | undefined> {
  if (store.readDocument) {
    const stored = await store.readDocument();
    return (
      stored && {
        document: await readPackedDocument(stored.text, stored.where),
        version: stored.version,
      }
    );
  }
  const stored = await store.loadDocument();
  return stored && { document: packed(stored.document), version: stored.version };
}

/** A document with each incident record as its text: see `PackedDocument`. */
function packed(document: StateDocument): PackedDocument {
  const texts = (values: Record<string, unknown>) => {
    const spilled = new SpilledTexts();
    for (const [key, value] of Object.entries(values)) spilled.set(key, JSON.stringify(value));
    return spilled;
  };
  const { attribution, ...rest } = document;
  return {
    ...rest,
    outbox: OutboxEntries.of(document.outbox),
    cursors: texts(document.cursors),
    incidents: texts(document.incidents),
    kpis: Object.fromEntries(
      Object.entries(document.kpis).map(([day, rows]) => [day, DayRows.of(rows)]),
    ),
    ...(attribution ? { attribution: spilledAttribution(attribution) } : {}),
  };
}

/** The fleet's attribution record as text in a temp file of its own (one per run). */
function spilledAttribution(record: AttributionState, texts = new SpilledTexts()): SpilledText {
  // Written as it is serialised: the record's text is never whole in memory.
  texts.write('attribution', jsonChunks(record, ATTRIBUTION_SPLIT_DEPTH));
  return new SpilledText(texts, 'attribution');
}

/** Carries every configured connector's per-connector records into a new document. */
async function readLegacy(
  store: StateStore,
  document: StateDocument,
  fleet: readonly { chargerId: string; connectors: readonly string[] }[],
): Promise<void> {
  const origins: ReportOrigin[] = [
    DEPOT_ORIGIN,
    ...fleet.flatMap(({ chargerId, connectors }) =>
      connectors.map((connectorId) => ({ chargerId, connectorId })),
    ),
  ];
  await mapWithConcurrency(origins, LEGACY_READS_AT_ONCE, async (origin) => {
    const [cursor, incidents] = await Promise.all([
      store.legacy.loadCursor(origin),
      store.legacy.loadIncidents(origin),
    ]);
    if (cursor) document.cursors[connectorKey(origin)] = cursor;
    if (incidents) document.incidents[connectorKey(origin)] = incidents;
  });
  const attribution = await store.legacy.loadAttribution();
  if (attribution) document.attribution = attribution;
}
