import type { ConnectorSessions, FleetSession } from '../core/fleet/attribution.ts';
import type { DailyConnectorKpi } from '../core/fleet/daily-kpis.ts';
import { DayRows } from './day-rows.ts';
import {
  elementsOf,
  membersOf,
  PASSED_OVER,
  parsedValue,
  type ValueEvents,
} from './object-members.ts';
import type { RunSessions } from './run-sessions.ts';
import type { ChangesTaken, RunState } from './run-state.ts';
import type { OutboxEntry } from './state-document.ts';
import { connectorKey } from './state-document.ts';
import type { ConnectorResult } from './summary.ts';

/** A part written before parts began with the version their shard read: read whole instead. */
export class PartOfEarlierLayout extends Error {}

/**
 * Reads a shard's part as its text arrives: its sessions go to the run's temp file and its
 * state changes into the run's copy one at a time, so the last step never holds a part whole.
 * The part begins with the version of the state its shard read; a part of another version
 * gives `stale` and changes nothing.
 */
export async function takePartText(
  text: AsyncIterable<string>,
  state: RunState,
  sessions: RunSessions,
): Promise<ConnectorResult[] | 'stale'> {
  let taking: ChangesTaken | undefined;
  let stale = false;
  let results: ConnectorResult[] = [];
  let outbox: OutboxEntry[] = [];
  const days = new Map<string, DayRows>();
  const changes = (name: string): ValueEvents => {
    const into = taking as ChangesTaken;
    if (name === 'cursors') return elementsOf((t) => into.cursor(JSON.parse(t)));
    if (name === 'incidents') return elementsOf((t) => into.record(JSON.parse(t)));
    if (name === 'outbox') return parsedValue((v) => (outbox = v as OutboxEntry[]));
    if (name !== 'kpis') return PASSED_OVER;
    return membersOf((day) => {
      const rows = new DayRows();
      days.set(day, rows);
      return elementsOf((t) => {
        const row = JSON.parse(t) as DailyConnectorKpi;
        rows.set(connectorKey(row), row);
      });
    });
  };
  let first = true;
  const part = membersOf((name) => {
    if (first) {
      first = false;
      if (name !== 'over') throw new PartOfEarlierLayout();
      return parsedValue((over) => {
        taking = state.takeChanges((over as string | null) ?? undefined);
        stale = taking === undefined;
      });
    }
    // A stale part's members may follow in the same piece: none of them is taken.
    if (stale) return PASSED_OVER;
    if (name === 'results') return parsedValue((v) => (results = v as ConnectorResult[]));
    if (name === 'sessions')
      return elementsOf((t) =>
        sessions.addPart([JSON.parse(t) as ConnectorSessions | FleetSession]),
      );
    if (name === 'changes') return membersOf(changes);
    return PASSED_OVER;
  });
  try {
    for await (const piece of text) {
      part.piece(piece);
      if (stale) return 'stale';
    }
    if (!part.closed) throw new Error('the part ends before its last brace');
    for (const [day, rows] of days) await (taking as ChangesTaken).kpiRows(day, rows);
    (taking as ChangesTaken).outbox(outbox);
    return results;
  } finally {
    for (const rows of days.values()) rows.close();
  }
}
