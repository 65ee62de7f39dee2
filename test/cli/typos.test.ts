import { describe, expect, it } from 'vitest';
import { nearest } from '../../functions/cli/nearest.ts';
import { cli } from '../helpers/cli.ts';

describe('a mistyped command, action or flag', () => {
  it.concurrent.each([
    [['scna'], 'unknown command "scna"; did you mean scan?'],
    [['replya', 'x'], 'unknown command "replya"; did you mean replay?'],
    [['scan', '--confgi', 'depot.json'], 'unknown flag --confgi; did you mean --config?'],
    [['scan', '--dryrun'], 'unknown flag --dryrun; did you mean --dry-run?'],
    [['kpis', '--jsno'], 'unknown flag --jsno; did you mean --json?'],
    [['report', '--otu', 'r.html'], 'unknown flag --otu; did you mean --out?'],
    [
      ['replay', '--config=depot.json', '--quite', 'x'],
      'unknown flag --quite; did you mean --quiet?',
    ],
    [
      ['silence', 'ad', '--charger', 'HPC-001'],
      'silence takes add, list or expire, not "ad"; did you mean add?',
    ],
    [
      ['config', 'chek', '--config', 'depot.json'],
      'config takes check, not "chek"; did you mean check?',
    ],
  ])('%j is answered with the nearest name, exit 2', async (args, sentence) => {
    const result = await cli(args);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `depot-watch: ${sentence}\n`,
    ]);
  });

  it.concurrent('that is near nothing lists what the command takes instead of guessing', async () => {
    const result = await cli(['scan', '--xyz']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'depot-watch: unknown flag --xyz; this command takes --config, --deadline, --verbose, --quiet, --dry-run\n',
    ]);
  });

  it.concurrent('without its value says the flag needs one', async () => {
    const result = await cli(['scan', '--config']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'depot-watch: --config needs a value after it\n',
    ]);
  });
});

describe('the nearest name', () => {
  it('counts a swap of two letters as one edit', () => {
    expect(nearest('--confgi', ['--config', '--json'])).toBe('--config');
  });

  it('guesses nothing when every name is far', () => {
    expect(nearest('--xyz', ['--json', '--all'])).toBeUndefined();
    expect(nearest('inspect', ['demo', 'scan', 'replay'])).toBeUndefined();
  });
});
