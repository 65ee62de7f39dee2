import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { closedPort } from '../helpers/ports.ts';
import { startSimulator } from '../helpers/simulator.ts';

let work: string;
let sim: DepotSimulator;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-config-check-'));
  sim = await startSimulator({ tokenTtlSeconds: 1800 });
});
afterAll(async () => {
  await sim.stop();
  await rm(work, { recursive: true, force: true });
});

/** Writes a config file into the work folder and returns its path. */
async function configFile(name: string, config: unknown): Promise<string> {
  const path = join(work, name);
  await writeFile(path, JSON.stringify(config));
  return path;
}

/** A depot with one override: HPC-001's connector 2 gets its own SoC target and reminders. */
const depot = (api: { tokenUrl: string; baseUrl: string }) => ({
  fleet: [
    { chargerId: 'HPC-001', connectors: ['1', '2'] },
    { chargerId: 'PANTO-07', connectors: ['1'] },
  ],
  api,
  archive: './archive',
  state: 'state',
  alerts: ['stdout', './alerts.jsonl'],
  thresholds: { 'soc-shortfall': { targetSocPercent: 85 } },
  overrides: [
    {
      chargerId: 'HPC-001',
      connectorId: '2',
      thresholds: { 'soc-shortfall': { targetSocPercent: 92 } },
      incidents: { repeatHours: 6 },
    },
  ],
});

const CREDENTIALS = {
  DEPOT_WATCH_CLIENT_ID: 'demo-client',
  DEPOT_WATCH_CLIENT_SECRET: 'demo-secret',
};

describe('depot-watch config check', () => {
  it('prints the fleet, absolute paths, the site-wide thresholds once and only the override', async () => {
    const path = await configFile(
      'depot.json',
      depot({ tokenUrl: sim.tokenUrl, baseUrl: sim.url }),
    );
    const result = await cli(['config', 'check', '--config', path]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const lines = result.stdout.split('\n');
    expect(lines).toContain(`Config ${path} is valid.`);
    expect(lines).toContain('Fleet: 2 charger(s), 3 connector(s)');
    // Relative paths resolve against the config's folder, as scan resolves them.
    expect(lines).toContain(`Archive: ${join(work, 'archive')}`);
    expect(lines).toContain(`State: ${join(work, 'state')}`);
    expect(lines).toContain(`Alerts: stdout, ${join(work, 'alerts.jsonl')}`);
    expect(result.stdout).toMatch(/^Incidents: .*remind every 24 h/m);
    expect(result.stdout).toMatch(/^ {2}soc-shortfall +enabled true, targetSocPercent 85,/m);
    // Only the connector the override names, with the config's value against the site's.
    expect(result.stdout).toContain(
      'Thresholds that differ:\n  HPC-001/2  soc-shortfall.targetSocPercent 92 (site-wide 85)\n',
    );
    expect(result.stdout).toContain(
      'Incident settings that differ:\n  HPC-001/2  repeatHours 6 (site-wide 24)\n',
    );
    expect(result.stdout).not.toMatch(/HPC-001\/1|PANTO-07/);
  });

  it('prints every connector’s effective thresholds as JSON, the override’s value where it applies', async () => {
    const path = await configFile(
      'depot.json',
      depot({ tokenUrl: sim.tokenUrl, baseUrl: sim.url }),
    );
    const result = await cli(['config', 'check', '--config', path, '--json']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const document = JSON.parse(result.stdout) as {
      connectors: number;
      effective: {
        chargerId: string;
        connectorId: string;
        thresholds: Record<string, Record<string, unknown>>;
        incidents: { repeatHours: number };
      }[];
    };
    expect(document.connectors).toBe(3);
    const target = Object.fromEntries(
      document.effective.map((c) => [
        `${c.chargerId}/${c.connectorId}`,
        [c.thresholds['soc-shortfall']?.targetSocPercent, c.incidents.repeatHours],
      ]),
    );
    expect(target).toEqual({
      'HPC-001/1': [85, 24],
      'HPC-001/2': [92, 6],
      'PANTO-07/1': [85, 24],
    });
  });

  it('says the token endpoint answered and for how long the token is valid', async () => {
    const path = await configFile(
      'depot.json',
      depot({ tokenUrl: sim.tokenUrl, baseUrl: sim.url }),
    );
    const result = await cli(['config', 'check', '--config', path, '--probe'], {
      env: CREDENTIALS,
    });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/\ntoken endpoint answered: token valid for 1800 s\n$/);
  });

  it('fails the probe in one line when the secret is refused, and never prints the secret', async () => {
    const path = await configFile(
      'depot.json',
      depot({ tokenUrl: sim.tokenUrl, baseUrl: sim.url }),
    );
    const result = await cli(['config', 'check', '--config', path, '--probe'], {
      env: { ...CREDENTIALS, DEPOT_WATCH_CLIENT_SECRET: 'wrong-secret-4711' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^depot-watch: probe failed: token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth2\/token refused the client id\/secret \(HTTP 40[13]\); check DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET \(or credentials in the config\)\n$/,
    );
    expect(result.stdout).toContain('is valid.');
    expect(result.stdout + result.stderr).not.toContain('wrong-secret-4711');
  });

  it('names the token URL when nothing listens there', async () => {
    const port = await closedPort();
    const tokenUrl = `http://127.0.0.1:${port}/oauth2/token`;
    const path = await configFile('closed.json', depot({ tokenUrl, baseUrl: sim.url }));
    const result = await cli(['config', 'check', '--config', path, '--probe'], {
      env: CREDENTIALS,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^depot-watch: probe failed: token endpoint ${tokenUrl.replaceAll('.', '\\.')} did not give a token: .*connection failed.*\\n$`,
      ),
    );
  });

  it('names the token URL on a port fetch refuses to use', async () => {
    // 6000 (X11) is one of the ports fetch will not connect to; its error says only "bad port".
    const tokenUrl = 'http://127.0.0.1:6000/oauth2/token';
    const path = await configFile('bad-port.json', depot({ tokenUrl, baseUrl: sim.url }));
    const result = await cli(['config', 'check', '--config', path, '--probe'], {
      env: CREDENTIALS,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`token endpoint ${tokenUrl} did not give a token:`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 with the one-line message of the config parse for an invalid config', async () => {
    const path = await configFile('bad.json', { fleet: [], scan: { pageSize: 5 } });
    const result = await cli(['config', 'check', '--config', path]);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(
      `depot-watch: invalid config in ${path}: scan.pageSize: Too small: expected number to be >=10; fleet: list at least one charger (or several depots under "depots")\n`,
    );
  });

  it('exits 2 for an alert destination a scan could not use, naming it', async () => {
    const path = await configFile('bad-alerts.json', {
      ...depot({ tokenUrl: sim.tokenUrl, baseUrl: sim.url }),
      alerts: ['stdout', 'alerts.txt'],
    });
    const result = await cli(['config', 'check', '--config', path]);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      'depot-watch: alerts.1: "alerts.txt" is not stdout, a .jsonl file path or an SNS topic ARN\n',
    ]);
  });

  it('says when each rule tells, and warns when a config holds a critical finding back', async () => {
    const api = { tokenUrl: sim.tokenUrl, baseUrl: sim.url };
    const plain = await cli([
      'config',
      'check',
      '--config',
      await configFile('told.json', depot(api)),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(
      /^ {2}breaker-open-under-load +critical at once on its connector/m,
    );
    expect(plain.stdout).toMatch(/^ {2}ocpp-faulted +critical at once; warning after 2 sessions/m);
    expect(plain.stderr).not.toContain('holds its critical findings back');
    const holding = {
      ...depot(api),
      incidents: {
        rules: {
          'breaker-open-under-load': { confirm: { critical: { sessions: 2, withinHours: 12 } } },
        },
      },
    };
    const held = await cli(['config', 'check', '--config', await configFile('held.json', holding)]);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toMatch(
      /breaker-open-under-load +critical on the bus-or-charger verdict .*after 2 sessions with it within 12 h/,
    );
    expect(held.stderr).toContain(
      'warning: incidents.rules.breaker-open-under-load holds its critical findings back',
    );
  });

  it('exits 2 for a missing --config or an unknown action', async () => {
    const missing = await cli(['config', 'check']);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      2,
      '',
      'depot-watch: config check needs --config <file>\n',
    ]);
    const unknown = await cli(['config', 'lint']);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'depot-watch: config takes check, not "lint"; see depot-watch config --help\n',
    ]);
  });

  it('explains itself with --help', async () => {
    const result = await cli(['config', 'check', '--help']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^Usage: depot-watch config check --config <file> \[--probe\]/);
    expect(result.stdout).toContain(
      'Example: depot-watch config check --config depot.json --probe',
    );
  });
});
