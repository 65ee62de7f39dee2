import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlAlerts } from '../../functions/adapters/local-alerts.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { Secret } from '../../functions/core/secret.ts';
import type { AlertSink } from '../../functions/scan/ports.ts';
import { runFailed } from '../../functions/scan/summary.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { alertsIn, configFor, filesUnder, recordingLog, scanOnce } from '../helpers/scan.ts';
import { fleetSessionsBetween, startSimulator } from '../helpers/simulator.ts';
import { cursorOf, stateDocumentIn } from '../helpers/state-document.ts';

const START = Date.parse('2026-11-24T12:00:00.000Z');
let clock = START;
const now = () => clock;
let sim: DepotSimulator;
let dir: string;

beforeEach(async () => {
  clock = START;
  sim = await startSimulator({ fleet: { chargers: 3, invalidEvery: 7 }, now });
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-scan-'));
});
afterEach(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Faults the simulator injects at a magnitude the default thresholds call critical. */
const CRITICAL_INJECTIONS = new Set([
  // Not converter-error-counter: the simulator injects ERR or WARN codes, critical or warning.
  'battery-misalignment',
  'breaker-open-under-load',
  'ocpp-faulted',
]);

/** Sessions the simulator serves for the whole fleet in the first run's 24-hour window. */
function sessionsInFirstWindow() {
  return fleetSessionsBetween(sim, START - 24 * 3_600_000, START);
}

describe('a scan with the local adapters', () => {
  it('archives every valid report as received and quarantines every invalid one with its reason', async () => {
    const summary = await scanOnce(configFor(sim, dir), now);
    const sessions = sessionsInFirstWindow();
    const invalid = sessions.filter((s) => s.invalid);
    expect(invalid.length).toBeGreaterThan(0);

    const reports = (await filesUnder(join(dir, 'archive/reports'))).filter((f) =>
      f.endsWith('.json'),
    );
    const quarantined = await filesUnder(join(dir, 'archive/quarantine'));
    expect(reports).toHaveLength(sessions.length - invalid.length);
    expect(quarantined.filter((f) => f.endsWith('.reason.json'))).toHaveLength(invalid.length);
    expect(summary.totals).toMatchObject({
      fetched: sessions.length,
      archived: sessions.length - invalid.length,
      quarantined: invalid.length,
    });

    const session = sessions.find((s) => !s.invalid);
    if (!session) throw new Error('no valid session');
    const day = new Date(session.start).toISOString().slice(0, 10);
    const path = `archive/reports/charger=${session.chargerId}/connector=${session.connectorId}/date=${day}/${session.sessionId}.json`;
    expect(JSON.parse(await readFile(join(dir, path), 'utf8'))).toEqual(session.report);

    const reason = quarantined.find((f) => f.endsWith('.reason.json')) ?? '';
    expect(
      JSON.parse(await readFile(join(dir, 'archive/quarantine', reason), 'utf8')).reason,
    ).toContain('energySocEnd');
  });

  it('tells every critical fault the simulator injected in the run that fetched it, and an overlapping run tells none again', async () => {
    const config = configFor(sim, dir, { overlapMinutes: 12 * 60 });
    const first = await scanOnce(config, now);
    type Told = {
      event: string;
      incident: string;
      chargerId: string;
      connectorId: string;
      sessionIds: string[];
      subject: string;
      explains?: { sessionIds: string[] }[];
    };
    const toldFirst = (await alertsIn(join(dir, 'alerts.jsonl'))) as unknown as Told[];
    expect(first.totals.alerted).toBe(toldFirst.length);
    // The oracle: the simulator's own record of the faults it injected. At the magnitudes it
    // injects them (docs/rules.md, rule table) these three are critical: a failed alignment check, a
    // breaker opening at 80 A or more, a Faulted connector.
    const injected = sessionsInFirstWindow().filter(
      (s) => !s.invalid && s.anomaly !== undefined && CRITICAL_INJECTIONS.has(s.anomaly),
    );
    expect(injected.length).toBeGreaterThan(2);
    const telling = new Set(['open', 'reminder', 'escalate', 'attributed']);
    for (const s of injected) {
      const id = String(s.sessionId);
      const told = toldFirst.some(
        (n) =>
          telling.has(n.event) &&
          (n.subject !== 'connector' ||
            (n.chargerId === s.chargerId && n.connectorId === s.connectorId)) &&
          (n.sessionIds.includes(id) || (n.explains ?? []).some((e) => e.sessionIds.includes(id))),
      );
      expect(told, `${s.anomaly} in session ${id} on ${s.chargerId}/${s.connectorId}`).toBe(true);
    }

    clock += 30 * 60_000;
    const second = await scanOnce(config, now);
    expect(second.totals.alreadyArchived).toBeGreaterThan(0);
    const all = (await alertsIn(join(dir, 'alerts.jsonl'))) as unknown as Told[];
    const added = all.slice(toldFirst.length);
    expect(second.totals.alerted).toBe(added.length);
    // The overlap re-reads twelve hours the first run told: nothing of it is told again.
    const toldBefore = new Set(toldFirst.map((n) => `${n.incident}:${n.event}`));
    expect(added.filter((n) => toldBefore.has(`${n.incident}:${n.event}`))).toEqual([]);
    const opens = all.filter((n) => n.event === 'open');
    expect(new Set(opens.map((n) => n.incident)).size).toBe(opens.length);
  });

  it('moves each cursor to the start of the run that finished its window', async () => {
    await scanOnce(configFor(sim, dir), now);
    const cursor = cursorOf(await stateDocumentIn(join(dir, 'state')), 'HPC-002', '1');
    expect(cursor).toMatchObject({
      chargerId: 'HPC-002',
      connectorId: '1',
      fetchedUntil: new Date(START).toISOString(),
    });
  });

  it('rewrites a cursor only once it is older than the refresh interval', async () => {
    const config = configFor(sim, dir, { cursorRefreshMinutes: 60 });
    const fetchedUntil = async () =>
      cursorOf(await stateDocumentIn(join(dir, 'state')), 'HPC-001', '1')?.fetchedUntil;
    await scanOnce(config, now);
    clock += 45 * 60_000;
    const second = await scanOnce(config, now);
    expect(second.failed).toEqual([]);
    expect(await fetchedUntil()).toBe(new Date(START).toISOString());
    clock += 20 * 60_000;
    await scanOnce(config, now);
    expect(await fetchedUntil()).toBe(new Date(START + 65 * 60_000).toISOString());
  });

  it('keeps scanning the other chargers when one fails, names it, and leaves its cursor alone', async () => {
    sim.inject({
      kind: 'status',
      status: 502,
      chargerId: 'HPC-002',
      times: Number.POSITIVE_INFINITY,
    });
    const summary = await scanOnce(configFor(sim, dir), now);
    expect(summary.failed.map((f) => `${f.chargerId}/${f.connectorId}`)).toEqual([
      'HPC-002/1',
      'HPC-002/2',
    ]);
    expect(summary.failed[0]?.error).toContain('HTTP 502');
    expect(summary.connectors.filter((c) => c.status === 'ok')).toHaveLength(4);
    const cursors = Object.values((await stateDocumentIn(join(dir, 'state'))).cursors);
    expect(cursors.some((c) => c.chargerId === 'HPC-002')).toBe(false);
    expect(
      cursors.filter((c) => c.chargerId === 'HPC-001' || c.chargerId === 'HPC-003'),
    ).toHaveLength(4);
  });

  it('quarantines an item the API sends with a wrong type and archives the rest of its page', async () => {
    const healthy = await startSimulator({ fleet: { chargers: 1, connectorsPerCharger: 1 }, now });
    try {
      healthy.inject({ kind: 'invalid-item', endpoint: 'reports' });
      const summary = await scanOnce(configFor(healthy, dir), now);
      expect(summary.totals.quarantined).toBe(1);
      expect(summary.totals.archived).toBe(summary.totals.fetched - 1);
    } finally {
      await healthy.stop();
    }
  });

  it('retries notices that could not be published on the next run, and only those', async () => {
    const file = new JsonlAlerts(join(dir, 'alerts.jsonl'));
    let failNext = true;
    const flaky: AlertSink = {
      async publish(notices: readonly IncidentNotification[]) {
        if (!failNext) return file.publish(notices);
        failNext = false;
        const [first, ...rest] = notices;
        const outcome = await file.publish(rest);
        return { ...outcome, failed: first ? [{ id: first.id, error: 'SNS throttled' }] : [] };
      },
    };
    const base = configFor(sim, dir, { concurrency: 1 });
    // Attributed at once, so the first run has notices to refuse even when its only faults
    // are ones a bus can cause.
    const attribution = { ...base.incidents.attribution, holdHours: 0 };
    const config = { ...base, incidents: { ...base.incidents, attribution } };
    const first = await scanOnce(config, now, { alerts: flaky });
    // The refused notice stays in the outbox: the run fails, naming it.
    expect(first.deliveryError).toMatch(
      /^[1-9]\d* notice\(s\) not delivered, kept for the next run: SNS throttled/,
    );
    expect(runFailed(first)).toBe(true);

    clock += 15 * 60_000;
    const second = await scanOnce(config, now, { alerts: flaky });
    expect(second.failed).toEqual([]);
    expect(runFailed(second)).toBe(false);
    const notices = (await alertsIn(join(dir, 'alerts.jsonl'))) as unknown as {
      event: string;
      incident: string;
    }[];
    const told = notices.map((n) => `${n.incident}:${n.event}`);
    expect(new Set(told).size).toBe(told.length);
    expect(told.length).toBe(first.totals.alerted + second.totals.alerted);
    expect(second.totals.alerted).toBeGreaterThanOrEqual(1);
  });

  it('keeps the client secret and access tokens out of logs, alerts and the archive', async () => {
    const secret = 'cs-DO-NOT-LEAK-7f3a9e';
    const leaky = await startSimulator({
      fleet: { chargers: 1, invalidEvery: 3 },
      clientSecret: secret,
      now,
    });
    try {
      const log = recordingLog();
      const config = configFor(leaky, dir);
      const credentials = { clientId: new Secret('demo-client'), clientSecret: new Secret(secret) };
      leaky.inject({ kind: 'status', status: 401, endpoint: 'reports' });
      await scanOnce(config, now, { credentials, log });
      const files = await filesUnder(dir);
      const contents = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
      const everything = [...contents, ...log.lines].join('\n');
      expect(files.length).toBeGreaterThan(5);
      expect(leaky.issuedTokens().length).toBeGreaterThan(0);
      for (const needle of [secret, ...leaky.issuedTokens()])
        expect(everything).not.toContain(needle);
      expect(everything).not.toContain(Buffer.from(`demo-client:${secret}`).toString('base64'));
    } finally {
      await leaky.stop();
    }
  });
});

describe('silences stored beside the state', () => {
  const pendingAtOnce = {
    pending: {
      info: { findings: 1, sessions: 1 },
      warning: { findings: 1, sessions: 1 },
      critical: { findings: 1, sessions: 1 },
    },
  };
  const configWith = () => ({
    ...configFor(sim, dir),
    incidents: { ...configFor(sim, dir).incidents, ...pendingAtOnce },
  });

  it('never stop a scan: an unreadable file is logged and the run goes on', async () => {
    await mkdir(join(dir, 'state'), { recursive: true });
    await writeFile(join(dir, 'state', 'silences.json'), '[{"chargerId": "HPC-001",');
    const log = recordingLog();
    const summary = await scanOnce(configWith(), now, { log });
    expect(summary.failed.map((f) => f.error)).toEqual([]);
    expect(summary.totals.archived).toBeGreaterThan(0);
    expect(log.lines.filter((l) => l.includes('stored silences could not be read'))).toHaveLength(
      1,
    );
    expect((await alertsIn(join(dir, 'alerts.jsonl'))).length).toBeGreaterThan(0);
  });

  it('hold back what a readable entry names, and leave out an entry that is not a silence', async () => {
    const silence = {
      id: 'sil-1',
      chargerId: 'HPC-001',
      from: new Date(START - 86_400_000).toISOString(),
      until: new Date(START + 86_400_000).toISOString(),
      reason: 'converter swap',
    };
    await mkdir(join(dir, 'state'), { recursive: true });
    await writeFile(
      join(dir, 'state', 'silences.json'),
      JSON.stringify([silence, { chargerId: 'HPC-002', reason: 'no times' }]),
    );
    const log = recordingLog();
    await scanOnce(configWith(), now, { log });
    const notices = await alertsIn(join(dir, 'alerts.jsonl'));
    expect(notices.filter((n) => n.chargerId === 'HPC-001')).toEqual([]);
    // The entry without times silences nothing: HPC-002 is told as usual.
    expect(notices.some((n) => n.chargerId === 'HPC-002')).toBe(true);
    expect(log.lines.filter((l) => l.includes('stored silences ignored'))).toEqual([
      expect.stringContaining('"ignored":1'),
    ]);
  });
});
