import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';

let work: string;
let config: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-durations-'));
  config = join(work, 'depot.json');
  await writeFile(
    config,
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      archive: 'archive',
      state: 'state',
    }),
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const silenceFor = (duration: string) => [
  'silence',
  'add',
  '--config',
  config,
  '--charger',
  'HPC-001',
  '--reason',
  'contactor swap',
  '--for',
  duration,
];

describe('a duration flag', () => {
  it.concurrent.each([
    [() => silenceFor('4'), '--for 4 needs a unit: 4s, 4m, 4h or 4d'],
    [
      () => ['scan', '--config', config, '--deadline', '10'],
      '--deadline 10 needs a unit: 10s, 10m, 10h or 10d',
    ],
    [() => ['backtest', work, '--every', '15'], '--every 15 needs a unit: 15s, 15m, 15h or 15d'],
    [
      () => ['backtest', work, '--every', '90s'],
      '--every takes whole minutes such as 15m or 1h, got "90s"',
    ],
    [() => silenceFor('soon'), '--for takes a duration such as 90s, 10m, 4h or 2d, got "soon"'],
  ])(
    'without its unit, or not a duration, is refused in a sentence, exit 2 (%#)',
    async (args, sentence) => {
      const result = await cli(args(), { cwd: work });
      expect([result.code, result.stdout, result.stderr]).toEqual([
        2,
        '',
        `depot-watch: ${sentence}\n`,
      ]);
    },
  );

  it('with its unit is read in that unit: --for 30m ends the silence half an hour on', async () => {
    const before = Date.now();
    const result = await cli(silenceFor('30m'), { cwd: work });
    expect(result.code).toBe(0);
    const [silence] = JSON.parse(await readFile(join(work, 'state', 'silences.json'), 'utf8'));
    const minutes = (Date.parse(silence.until) - before) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(30);
    expect(minutes).toBeLessThan(31);
  });
});
