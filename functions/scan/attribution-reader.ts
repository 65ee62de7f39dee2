import type { AttributionState, SessionMark } from '../core/fleet/attribution-state.ts';
import { parsedInto, recordsInto } from './document-reader.ts';
import { type MemberEvents, ObjectMembers } from './object-members.ts';
import { SpilledEntries } from './spilled-entries.ts';

/** The attribution record's members read per connector or vehicle: an entry each, in a file. */
const TABLES = new Set(['seen', 'cleanByConnector', 'cleanByVehicle']);

type Member = Omit<MemberEvents, 'member'>;
const IGNORED: Member = { piece: () => undefined, end: () => undefined };

/**
 * Reads the attribution record's text as it comes: its per-connector tables (sessions seen,
 * clean sessions by connector and by vehicle, peer drift's values) go to temp files entry by entry, never
 * parsed whole; the rest is parsed. The caller closes the tables.
 */
export function readAttribution(text: Iterable<string>): {
  record: AttributionState;
  tables: SpilledEntries<unknown>[];
} {
  const tables: SpilledEntries<unknown>[] = [];
  const table = () => {
    const entries = new SpilledEntries<unknown>();
    tables.push(entries);
    return entries;
  };
  try {
    const members: Record<string, unknown> = {};
    walk(text, (name) => {
      if (TABLES.has(name)) {
        const entries = table();
        members[name] = entries;
        return recordsInto(entries.texts);
      }
      if (name === 'peers') return peersInto(members, table);
      return parsedInto(members, name);
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
    name === 'version' || name === 'failures' ? parsedInto(members, name) : IGNORED,
  );
  return members.version === 2 && Array.isArray(members.failures)
    ? (members.failures as SessionMark[])
    : [];
}

/** The `peers` member: its values per connector into a table, the rest parsed. */
function peersInto(members: Record<string, unknown>, table: () => SpilledEntries<unknown>): Member {
  const peers: Record<string, unknown> = {};
  members.peers = peers;
  let value = IGNORED;
  const walker = new ObjectMembers({
    member: (name) => {
      if (name === 'connectors') {
        const entries = table();
        peers.connectors = entries;
        value = recordsInto(entries.texts);
      } else value = parsedInto(peers, name);
    },
    piece: (piece) => value.piece(piece),
    end: () => value.end(),
  });
  return { piece: (piece) => walker.feed(piece), end: () => undefined };
}

function walk(text: Iterable<string>, memberOf: (name: string) => Member): void {
  let value = IGNORED;
  const record = new ObjectMembers({
    member: (name) => {
      value = memberOf(name);
    },
    piece: (piece) => value.piece(piece),
    end: () => value.end(),
  });
  for (const piece of text) record.feed(piece);
  if (!record.closed) throw new Error('the attribution record ends before its last brace');
}
