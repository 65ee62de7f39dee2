import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiRowsFromJsonLines } from '../../functions/core/fleet/daily-kpis.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { CRASH_POINTS } from './crash-points.ts';
import { alertsIn, filesUnder } from './scan.ts';
import { startSimulator } from './simulator.ts';
import { stateDocumentIn } from './state-document.ts';

/** Where a store fails: every step a crash can hit, and the archive's own writes. */
export const FAULT_POINTS = ['archiving', ...CRASH_POINTS] as const;

const NOW = Date.parse('2026-11-24T12:00:00.000Z');

/** What a run's world holds afterwards, compared between a clean run and a faulted one. */
interface Outcome {
  reports: string[];
  quarantined: string[];
  /** Notice ids in the order delivered, one per delivery. */
  delivered: string[];
  kpiSessions: number;
  cursors: Record<string, string>;
  outbox: number;
}

/**
 * Kills a scan (a real process, SIGKILL) at every step boundary, and makes its stores fail at
 * every step, then lets the next runs recover; compares what the world holds with one clean run
 * over the same data: no report, notice or KPI session lost, and the only repeats are the
 * notices delivered in the instant before a kill.
 */
export function crashMatrix(options: {
  seeds: readonly number[];
  windowDays: readonly number[];
  /** Where the stores fail: every step, or the default's two (the commit and the receipt). */
  faultPoints?: readonly (typeof FAULT_POINTS)[number][];
}) {
  const faultPoints = options.faultPoints ?? FAULT_POINTS;
  for (const seed of options.seeds)
    for (const days of options.windowDays)
      describe(`a scan killed or failing at each step (seed ${seed}, a ${days}-day window)`, () => {
        let sim: DepotSimulator;
        let root: string;
        let clean: Outcome;
        const config = (dir: string) => ({
          fleet: sim.fleet
            .chargerIds()
            .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
          api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
          archive: join(dir, 'archive'),
          state: join(dir, 'state'),
          alerts: [join(dir, 'alerts.jsonl')],
          scan: { pageSize: 50, maxAttempts: 3, initialLookbackHours: days * 24 },
          // Every fault told at once, so each run has notices to lose or repeat.
          incidents: { attribution: { holdHours: 0 } },
        });
        const fresh = async (name: string) => {
          const dir = await mkdtemp(join(root, `${name}-`));
          await writeFile(join(dir, 'config.json'), JSON.stringify(config(dir)));
          return dir;
        };

        beforeAll(async () => {
          sim = await startSimulator({
            fleet: { seed, chargers: 2, sessionIntervalMinutes: 90, anomalyEvery: 4 },
            now: () => NOW,
          });
          root = await mkdtemp(join(tmpdir(), 'depot-watch-crash-'));
          const dir = await fresh('clean');
          expect((await scanProcess(dir)).signal).toBeNull();
          clean = await outcomeOf(dir);
        }, 120_000);
        afterAll(async () => {
          await sim.stop();
        });

        it('has a clean run to compare with: reports archived, notices told, sessions counted', () => {
          expect(clean.reports.length).toBeGreaterThan(days * 30);
          expect(clean.delivered.length).toBeGreaterThan(2);
          expect(clean.kpiSessions).toBe(clean.reports.length);
          expect(clean.outbox).toBe(0);
        });

        for (const point of CRASH_POINTS)
          it(`loses nothing when killed ${point.replace('-', ' ')}, and repeats only what went out in the instant before`, async () => {
            const dir = await fresh(`kill-${point}`);
            const killed = await scanProcess(dir, { crashAt: point });
            expect(killed.signal).toBe('SIGKILL');
            // What a receiver had when the run died: delivered, not yet in the run's receipt.
            const beforeKill = (await alertsIn(join(dir, 'alerts.jsonl'))).length;
            const expectedRepeats =
              point === 'mid-delivery' || point === 'before-receipt' ? beforeKill : 0;
            if (point === 'mid-delivery' || point === 'before-receipt')
              expect(beforeKill).toBeGreaterThan(0);
            else if (point !== 'before-marking') expect(beforeKill).toBe(0);
            await recover(dir);
            expectSameWorld(await outcomeOf(dir), expectedRepeats);
          });

        for (const point of faultPoints)
          it(`loses and repeats nothing when its store fails ${point === 'archiving' ? 'while archiving' : point.replace('-', ' ')}`, async () => {
            const dir = await fresh(`fail-${point}`);
            const failed = await scanProcess(dir, { failAt: point });
            expect(failed.signal).toBeNull();
            await recover(dir);
            expectSameWorld(await outcomeOf(dir), 0);
          });

        /** Runs again, as the schedule would, until a run has nothing left to do. */
        async function recover(dir: string): Promise<void> {
          for (let run = 0; run < 2; run++) expect((await scanProcess(dir)).signal).toBeNull();
        }

        function expectSameWorld(outcome: Outcome, repeats: number): void {
          expect(outcome.reports).toEqual(clean.reports);
          expect(outcome.quarantined).toEqual(clean.quarantined);
          expect(outcome.kpiSessions).toBe(clean.kpiSessions);
          expect(outcome.cursors).toEqual(clean.cursors);
          expect(outcome.outbox).toBe(0);
          // Every notice the clean run told, none it did not, and repeats only as counted.
          expect(new Set(outcome.delivered)).toEqual(new Set(clean.delivered));
          expect(outcome.delivered.length - clean.delivered.length).toBe(repeats);
        }
      });
}

/** One scan in its own process; resolves with how it ended. */
function scanProcess(
  dir: string,
  fault: { crashAt?: string; failAt?: string } = {},
): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('test/helpers/crash-run.ts'),
        dir,
        String(NOW),
        fault.crashAt ?? '',
        fault.failAt ?? '',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const signal = (error as { signal?: NodeJS.Signals } | null)?.signal ?? null;
        if (error && signal === null) fail(new Error(`scan process failed: ${stderr}`));
        else done({ signal, stdout });
      },
    );
  });
}

async function outcomeOf(dir: string): Promise<Outcome> {
  const files = await filesUnder(join(dir, 'archive'));
  const kpiFiles = (await filesUnder(join(dir, 'state'))).filter((f) => f.endsWith('kpis.jsonl'));
  let kpiSessions = 0;
  for (const file of kpiFiles)
    for (const row of kpiRowsFromJsonLines(await readFile(join(dir, 'state', file), 'utf8')))
      kpiSessions += row.sessions;
  const document = await stateDocumentIn(join(dir, 'state'));
  return {
    reports: files.filter((f) => f.startsWith('reports/')),
    quarantined: files.filter((f) => f.startsWith('quarantine/')),
    delivered: (await alertsIn(join(dir, 'alerts.jsonl'))).map((n) => n.id),
    kpiSessions,
    cursors: Object.fromEntries(
      Object.entries(document.cursors).map(([key, cursor]) => [key, cursor.fetchedUntil]),
    ),
    outbox: document.outbox.length,
  };
}
