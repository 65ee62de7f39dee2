import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalState } from '../../functions/adapters/local-state.ts';
import type { DailyConnectorKpi, KpiSession } from '../../functions/core/fleet/daily-kpis.ts';
import type { StateStore } from '../../functions/scan/ports.ts';
import { RunState } from '../../functions/scan/run-state.ts';
import { plainStore } from '../helpers/state-document.ts';

/** The first `count` sessions of a day on one connector, as the run's KPI fold hands them over. */
function sessionsOf(day: string, count: number): KpiSession[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `s-${i}@${day}`,
    origin: { chargerId: 'HPC-001', connectorId: '1' },
    facts: { day, reachedTarget: true, faultedMinutes: 0 },
    findings: [],
  }));
}

/** A store that counts the partition writes it is asked for. */
function counting(store: LocalState): StateStore & { partitionWrites: string[] } {
  const partitionWrites: string[] = [];
  const saveDailyKpis = async (day: string, rows: readonly DailyConnectorKpi[]) => {
    partitionWrites.push(day);
    await store.saveDailyKpis(day, rows);
  };
  return { ...plainStore(store, { saveDailyKpis }), partitionWrites };
}

async function runAt(store: StateStore, now: string, change?: { day: string; sessions: number }) {
  const state = await RunState.open(store, { runId: now, day: now.slice(0, 10), until: now }, []);
  if (change) await state.addKpiSessions(change.day, sessionsOf(change.day, change.sessions));
  expect(await state.commit(now)).toBe('committed');
  state.close();
}

describe('the KPI partitions a run writes', () => {
  it('writes none for today, yesterday’s once on the first run after midnight, and a day again when a late report changes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'depot-watch-kpi-partitions-'));
    const local = new LocalState(dir);
    const store = counting(local);
    await runAt(store, '2026-11-24T10:00:00.000Z', { day: '2026-11-24', sessions: 1 });
    await runAt(store, '2026-11-24T10:15:00.000Z', { day: '2026-11-24', sessions: 2 });
    expect(store.partitionWrites).toEqual([]);
    // Today's rows are read from the document until the partition has them.
    expect((await new LocalState(dir).loadDailyKpis('2026-11-24'))[0]?.sessions).toBe(2);

    await runAt(store, '2026-11-25T00:15:00.000Z', { day: '2026-11-25', sessions: 1 });
    await runAt(store, '2026-11-25T00:30:00.000Z');
    expect(store.partitionWrites).toEqual(['2026-11-24']);
    expect((await local.loadKpiPartition('2026-11-24'))[0]?.sessions).toBe(2);

    // A late report for yesterday: its partition is written again, once.
    await runAt(store, '2026-11-25T00:45:00.000Z', { day: '2026-11-24', sessions: 3 });
    await runAt(store, '2026-11-25T01:00:00.000Z');
    expect(store.partitionWrites).toEqual(['2026-11-24', '2026-11-24']);
    expect((await new LocalState(dir).loadDailyKpis('2026-11-24'))[0]?.sessions).toBe(3);
    expect(await readdir(join(dir, 'kpis'))).toEqual(['date=2026-11-24']);
  });
});
