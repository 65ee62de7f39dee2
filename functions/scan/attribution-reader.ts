import type { AttributionState, SessionMark } from '../core/fleet/attribution-state.ts';
import {
  membersOf,
  PASSED_OVER,
  parsedValue,
  textsOf,
  type ValueEvents,
} from './object-members.ts';
import { SpilledEntries } from './spilled-entries.ts';

/** The attribution record's members read per connector or vehicle: an entry each, in a file. */
const TABLES = new Set(['seen', 'cleanByConnector', 'cleanByVehicle']);

/**
 * Reads the attribution record's text as it comes: its per-connector tables (sessions seen,
 * clean sessions by connector and by vehicle, peer drift's values) go to temp files entry by
 * entry, never parsed whole; the rest is parsed. The caller closes the tables.
 */
export function readAttribution(text: Iterable<string>): {
  record: AttributionState;
  tables: SpilledEntries<unknown>[];
} {
  const tables: SpilledEntries<unknown>[] = [];
  const tableInto = (into: Record<string, unknown>, name: string): ValueEvents => {
    const entries = new SpilledEntries<unknown>();
    tables.push(entries);
    into[name] = entries;
    return textsOf((key, entry) => entries.texts.set(key, entry));
  };
  try {
    const members: Record<string, unknown> = {};
    walk(text, (name) => {
      if (TABLES.has(name)) return tableInto(members, name);
      if (name !== 'peers') return parsedInto(members, name);
      // Peer drift's values per connector into a table, the rest of `peers` parsed.
      const peers: Record<string, unknown> = {};
      members.peers = peers;
      return membersOf((member) =>
        member === 'connectors' ? tableInto(peers, member) : parsedInto(peers, member),
      );
    });
    return { record: members as unknown as AttributionState, tables };
  } catch (error) {
    for (const entries of tables) entries.close();
    throw error;
  }
}

/** The record's failures alone, the rest of its text passed over. */
export function readFleetFailures(text: Iterable<string>): readonly SessionMark[] {
  const members: Record<string, unknown> = {};
  walk(text, (name) =>
    name === 'version' || name === 'failures' ? parsedInto(members, name) : PASSED_OVER,
  );
  return members.version === 2 && Array.isArray(members.failures)
    ? (members.failures as SessionMark[])
    : [];
}

function parsedInto(into: Record<string, unknown>, name: string): ValueEvents {
  return parsedValue((value) => {
    into[name] = value;
  });
}

function walk(text: Iterable<string>, memberOf: (name: string) => ValueEvents): void {
  const record = membersOf(memberOf);
  for (const piece of text) record.piece(piece);
  if (!record.closed) throw new Error('the attribution record ends before its last brace');
}
