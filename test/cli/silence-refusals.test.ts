import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';

// A silence stored where no scan reads it, or on a charger that does not exist, holds nothing
// while the operator believes it holds: each of these is refused in a sentence, exit 2.

let work: string;
let config: string;
let state: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-silence-refusals-'));
  config = join(work, 'depot.json');
  await writeFile(
    config,
    JSON.stringify({
      fleet: [
        { chargerId: 'HPC-001', connectors: ['1', '2'] },
        { chargerId: 'HPC-002', connectors: ['1'] },
      ],
      archive: 'archive',
      state: 'state',
    }),
  );
  state = join(work, 'given-state');
  await mkdir(state);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const add = (...args: string[]) => [
  'silence',
  'add',
  '--for',
  '4h',
  '--reason',
  'contactor swap',
  ...args,
];

describe('depot-watch silence refuses', () => {
  it.concurrent.each([
    [
      add('--config', 'CONFIG', '--charger', 'HPC-999'),
      `--charger "HPC-999" is not in the config's fleet; check the id, or give --force to silence it as given`,
    ],
    [
      add('--config', 'CONFIG', '--charger', 'HPC-001', '--connector', '3'),
      'charger HPC-001 has no connector "3" in the config\'s fleet; it has connectors 1, 2; check the connector, or give --force to silence it as given',
    ],
    [
      add('--config', 'CONFIG', '--charger', 'HPC-001', '--rule', 'soc-shortfal'),
      '--rule "soc-shortfal" is not a rule id; did you mean soc-shortfall? (--force silences it as given)',
    ],
    [
      add('--state', 'STATE', '--charger', 'HPC-001'),
      '--state has no fleet to check --charger "HPC-001" against; give --config <file> instead, or --force to silence it as given',
    ],
  ])('%j, a name the config does not know, unless --force', async (args, sentence) => {
    const given = args.map((a) => (a === 'CONFIG' ? config : a === 'STATE' ? state : a));
    const refused = await cli(given);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([
      2,
      '',
      `depot-watch: ${sentence}\n`,
    ]);
    const forced = await cli([...given, '--force']);
    expect([forced.code, forced.stderr]).toEqual([0, '']);
    expect(forced.stdout).toMatch(/^Silenced /);
  });

  it.concurrent.each([
    ['add', add('--charger', 'HPC-001')],
    ['list', ['silence', 'list']],
    ['expire', ['silence', 'expire', 'sil-00000000']],
  ])(
    'silence %s without --config or --state, and writes nothing where it runs',
    async (_, args) => {
      const folder = await mkdtemp(join(work, 'elsewhere-'));
      const result = await cli(args, { cwd: folder });
      expect([result.code, result.stdout, result.stderr]).toEqual([
        2,
        '',
        "depot-watch: silence needs --config <file> (the depot's config) or --state <folder-or-s3-uri> (its state); for the demo's, --state .depot-watch/state\n",
      ]);
      expect(await readdir(folder)).toEqual([]);
    },
  );

  it.concurrent('a --state folder that is not there, rather than making one', async () => {
    const folder = await mkdtemp(join(work, 'no-state-'));
    const result = await cli(['silence', 'list', '--state', '.depot-watch/state'], { cwd: folder });
    expect([result.code, result.stderr]).toEqual([
      2,
      `depot-watch: no state at ${join(folder, '.depot-watch/state')}; check --state (a relative path starts from the current folder)\n`,
    ]);
    expect(await readdir(folder)).toEqual([]);
  });
});
