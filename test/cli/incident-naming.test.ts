import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { generateHistory, writeHistory } from '../helpers/history.ts';

const START = '2026-03-02T00:00:00.000Z';
const day = (n: number) => new Date(Date.parse(START) + n * 86_400_000).toISOString();

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-naming-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('an incident reads the same in every view', () => {
  it('backtest names a vehicle incident by its bus, as incidents does, never by a connector', async () => {
    const history = generateHistory({
      seed: 4,
      chargers: 4,
      connectors: 2,
      days: 10,
      everyHours: 4,
      start: START,
      faults: [{ vehicleId: 'BUS-117', rule: 'battery-misalignment', from: day(1), until: day(9) }],
    });
    const folder = await writeHistory(history, join(work, 'history'));
    const result = await cli(['backtest', folder]);
    expect(result.code, result.stderr).toBe(0);
    const vehicleLines = result.stdout
      .split('\n')
      .filter((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d {2}/.test(line) && line.includes('BUS-117'));
    expect(vehicleLines.length).toBeGreaterThan(0);
    // The where column (the fourth) is the bus itself, as `depot-watch incidents` shows it.
    for (const line of vehicleLines) expect(line.split(/ {2,}/)[3]).toBe('BUS-117');
  });
});
