import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiRowsFromJsonLines } from '../../functions/core/fleet/daily-kpis.ts';
import { unpartitionedKpis } from '../../functions/scan/state-document.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import type { S3Request } from './conditional-s3.ts';
import { CRASH_POINTS, type CrashPoint } from './crash-points.ts';
import { type LocalS3, startS3 } from './s3rver.ts';
import { alertsIn, filesUnder } from './scan.ts';
import { startSimulator } from './simulator.ts';
import { stateDocumentIn, stateDocumentInS3 } from './state-document.ts';

/** Where a store fails: every step a crash can hit, and the archive's own writes. */
export const FAULT_POINTS = ['archiving', ...CRASH_POINTS] as const;

const NOW = Date.parse('2026-11-24T12:00:00.000Z');

/** What a run's world holds afterwards, compared between a clean run and a faulted one. */
interface Outcome {
  reports: string[];
  quarantined: string[];
  /** Notices (`incident:event`) in the order delivered, one per delivery. */
  delivered: string[];
  kpiSessions: number;
  /** Notices (`incident:event`) the incident history lists, one per line. */
  history: string[];
  cursors: Record<string, string>;
  outbox: number;
}

/** Which requests fail when an S3 store fails at a step: S3's own 500, past the SDK's retries. */
const S3_FAULTS: Partial<Record<CrashPoint, (request: S3Request, statePuts: number) => boolean>> = {
  archiving: (r) => r.method === 'PUT' && r.key.includes('/archive/reports/'),
  'after-archiving': (r, puts) => isStatePut(r) && puts === 0,
  'before-receipt': (r) => r.method === 'PUT' && r.key.includes('/archive/incidents/'),
  'before-marking': (r, puts) => isStatePut(r) && puts >= 1,
};

function isStatePut(r: S3Request): boolean {
  return r.method === 'PUT' && r.key.endsWith('/state/state.json');
}

/**
 * Kills a scan (a real process, SIGKILL) at every step boundary, and makes its stores fail at
 * every step, then lets the next runs recover; compares what the world holds with one clean run
 * over the same data: no report, notice or KPI session lost, and the only repeats are the
 * notices delivered in the instant before a kill. With `store: 's3'` the archive and state are
 * in s3rver behind S3's conditional writes, and a failing store is S3 answering 500.
 */
export function crashMatrix(options: {
  seeds: readonly number[];
  windowDays: readonly number[];
  /** Where the stores fail: every step, or the default's two (the commit and the receipt). */
  faultPoints?: readonly (typeof FAULT_POINTS)[number][];
  /** Default: a local folder. */
  store?: 'folder' | 's3';
}) {
  const faultPoints = options.faultPoints ?? FAULT_POINTS;
  const onS3 = options.store === 's3';
  for (const seed of options.seeds)
    for (const days of options.windowDays)
      describe(`a scan killed or failing at each step (seed ${seed}, a ${days}-day window${onS3 ? ', S3' : ''})`, () => {
        let sim: DepotSimulator;
        let s3: LocalS3 | undefined;
        let root: string;
        let clean: Outcome;
        const where = (dir: string, part: string) =>
          s3 ? `s3://${s3.bucket}/${basename(dir)}/${part}/` : join(dir, part);
        const config = (dir: string) => ({
          fleet: sim.fleet
            .chargerIds()
            .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
          api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
          archive: where(dir, 'archive'),
          state: where(dir, 'state'),
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
        const run = (dir: string, fault: { crashAt?: string; failAt?: string } = {}, at = NOW) =>
          scanProcess(dir, fault, s3?.endpoint, at);

        beforeAll(async () => {
          sim = await startSimulator({
            fleet: { seed, chargers: 2, sessionIntervalMinutes: 90, anomalyEvery: 4 },
            now: () => NOW,
          });
          if (onS3) s3 = await startS3();
          root = await mkdtemp(join(tmpdir(), 'depot-watch-crash-'));
          const dir = await fresh('clean');
          expect((await run(dir)).signal).toBeNull();
          clean = await outcomeOf(dir, s3);
        }, 120_000);
        afterAll(async () => {
          await sim.stop();
          await s3?.stop();
        });

        it('has a clean run to compare with: reports archived, notices told, sessions counted', () => {
          expect(clean.reports.length).toBeGreaterThan(days * 30);
          expect(clean.delivered.length).toBeGreaterThan(2);
          expect(clean.kpiSessions).toBe(clean.reports.length);
          expect(clean.outbox).toBe(0);
          expect([...clean.history].sort()).toEqual([...clean.delivered].sort());
        });

        for (const point of CRASH_POINTS)
          it(`loses nothing when killed ${point.replace('-', ' ')}, and repeats only what went out in the instant before`, async () => {
            const dir = await fresh(`kill-${point}`);
            const killed = await run(dir, { crashAt: point });
            expect(killed.signal).toBe('SIGKILL');
            // What a receiver had when the run died: delivered, not yet in the run's receipt.
            const beforeKill = (await alertsIn(join(dir, 'alerts.jsonl'))).length;
            const expectedRepeats =
              point === 'mid-delivery' || point === 'before-receipt' ? beforeKill : 0;
            if (point === 'mid-delivery' || point === 'before-receipt')
              expect(beforeKill).toBeGreaterThan(0);
            else if (point !== 'before-marking') expect(beforeKill).toBe(0);
            await recover(dir);
            expectSameWorld(await outcomeOf(dir, s3), expectedRepeats);
          });

        for (const point of faultPoints)
          it(`loses and repeats nothing when its store fails ${point === 'archiving' ? 'while archiving' : point.replace('-', ' ')}`, async () => {
            const dir = await fresh(`fail-${point}`);
            const s3Fault = s3 ? S3_FAULTS[point] : undefined;
            const failed = await (s3 && s3Fault
              ? failingS3(s3, dir, s3Fault, () => run(dir))
              : run(dir, { failAt: point }));
            expect(failed.signal).toBeNull();
            await recover(dir);
            expectSameWorld(await outcomeOf(dir, s3), 0);
          });

        /**
         * Runs again, as the schedule would, until a run has nothing left to do. On S3 there is
         * no lock: a run leaves a dead run's notices alone until that run's time is surely over
         * (15 minutes without a deadline), so the last run comes 16 minutes later. The simulator
         * serves nothing newer, so it has no new sessions to tell.
         */
        async function recover(dir: string): Promise<void> {
          expect((await run(dir)).signal).toBeNull();
          expect((await run(dir, {}, onS3 ? NOW + 16 * 60_000 : NOW)).signal).toBeNull();
        }

        function expectSameWorld(outcome: Outcome, repeats: number): void {
          expect(outcome.reports).toEqual(clean.reports);
          expect(outcome.quarantined).toEqual(clean.quarantined);
          expect(outcome.kpiSessions).toBe(clean.kpiSessions);
          // Every connector read to the end; on S3 the runs that did it may be the later ones.
          if (onS3) {
            expect(Object.keys(outcome.cursors).sort()).toEqual(Object.keys(clean.cursors).sort());
            for (const [key, at] of Object.entries(outcome.cursors))
              expect(at >= (clean.cursors[key] ?? '')).toBe(true);
          } else expect(outcome.cursors).toEqual(clean.cursors);
          expect(outcome.outbox).toBe(0);
          // Every notice the clean run told, none it did not, and repeats only as counted (by
          // incident and event: a notice decided by a later run carries that run's time).
          expect(new Set(outcome.delivered)).toEqual(new Set(clean.delivered));
          expect(outcome.delivered.length - clean.delivered.length).toBe(repeats);
          // The incident history lists every notice that went out, each once, however many
          // times the instant before a kill sent it.
          expect([...outcome.history].sort()).toEqual([...new Set(outcome.delivered)].sort());
        }
      });
}

/**
 * Runs a scan while S3 answers 500 to every request of this test's folder that `fails` picks
 * (more often than the SDK retries), and checks that S3 was really asked and refused.
 */
async function failingS3<T>(
  s3: LocalS3,
  dir: string,
  fails: (request: S3Request, statePuts: number) => boolean,
  scan: () => Promise<T>,
): Promise<T> {
  const mine = `${basename(dir)}/`;
  let statePuts = 0;
  let refused = 0;
  const failure = {
    matches(request: S3Request) {
      if (!request.key.startsWith(mine)) return false;
      const hit = fails(request, statePuts);
      if (isStatePut(request) && !hit) statePuts++;
      if (hit) refused++;
      // Stays in place for the whole run: every retry is refused too.
      if (hit) s3.layer.failNext(failure);
      return hit;
    },
  };
  s3.layer.failNext(failure);
  const outcome = await scan();
  s3.layer.clearFailures();
  expect(refused).toBeGreaterThan(0);
  return outcome;
}

/** One scan in its own process; resolves with how it ended. */
function scanProcess(
  dir: string,
  fault: { crashAt?: string; failAt?: string },
  s3Endpoint: string | undefined,
  at: number,
): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('test/helpers/crash-run.ts'),
        dir,
        String(at),
        fault.crashAt ?? '',
        fault.failAt ?? '',
      ],
      {
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          ...(s3Endpoint
            ? {
                AWS_ENDPOINT_URL_S3: s3Endpoint,
                AWS_ACCESS_KEY_ID: 'S3RVER',
                AWS_SECRET_ACCESS_KEY: 'S3RVER',
                AWS_REGION: 'eu-west-1',
              }
            : {}),
        },
      },
      (error, stdout, stderr) => {
        const signal = (error as { signal?: NodeJS.Signals } | null)?.signal ?? null;
        if (error && signal === null) fail(new Error(`scan process failed: ${stderr}`));
        else done({ signal, stdout });
      },
    );
  });
}

async function outcomeOf(dir: string, s3: LocalS3 | undefined): Promise<Outcome> {
  const delivered = (await alertsIn(join(dir, 'alerts.jsonl'))).map(
    (n) => `${n.incident}:${n.event}`,
  );
  if (s3) {
    const prefix = `${basename(dir)}/`;
    const keys = (await s3.keys(prefix)).map((k) => k.slice(prefix.length));
    const document = await stateDocumentInS3(s3.client, s3.bucket, `${prefix}state/`);
    const partitions = new Map<string, string>();
    for (const key of keys.filter((k) => k.endsWith('kpis.jsonl')))
      partitions.set(dayOf(key), await s3.text(prefix + key));
    const history: string[] = [];
    for (const key of keys.filter((k) => k.startsWith('archive/incidents/')))
      history.push(await s3.text(prefix + key));
    return worldOf(keys, delivered, kpiSessionsOf(partitions, document), history, document);
  }
  const files = (await filesUnder(join(dir, 'archive'))).map((f) => `archive/${f}`);
  const kpiFiles = (await filesUnder(join(dir, 'state'))).filter((f) => f.endsWith('kpis.jsonl'));
  const partitions = new Map<string, string>();
  for (const file of kpiFiles)
    partitions.set(dayOf(file), await readFile(join(dir, 'state', file), 'utf8'));
  const document = await stateDocumentIn(join(dir, 'state'));
  const history = await Promise.all(
    files
      .filter((f) => f.startsWith('archive/incidents/'))
      .map((f) => readFile(join(dir, f), 'utf8')),
  );
  return worldOf(files, delivered, kpiSessionsOf(partitions, document), history, document);
}

/** The UTC day a KPI partition's path names. */
function dayOf(path: string): string {
  return /date=(\d{4}-\d{2}-\d{2})/.exec(path)?.[1] ?? '';
}

/**
 * Sessions the KPI rows count: each day's partition, or the document's rows for a day not
 * written there yet (today's).
 */
function kpiSessionsOf(
  partitions: ReadonlyMap<string, string>,
  document: Awaited<ReturnType<typeof stateDocumentIn>>,
): number {
  const days = new Set([...partitions.keys(), ...Object.keys(document.kpis)]);
  let sessions = 0;
  for (const day of days) {
    const rows =
      unpartitionedKpis(document, day) ?? kpiRowsFromJsonLines(partitions.get(day) ?? '');
    for (const row of rows) sessions += row.sessions;
  }
  return sessions;
}

function worldOf(
  archived: string[],
  delivered: string[],
  kpiSessions: number,
  historyFiles: readonly string[],
  document: Awaited<ReturnType<typeof stateDocumentIn>>,
): Outcome {
  return {
    reports: archived.filter((f) => f.startsWith('archive/reports/')).sort(),
    quarantined: archived.filter((f) => f.startsWith('archive/quarantine/')).sort(),
    delivered,
    kpiSessions,
    history: historyFiles.flatMap((text) =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const { incident, event } = JSON.parse(line) as { incident: string; event: string };
          return `${incident}:${event}`;
        }),
    ),
    cursors: Object.fromEntries(
      Object.entries(document.cursors).map(([key, cursor]) => [key, cursor.fetchedUntil]),
    ),
    outbox: document.outbox.length,
  };
}
