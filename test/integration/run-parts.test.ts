import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalState } from '../../functions/adapters/local-state.ts';
import { emptyRow } from '../../functions/core/fleet/daily-kpis.ts';
import { emptyIncidentState } from '../../functions/core/incidents/connector-incidents.ts';
import type { JudgedSession } from '../../functions/core/incidents/incident.ts';
import { PartOfEarlierLayout, takePartText } from '../../functions/scan/part-reader.ts';
import { RunSessions } from '../../functions/scan/run-sessions.ts';
import { RunState } from '../../functions/scan/run-state.ts';
import type { OutboxEntry } from '../../functions/scan/state-document.ts';

const DAY = '2026-11-30';
const ORIGIN = { chargerId: 'HPC-"7"', connectorId: '2' };
const SESSION: JudgedSession = {
  key: `s-1@${DAY}`,
  sessionId: 's-1',
  at: `${DAY}T10:00:00.000Z`,
  findings: [],
};
const CURSOR = {
  ...ORIGIN,
  fetchedUntil: `${DAY}T11:00:00.000Z`,
  updatedAt: `${DAY}T11:00:00.000Z`,
};
const RECORD = { ...emptyIncidentState(ORIGIN), lastSessionAt: SESSION.at };
const ROW = { ...emptyRow(DAY, ORIGIN.chargerId, ORIGIN.connectorId), sessions: 1 };
const ENTRY = {
  notice: { id: 'n-1', message: 'he said "}" ], [' },
  deliverer: { runId: 'shard', day: DAY, until: `${DAY}T12:00:00.000Z` },
} as unknown as OutboxEntry;

/** A shard's part as `scanShard` writes it: the version it read first. */
function part(over: string | null) {
  return {
    over,
    results: [{ ...ORIGIN, status: 'ok', fetched: 1 }],
    sessions: [{ origin: ORIGIN, sessions: [SESSION] }],
    changes: {
      cursors: [CURSOR],
      incidents: [RECORD],
      kpis: { [DAY]: [ROW] },
      outbox: [ENTRY],
    },
  };
}

async function* inPieces(text: string, size: number): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

/** A last step's run state over an empty local store, and its sessions; both closed after. */
async function withRun(
  test: (run: { state: RunState; sessions: RunSessions }) => Promise<void>,
): Promise<void> {
  const store = new LocalState(await mkdtemp(join(tmpdir(), 'depot-watch-parts-')));
  const deliverer = { runId: 'finish', day: DAY, until: `${DAY}T12:00:00.000Z` };
  const state = await RunState.open(store, deliverer, []);
  const sessions = new RunSessions();
  try {
    await test({ state, sessions });
  } finally {
    sessions.close();
    state.close();
  }
}

describe("a shard's part read as it arrives by the run's last step", () => {
  it('takes its results, sessions, cursors, records, KPI rows and notices, cut anywhere', async () => {
    for (const size of [1, 7, 100_000]) {
      await withRun(async ({ state, sessions }) => {
        const results = await takePartText(
          inPieces(JSON.stringify(part(null)), size),
          state,
          sessions,
        );
        expect(results).toEqual(part(null).results);
        expect([...sessions]).toEqual([{ origin: ORIGIN, sessions: [SESSION] }]);
        expect(await state.loadCursor(ORIGIN)).toEqual(CURSOR);
        expect(state.readIncidents(ORIGIN)).toEqual(RECORD);
        expect(await state.loadDailyKpis(DAY)).toEqual([ROW]);
        // The notice is the finishing run's to deliver now.
        expect(state.outboxEntries().map((e) => [e.notice.id, e.deliverer.runId])).toEqual([
          ['n-1', 'finish'],
        ]);
      });
    }
  });

  it('takes nothing of a part whose shard read another version of the state', async () => {
    await withRun(async ({ state, sessions }) => {
      const text = inPieces(JSON.stringify(part('000000000007')), 100_000);
      expect(await takePartText(text, state, sessions)).toBe('stale');
      expect([...sessions]).toEqual([]);
      expect(await state.loadCursor(ORIGIN)).toBeUndefined();
      expect(state.outboxEntries()).toEqual([]);
    });
  });

  it('leaves a part written before parts began with their version to be read whole', async () => {
    await withRun(async ({ state, sessions }) => {
      const { over: _, ...earlier } = part(null);
      await expect(
        takePartText(inPieces(JSON.stringify(earlier), 64), state, sessions),
      ).rejects.toBeInstanceOf(PartOfEarlierLayout);
      await expect(
        takePartText(inPieces(JSON.stringify(part(null)).slice(0, 200), 64), state, sessions),
      ).rejects.toThrow(/ends before its last brace/);
    });
  });
});
