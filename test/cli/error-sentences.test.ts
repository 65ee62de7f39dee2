import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../functions/cli/help.ts';
import { cli } from '../helpers/cli.ts';
import { closedPort } from '../helpers/ports.ts';

// Every way an operator can get a command wrong, or point it at something that is not there,
// ends in one sentence that says what to do: never node's or the AWS SDK's own words, an errno
// code or a stack trace. Each command's error paths are walked here; a new command fails the
// first test until it has its own.

/** What a raw message looks like: an errno code, SDK wording, an exception's name, a stack. */
const RAW = [
  /\b(ENOENT|EEXIST|EACCES|EPERM|EISDIR|ENOTDIR|EROFS|ENOSPC|ECONNREFUSED|ENOTFOUND|EADDRINUSE)\b/,
  /\bERR_[A-Z_]+\b/,
  /Region is missing|Region not accepted|Could not load credentials/,
  /\b(TypeError|RangeError|SyntaxError|ReferenceError)\b/,
  /Cannot read properties|is not a function|Unknown option '/,
  /^\s+at \S/m,
  /at Object\./,
];

/** No AWS settings of the machine's: no region, no profile, no credentials. */
const NO_AWS = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_S3',
];
const NO_CREDENTIALS = {
  AWS_REGION: 'eu-west-1',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};
/** Credentials and a region, and an S3 endpoint nothing listens on. */
const S3_DOWN = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
};

const API_CREDENTIALS = { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'x' };

interface Mistake {
  args: string[];
  env?: Record<string, string>;
  unset?: readonly string[];
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-error-sentences-'));
  await writeFile(join(work, 'a-file'), '');
  await mkdir(join(work, 'a-folder'));
  await mkdir(join(work, 'state'));
  await writeFile(join(work, 'not-json.json'), '{ "fleet": [');
  await writeFile(
    join(work, 'depot.json'),
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      archive: 'archive',
      state: 'state',
    }),
  );
  // An API nothing listens at: the scan and the token probe say so in words, not in an errno.
  const api = `http://127.0.0.1:${await closedPort()}`;
  await writeFile(
    join(work, 'unreachable.json'),
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      api: { tokenUrl: `${api}/oauth/token`, baseUrl: api },
      archive: 'archive',
      state: 'state',
      alerts: ['alerts.jsonl'],
    }),
  );
  await writeFile(
    join(work, 's3-depot.json'),
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      archive: 's3://depot-archive/north',
      state: 's3://depot-archive/north/state',
      alerts: ['stdout'],
    }),
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A mistake as typed: the command line, split on spaces. */
const typed = (line: string): Mistake => ({ args: line.split(' ') });

/** An s3:// command with no region, a blank one, no credentials, and an S3 that does not answer. */
const s3 = (line: string): Mistake[] => [
  { args: line.split(' '), unset: NO_AWS },
  { args: line.split(' '), env: { AWS_REGION: '' } },
  {
    args: line.split(' '),
    env: NO_CREDENTIALS,
    unset: NO_AWS.filter((name) => name !== 'AWS_REGION'),
  },
  { args: line.split(' '), env: S3_DOWN },
];

const MISTAKES: Record<string, Mistake[]> = {
  demo: ['demo --dir a-file/demo', 'demo --seed seven', 'demo --depots 11'].map(typed),
  scan: [
    ...[
      'scan',
      'scan --config no-such.json',
      'scan --config a-folder',
      'scan --config not-json.json',
      'scan --config depot.json --deadline 10',
      'scan --confgi depot.json',
    ].map(typed),
    { args: ['scan', '--config', 'unreachable.json'], env: API_CREDENTIALS },
  ],
  replay: [
    ...['replay', 'replay no-such-folder', 'replay a-file/reports', 'replay s3://Bad_Bucket'].map(
      typed,
    ),
    ...s3('replay s3://depot-archive/north/reports/'),
  ],
  backtest: [
    ...['backtest no-such-folder', 'backtest a-folder --every 15'].map(typed),
    ...s3('backtest s3://depot-archive/north/reports/'),
  ],
  incidents: [
    ...['incidents --config no-such.json', 'incidents --dir a-file'].map(typed),
    ...s3('incidents --config s3-depot.json'),
  ],
  silence: [
    ...[
      'silence list',
      'silence list --state no-such-state',
      'silence expire sil-00000000 --state state',
      'silence add --config depot.json --charger HPC-999 --for 4h --reason x',
      'silence add --config depot.json --charger HPC-001 --for 4 --reason x',
      'silence add --config depot.json --charger HPC-001 --until tomorrow --reason x',
      'silence add --state a-file/state --charger HPC-001 --for 4h --reason x --force',
    ].map(typed),
    ...s3('silence list --state s3://depot-archive/north/state'),
  ],
  simulate: ['simulate --port http', 'simulate --port 70000'].map(typed),
  kpis: [
    ...['kpis --archive no-such-folder', 'kpis --from 2026-13-01'].map(typed),
    ...s3('kpis --config s3-depot.json'),
  ],
  report: [
    ...[
      'report --config depot.json --out a-file/report.html',
      'report --config depot.json --out a-folder',
      'report --archive s3://Bad_Bucket',
    ].map(typed),
    ...s3('report --config depot.json --archive s3://depot-archive/north'),
  ],
  config: [
    ...[
      'config check',
      'config check --config no-such.json',
      'config chek --config depot.json',
    ].map(typed),
    { args: ['config', 'check', '--config', 'unreachable.json', '--probe'], env: API_CREDENTIALS },
  ],
};

describe('every command in the help table', () => {
  it('has its error paths walked here', () => {
    expect(COMMAND_NAMES.filter((name) => !MISTAKES[name])).toEqual([]);
  });
});

describe.each(Object.entries(MISTAKES))('depot-watch %s', (_, mistakes) => {
  for (const { args, env, unset } of mistakes) {
    // The test's name is the command line as typed, environment first.
    const line = [...Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`), ...args].join(' ');
    it.concurrent(`${line} ends in a sentence, not a raw message`, async () => {
      const result = await cli(args, {
        cwd: work,
        ...(env ? { env } : {}),
        ...(unset ? { unset } : {}),
      });
      expect(result.code).not.toBe(0);
      // The last word is depot-watch's, or for a scan its summary's line naming what failed.
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      if (args[0] === 'scan' && result.code === 1) expect(result.stdout).toMatch(/^ {2}FAILED /m);
      else expect(lines.at(-1)).toMatch(/^depot-watch: \S/);
      for (const raw of RAW) expect(result.stderr + result.stdout).not.toMatch(raw);
    });
  }
});

describe('the sentences themselves', () => {
  it.concurrent('an --out below a file names the file in the way', async () => {
    const result = await cli(['report', '--config', 'depot.json', '--out', 'a-file/report.html'], {
      cwd: work,
    });
    expect(result.stderr).toBe(
      `depot-watch: cannot write ${join(work, 'a-file')}: a file is there, where a folder is needed on the way; check the path\n`,
    );
  });

  it.concurrent('an s3:// archive without a region says which variable to set', async () => {
    const result = await cli(
      ['report', '--config', 'depot.json', '--archive', 's3://depot-archive/north'],
      {
        cwd: work,
        unset: NO_AWS,
      },
    );
    expect(result.stderr).toBe(
      'depot-watch: no AWS region is set for S3; set AWS_REGION (for example AWS_REGION=eu-west-1)\n',
    );
  });
});
