import type { S3Client } from '@aws-sdk/client-s3';
import { LocalState } from '../../functions/adapters/local-state.ts';
import { S3State } from '../../functions/adapters/s3-state.ts';
import type { Cursor, StateStore } from '../../functions/scan/ports.ts';
import {
  connectorKey,
  emptyDocument,
  type StateDocument,
} from '../../functions/scan/state-document.ts';

/** The newest committed state document in a local state folder; fails when there is none. */
export async function stateDocumentIn(folder: string): Promise<StateDocument> {
  const stored = await new LocalState(folder).loadDocument();
  if (!stored) throw new Error(`no state document in ${folder}`);
  return stored.document;
}

/** The state document under an S3 prefix; fails when there is none. */
export async function stateDocumentInS3(
  client: S3Client,
  bucket: string,
  prefix = '',
): Promise<StateDocument> {
  const stored = await new S3State(client, { bucket, prefix }).loadDocument();
  if (!stored) throw new Error(`no state document in s3://${bucket}/${prefix}`);
  return stored.document;
}

/** One connector's cursor in a state document, if it has one. */
export function cursorOf(
  document: StateDocument,
  chargerId: string,
  connectorId: string,
): Cursor | undefined {
  return document.cursors[connectorKey({ chargerId, connectorId })];
}

/**
 * `charger/connector` of every cursor in a local state folder's newest document, sorted; empty
 * when no document was committed there.
 */
export async function cursorsIn(folder: string): Promise<string[]> {
  const stored = await new LocalState(folder).loadDocument();
  return Object.values(stored?.document.cursors ?? {})
    .map((c) => `${c.chargerId}/${c.connectorId}`)
    .sort();
}

/**
 * A local state folder as a plain store without its lock (kept apart by compare-and-swap alone,
 * as on S3), with some of its methods replaced.
 */
export function plainStore(store: LocalState, own: Partial<StateStore> = {}): StateStore {
  return {
    location: store.location,
    legacy: store.legacy,
    loadDocument: () => store.loadDocument(),
    commitDocument: (document, over) => store.commitDocument(document, over),
    loadDailyKpis: (day) => store.loadDailyKpis(day),
    loadKpiPartition: (day) => store.loadKpiPartition(day),
    saveDailyKpis: (day, rows) => store.saveDailyKpis(day, rows),
    ...own,
  };
}

/**
 * A document of `connectors` connectors (`HPC-<i>`, connector 1), each with a cursor and the
 * incident record `recordOf(i)` gives, for tests of how a document is written and read.
 */
export function documentOfConnectors(
  connectors: number,
  recordOf: (i: number) => Record<string, unknown>,
): StateDocument {
  const document = emptyDocument();
  for (let i = 0; i < connectors; i++) {
    const origin = { chargerId: `HPC-${i}`, connectorId: '1' };
    const key = connectorKey(origin);
    const at = '2026-11-30T12:00:00.000Z';
    document.cursors[key] = { ...origin, fetchedUntil: at, updatedAt: at };
    document.incidents[key] = {
      ...origin,
      ...recordOf(i),
    } as unknown as StateDocument['incidents'][string];
  }
  return document;
}
