import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FAULTY_BUS } from '../../functions/cli/demo.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { alertsIn, filesUnder } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { stateDocumentInS3 } from '../helpers/state-document.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('depot-watch demo (npm start)', () => {
  it('runs the whole pipeline, then a second run opens nothing twice, each printing counts that agree with what it sent', async () => {
    const first = await cli(['demo'], { cwd: work });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\[OPEN · CRITICAL\] /m);
    expect(first.stdout).toMatch(/quarantined\s+[1-9]/);
    expect(first.stdout).toContain(`Archive: ${join(work, '.depot-watch/archive')}`);
    expect(first.stdout).toMatch(/Still open now: \d+ incident\(s\), [1-9]\d* open/);

    const archived = await filesUnder(join(work, '.depot-watch/archive/reports'));
    const fetched = Number(/reports fetched\s+(\d+)/.exec(first.stdout)?.[1]);
    const quarantined = Number(/quarantined\s+(\d+)/.exec(first.stdout)?.[1]);
    expect(archived.length + quarantined).toBe(fetched);
    const afterFirst = (await alertsIn(
      join(work, '.depot-watch/alerts.jsonl'),
    )) as unknown as Notice[];
    // What only the fleet's longer view sees: the bus that fails on every charger is told as
    // the vehicle's fault, once, citing its own sessions only (the archive says whose they
    // are), and none of them is blamed on a charger; the converter drifting above the fixed
    // floor is told too.
    const vehicleOf = new Map<string, string>();
    for (const file of archived) {
      const report = JSON.parse(
        await readFile(join(work, '.depot-watch/archive/reports', file), 'utf8'),
      );
      vehicleOf.set(String(report.sessionId), report.vehicleId);
    }
    const bus = afterFirst.filter(
      (n) =>
        n.subject === 'vehicle' &&
        n.vehicleId === DEMO_FAULTY_BUS &&
        (n.event === 'open' || n.event === 'attributed'),
    );
    expect(bus.map((n) => `${n.subject} ${n.rule}`)).toEqual(['vehicle battery-misalignment']);
    expect(bus[0]?.sessionIds.every((id) => vehicleOf.get(id) === DEMO_FAULTY_BUS)).toBe(true);
    // Its failures were told first on each connector, in the run that fetched them; what was
    // still open when the fleet saw it was the bus's is joined to the bus's incident, and no
    // connector incident of the bus alone is left open.
    const joined = new Set(afterFirst.flatMap((n) => (n.explains ?? []).map((e) => e.incident)));
    const resolvedFirst = new Set(
      afterFirst.filter((n) => n.event === 'resolve').map((n) => n.incident),
    );
    const busOnChargers = afterFirst.filter(
      (n) =>
        n.subject === 'connector' &&
        n.rule === 'battery-misalignment' &&
        n.sessionIds.every((id) => vehicleOf.get(id) === DEMO_FAULTY_BUS),
    );
    expect(busOnChargers.length).toBeGreaterThan(0);
    for (const n of busOnChargers)
      expect(joined.has(n.incident) || resolvedFirst.has(n.incident), n.incident).toBe(true);
    const drift = afterFirst.filter((n) => n.rule === 'converter-efficiency-drift');
    expect(drift.map((n) => `${n.event} ${n.chargerId}/${n.connectorId}`)).toEqual([
      'open HPC-003/2',
    ]);
    // Printed as it was sent: `attributed` when connector incidents of the bus were still open
    // to join (it depends on the hour the demo runs at, its history ends now), else `open`.
    const busEvent = bus[0]?.event === 'attributed' ? 'ATTRIBUTED' : 'OPEN';
    expect(first.stdout).toMatch(
      new RegExp(`^\\[${busEvent} · CRITICAL\\] BUS-117: .* on \\d chargers$`, 'm'),
    );
    expect(first.stdout).toMatch(/^\[OPEN · WARNING\] Drifting converter efficiency: /m);

    const second = await cli(['demo'], { cwd: work });
    expect(second.code).toBe(0);
    const all = (await alertsIn(join(work, '.depot-watch/alerts.jsonl'))) as unknown as Notice[];
    const added = all.slice(afterFirst.length);
    const opened = new Set(afterFirst.filter((n) => n.event === 'open').map((n) => n.incident));
    // Incidents told in the first run are not opened again, and what each run printed as
    // sent is what it sent.
    expect(added.filter((n) => n.event === 'open' && opened.has(n.incident))).toEqual([]);
    expect(Number(/notices sent\s+(\d+)/.exec(first.stdout)?.[1])).toBe(afterFirst.length);
    expect(Number(/notices sent\s+(\d+)/.exec(second.stdout)?.[1] ?? 0)).toBe(added.length);
    for (const line of second.stdout.split('\n').filter((l) => l.startsWith('[RESOLVED')))
      expect(line).toMatch(/^\[RESOLVED · (CRITICAL|WARNING|INFO)\] /);

    // `incidents` agrees with what was told: resolved once its resolve went out, else open.
    const listed = await cli(['incidents', '--json'], { cwd: work });
    const status = new Map(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { incident: string; status: string })
        .map((row) => [row.incident, row.status]),
    );
    const resolved = new Set(
      all.flatMap((n) =>
        n.event === 'resolve' ? [n.incident] : (n.explains ?? []).map((e) => e.incident),
      ),
    );
    for (const incident of opened)
      expect([incident, status.get(incident)]).toEqual([
        incident,
        resolved.has(incident) ? 'resolved' : 'open',
      ]);
    const stillOpen = Number(
      /Still open now: \d+ incident\(s\), (\d+) open/.exec(second.stdout)?.[1],
    );
    expect(stillOpen).toBe([...status.values()].filter((s) => s === 'open').length);
  });

  it('lists an incident as resolved when its resolve came last, whatever the run files are named', async () => {
    const dir = join(work, 'history-order');
    const day = join(dir, 'archive/incidents/date=2026-11-30');
    await mkdir(day, { recursive: true });
    const notice = {
      incident: 'inc-1',
      rule: 'ocpp-faulted',
      chargerId: 'HPC-001',
      connectorId: '1',
      severity: 'critical',
      subject: 'connector',
      title: 't',
      sessionIds: ['7'],
    };
    // The later run's file sorts first by name.
    await writeFile(
      join(day, 'run-0000.jsonl'),
      `${JSON.stringify({ ...notice, event: 'resolve', at: '2026-11-30T10:00:00.000Z' })}\n`,
    );
    await writeFile(
      join(day, 'run-ffff.jsonl'),
      `${JSON.stringify({ ...notice, event: 'open', at: '2026-11-30T08:00:00.000Z' })}\n`,
    );
    await writeFile(
      join(dir, 'depot.json'),
      JSON.stringify({
        fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
        archive: 'archive',
        state: 'state',
      }),
    );
    const listed = await cli(['incidents', '--json', '--config', join(dir, 'depot.json')]);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      incident: 'inc-1',
      status: 'resolved',
      since: '2026-11-30T08:00:00.000Z',
    });
  });

  it('replays the archive it wrote and finds every fault its incidents were opened for', async () => {
    const result = await cli(['replay', '--json', join(work, '.depot-watch/archive')]);
    expect(result.code).toBe(0);
    const replayed = new Set(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .map((f) => `${f.rule}/${f.chargerId}/${f.connectorId}/${f.sessionId}`),
    );
    const opens = (
      (await alertsIn(join(work, '.depot-watch/alerts.jsonl'))) as unknown as Notice[]
    ).filter((n) => n.event === 'open');
    expect(opens.length).toBeGreaterThan(0);
    // Replay judges reports one by one: drift, which a connector's history raises, is not its
    // to find. A vehicle's incident names sessions on several chargers.
    const anywhere = new Set([...replayed].map((r) => r.replace(/\/[^/]*\/[^/]*\//, '//')));
    for (const notice of opens.filter((n) => !n.rule.endsWith('-drift')))
      for (const session of notice.sessionIds)
        if (notice.subject === 'vehicle') expect(anywhere).toContain(`${notice.rule}//${session}`);
        else
          expect(replayed).toContain(
            `${notice.rule}/${notice.chargerId}/${notice.connectorId}/${session}`,
          );
    // The quarantined reports were found invalid when scanned: skipped, and counted as such.
    const reasons = (await filesUnder(join(work, '.depot-watch/archive/quarantine'))).filter((f) =>
      f.endsWith('.reason.json'),
    );
    expect(result.stderr).toContain(
      `: 0 invalid, ${replayed.size} finding(s); ${reasons.length} quarantined reports skipped`,
    );
  });
});

/** An incident notice as the JSONL alert file holds it. */
interface Notice {
  event: string;
  incident: string;
  rule: string;
  chargerId: string;
  connectorId: string;
  sessionIds: string[];
  subject: string;
  vehicleId?: string;
  explains?: { incident: string }[];
}

describe('depot-watch replay', () => {
  it("runs over the vendor's own example page, one JSON finding per line", async () => {
    const result = await cli(['replay', '--json', 'test/fixtures/vendor-example-page.json']);
    expect(result.code).toBe(0);
    const findings = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'converter-error-counter',
      chargerId: 'xyz',
      connectorId: '1',
    });
  });

  it('prints a table of findings per rule and charger', async () => {
    const result = await cli(['replay', join(work, '.depot-watch/archive')]);
    expect(result.stdout).toMatch(/^rule\s+HPC-001\s+HPC-002\s+HPC-003\s+HPC-004\s+total$/m);
    expect(result.stdout).toMatch(/^soc-shortfall(\s+\d+){5}$/m);
  });

  it('says which path it cannot read', async () => {
    const result = await cli(['replay', join(work, 'no-such-folder')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `depot-watch: cannot read ${join(work, 'no-such-folder')}: no such file or folder; check the path (a relative one starts from the current folder)\n`,
    );
  });

  it('applies thresholds from --config', async () => {
    const config = join(work, 'quiet.json');
    await writeFile(
      config,
      JSON.stringify({
        fleet: [{ chargerId: 'xyz', connectors: ['1'] }],
        thresholds: { 'converter-error-counter': { warningCount: 30 } },
      }),
    );
    const result = await cli([
      'replay',
      '--config',
      config,
      'test/fixtures/vendor-example-page.json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 report(s) from 1 file(s): 0 invalid, 0 finding(s)');
  });
});

describe('depot-watch scan', () => {
  let sim: DepotSimulator;
  let config: string;
  beforeAll(async () => {
    sim = await startSimulator({ fleet: { chargers: 2, anomalyEvery: 2 } });
    config = join(work, 'depot.json');
    await writeFile(
      config,
      JSON.stringify({
        fleet: [
          { chargerId: 'HPC-001', connectors: ['1', '2'] },
          { chargerId: 'HPC-002', connectors: ['1'] },
        ],
        api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
        archive: './scan-archive',
        state: './scan-state',
        alerts: ['./scan-alerts.jsonl'],
      }),
    );
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('scans with credentials from the environment and resolves paths next to the config', async () => {
    const result = await cli(['scan', '--config', config], {
      env: { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'demo-secret' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3 connectors, 3 ok, 0 failed');
    expect((await filesUnder(join(work, 'scan-archive'))).length).toBeGreaterThan(0);
    // Where the files are, as a person finds them: absolute, next to the config.
    expect(result.stdout).toContain(`Archive: ${join(work, 'scan-archive')}\n`);
    expect(result.stdout).toContain(`Alerts: ${join(work, 'scan-alerts.jsonl')}\n`);
  });

  it('says a refused secret once, naming every connector it stopped', async () => {
    const refused = join(work, 'refused.json');
    const { fleet, api } = JSON.parse(await readFile(config, 'utf8'));
    await writeFile(
      refused,
      JSON.stringify({
        fleet,
        api,
        archive: 'refused-archive',
        state: 'refused-state',
        alerts: ['refused-alerts.jsonl'],
      }),
    );
    const result = await cli(['scan', '--config', refused], {
      env: { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'wrong-secret' },
    });
    expect(result.code).toBe(1);
    const problem = /refused the client id\/secret/;
    expect(result.stderr.split('\n').filter((l) => problem.test(l))).toEqual([expect.any(String)]);
    expect(result.stdout.split('\n').filter((l) => problem.test(l))).toEqual([
      expect.stringMatching(
        /^ {2}FAILED 3 connectors \(HPC-001\/1, HPC-001\/2, HPC-002\/1\): DepotFinity refused/,
      ),
    ]);
    expect(result.stdout + result.stderr).not.toContain('wrong-secret');
  });

  it('says in one line which credential is missing', async () => {
    const result = await cli(['scan', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'depot-watch: missing DepotFinity credentials: set DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET in the environment (or credentials in the config file)',
    ]);
  });

  it('names the field of a malformed config in one line, without a stack trace', async () => {
    const bad = join(work, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ fleet: [{ chargerId: 'HPC-001', connectors: [] }], scan: { pageSize: 3 } }),
    );
    const result = await cli(['scan', '--config', bad]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `invalid config in ${bad}: fleet.0.connectors: list at least one connector; scan.pageSize`,
    );
  });

  it('says so when the config file is not JSON', async () => {
    const bad = join(work, 'broken.json');
    await writeFile(bad, '{ "fleet": [');
    const result = await cli(['scan', '--config', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^depot-watch: config file .* is not valid JSON/);
    expect(await readFile(bad, 'utf8')).toBe('{ "fleet": [');
  });

  it('rejects an unknown command with the list of commands when none is near', async () => {
    const result = await cli(['inspect']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'unknown command "inspect"; try: demo, scan, replay, backtest, incidents, silence, simulate',
    );
  });
});

describe('depot-watch scan and replay against S3 (s3rver via AWS_ENDPOINT_URL_S3)', () => {
  let sim: DepotSimulator;
  let s3: LocalS3;
  let config: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator({ fleet: { chargers: 2, anomalyEvery: 2 } });
    s3 = await startS3();
    config = join(work, 's3-depot.json');
    await writeFile(
      config,
      JSON.stringify({
        fleet: [{ chargerId: 'HPC-001', connectors: ['1', '2'] }],
        api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
        archive: `s3://${s3.bucket}/depot-a`,
        state: `s3://${s3.bucket}/depot-a/state`,
        alerts: [join(work, 's3-alerts.jsonl')],
        // Every finding opens an incident, so each one shows up in the alerts file.
        incidents: {
          pending: { info: { findings: 1, sessions: 1 }, warning: { findings: 1, sessions: 1 } },
        },
      }),
    );
    env = {
      DEPOT_WATCH_CLIENT_ID: 'demo-client',
      DEPOT_WATCH_CLIENT_SECRET: 'demo-secret',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'eu-west-1',
    };
  });
  afterAll(async () => {
    await sim.stop();
    await s3.stop();
  });

  it('archives to the bucket and keeps its state there', async () => {
    const result = await cli(['scan', '--config', config], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Archive: s3://${s3.bucket}/depot-a\n`);
    expect((await s3.keys('depot-a/reports/charger=HPC-001/')).length).toBeGreaterThan(5);
    expect(await s3.keys('depot-a/state/state.json')).toEqual(['depot-a/state/state.json']);
    const state = await stateDocumentInS3(s3.client, s3.bucket, 'depot-a/state/');
    expect(Object.keys(state.cursors)).toHaveLength(2);
  });

  it('replays straight from the bucket', async () => {
    const result = await cli(['replay', '--json', `s3://${s3.bucket}/depot-a/reports/`], { env });
    expect(result.code).toBe(0);
    const reports = (await s3.keys('depot-a/reports/')).length;
    expect(result.stderr).toContain(
      `Replayed ${reports} report(s) from ${reports} file(s): 0 invalid`,
    );
    // Every session an incident was opened for is a finding the replay finds again.
    const replayed = new Set(
      result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .map((f) => `${f.rule}/${f.connectorId}/${f.sessionId}`),
    );
    const opens = ((await alertsIn(join(work, 's3-alerts.jsonl'))) as unknown as Notice[]).filter(
      (n) => n.event === 'open',
    );
    expect(opens.length).toBeGreaterThan(0);
    for (const notice of opens)
      for (const session of notice.sessionIds)
        expect(replayed).toContain(`${notice.rule}/${notice.connectorId}/${session}`);
  });

  it('names a malformed s3 URI in one line', async () => {
    const bad = join(work, 's3-bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
        archive: 's3://Bad_Bucket',
      }),
    );
    const result = await cli(['scan', '--config', bad], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'depot-watch: archive: "s3://Bad_Bucket" is not an s3://bucket/prefix URI\n',
    );
  });
});

describe('help and version', () => {
  const commands = ['demo', 'scan', 'replay', 'backtest', 'incidents', 'silence', 'simulate'];

  it.each(commands)('explains %s with its usage and an example, exit 0', async (command) => {
    const result = await cli([command, '--help']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(new RegExp(`^Usage: depot-watch ${command}\\b`));
    expect(result.stdout).toMatch(new RegExp(`\\nExample: depot-watch ${command} `));
  });

  it('refuses a name that is no command, even one every object has, with --help', async () => {
    const result = await cli(['constructor', '--help']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^depot-watch: unknown command "constructor"; try: demo, /);
  });

  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await cli([flag]);
      expect([result.code, result.stdout]).toEqual([0, `depot-watch ${version}\n`]);
    }
  });

  it('refuses a port no machine has, as a usage error', async () => {
    const result = await cli(['simulate', '--port', '70000']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'depot-watch: --port must be 0 to 65535, got 70000\n',
    ]);
  });
});

describe('a config file that cannot be read', () => {
  it('is named by its full path, with what to do, never an errno code', async () => {
    const missing = await cli(['scan', '--config', 'no-such-depot.json'], { cwd: work });
    expect([missing.code, missing.stderr]).toEqual([
      2,
      `depot-watch: cannot read config file ${join(work, 'no-such-depot.json')}: no such file; check the path (a relative one starts from the current folder)\n`,
    ]);
    const folder = await cli(['scan', '--config', work]);
    expect([folder.code, folder.stderr]).toEqual([
      2,
      `depot-watch: cannot read config file ${work}: that is a folder; give the config file inside it\n`,
    ]);
  });
});
