import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commandHelp } from '../../functions/cli/help.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { startSimulator } from '../helpers/simulator.ts';

// docs/cli.md's promise (exit codes), per command: 0 success, 1 a run that could not read what it needed
// (a connector, refused credentials, nothing at all), 2 a usage or config error, said in one
// line. The commands come from help.ts, so a new command fails here until it has its cases.

/** What a command's likeliest real failure looks like: its arguments, exit code and message. */
interface FailureMode {
  /** What goes wrong, as the test name says it. */
  what: string;
  args: () => string[];
  code: 1 | 2;
  /** A stderr line that must name the problem. */
  says: RegExp;
  env?: Record<string, string>;
  /** The folder it runs in; the test's own by default. */
  cwd?: () => string;
}

let work: string;
let empty: string;
let typo: string;
let sim: DepotSimulator;
let refusing: string;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-exit-'));
  empty = join(work, 'empty');
  await mkdir(empty);
  // A config with a misspelt key: every command that reads one must refuse it, naming the key.
  typo = join(work, 'typo.json');
  await writeFile(
    typo,
    JSON.stringify({ fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }], thresholdz: {} }),
  );
  sim = await startSimulator({ fleet: { chargers: 1 } });
  refusing = join(work, 'refusing.json');
  await writeFile(
    refusing,
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
      archive: 'archive',
      state: 'state',
      alerts: ['alerts.jsonl'],
    }),
  );
  busy = createServer();
  await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
  busyPort = (busy.address() as { port: number }).port;
  // The demo's folder is a file: it cannot write its archive or state there.
  await writeFile(join(work, 'not-a-folder'), '');
});

afterAll(async () => {
  await sim?.stop();
  await new Promise((done) => busy?.close(done));
  await rm(work, { recursive: true, force: true });
});

const FAILURES: Record<string, FailureMode> = {
  demo: {
    what: 'a folder it cannot write to',
    args: () => ['demo', '--dir', join(work, 'not-a-folder')],
    code: 1,
    says: /not-a-folder/,
  },
  scan: {
    what: 'an API that refuses the credentials',
    args: () => ['scan', '--config', refusing],
    code: 1,
    says: /refused the client id\/secret/,
    env: { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'wrong-secret' },
  },
  replay: {
    what: 'a folder with no reports in it',
    args: () => ['replay', empty],
    code: 1,
    says: /no valid session reports in /,
  },
  backtest: {
    what: 'a folder with no reports in it',
    args: () => ['backtest', empty],
    code: 1,
    says: /no valid session reports in /,
  },
  incidents: {
    what: 'a config with a typo',
    args: () => ['incidents', '--config', typo],
    code: 2,
    says: /thresholdz/,
  },
  silence: {
    what: 'a silence without its reason',
    args: () => ['silence', 'add', '--charger', 'HPC-001', '--for', '4h', '--state', empty],
    code: 2,
    says: /silence add needs --reason/,
  },
  kpis: {
    what: 'an archive with no reports in it',
    args: () => ['kpis', '--archive', empty],
    code: 1,
    says: /no valid session report/,
  },
  report: {
    what: 'a state folder that is not there',
    // Without --config it reads the demo's state here; `empty` has none and stays empty.
    args: () => ['report'],
    cwd: () => empty,
    code: 1,
    says: /no state at /,
  },
  simulate: {
    what: 'a port already in use',
    args: () => ['simulate', '--port', String(busyPort)],
    code: 1,
    says: /port \d+ on 127.0.0.1 is already in use; choose another with --port/,
  },
  config: {
    what: 'a token probe the API refuses',
    args: () => ['config', 'check', '--config', refusing, '--probe'],
    code: 1,
    says: /probe failed: .*refused the client id\/secret/,
    env: { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'wrong-secret' },
  },
};

/** How to reach a command's options: silence's and config's come after their action. */
const PREFIX: Record<string, string[]> = { silence: ['list'], config: ['check'] };
/** The smallest arguments that get a command as far as reading its --config. */
const WITH_CONFIG: Record<string, (config: string) => string[]> = {
  replay: (config) => ['replay', '--config', config, empty],
  backtest: (config) => ['backtest', '--config', config, empty],
  silence: (config) => ['silence', 'list', '--config', config],
  config: (config) => ['config', 'check', '--config', config],
};

const stderrLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '');

describe('every command in the help table', () => {
  it('has a failure case here, so a new command cannot ship without one', () => {
    expect(COMMAND_NAMES.filter((name) => !FAILURES[name])).toEqual([]);
  });
});

describe.each(COMMAND_NAMES)('depot-watch %s', (command) => {
  it.concurrent('explains itself with --help: usage and an example, exit 0', async ({ expect }) => {
    const result = await cli([command, '--help'], { cwd: work });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(commandHelp(command));
    expect(result.stdout).toMatch(new RegExp(`^Usage: depot-watch ${command}\\b`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^Example: depot-watch ${command} `, 'm'));
  });

  it.concurrent('refuses an unknown option in one line naming it, exit 2', async ({ expect }) => {
    const args = [command, ...(PREFIX[command] ?? []), '--no-such-option'];
    const result = await cli(args, { cwd: work });
    expect(result.code).toBe(2);
    expect(stderrLines(result.stderr)).toEqual([
      expect.stringContaining('unknown flag --no-such-option; this command takes --'),
    ]);
    // One sentence: not node's hint about positionals that start with '-'.
    expect(result.stderr).not.toContain('positional argument');
    expect(result.stdout).toBe('');
  });

  const failure = FAILURES[command];
  if (failure) {
    it(`exits ${failure.code} on ${failure.what}, saying so on stderr`, async () => {
      const result = await cli(failure.args(), {
        cwd: failure.cwd?.() ?? work,
        ...(failure.env ? { env: failure.env } : {}),
      });
      expect(result.code).toBe(failure.code);
      // At least one line: the demo also logs the failed read before its final error line.
      expect(stderrLines(result.stderr).some((line) => failure.says.test(line))).toBe(true);
    });
  }

  // Commands whose help offers --config must refuse a misspelt key in it as a config error.
  if (commandHelp(command)?.includes('--config')) {
    it.concurrent('refuses a config with a typo in one line naming the key, exit 2', async ({
      expect,
    }) => {
      const args = WITH_CONFIG[command]?.(typo) ?? [command, '--config', typo];
      const result = await cli(args, { cwd: work });
      expect(result.code).toBe(2);
      expect(stderrLines(result.stderr)).toEqual([expect.stringContaining('thresholdz')]);
    });
  }
});
