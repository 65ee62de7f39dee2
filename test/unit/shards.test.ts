import { describe, expect, it } from 'vitest';
import { connectorsPerInvocation, msPerConnector } from '../../functions/scan/capacity.ts';
import { planShards, shardFleet, shardName } from '../../functions/scan/shards.ts';

const charger = (id: string, connectors: number) => ({
  chargerId: id,
  connectors: Array.from({ length: connectors }, (_, i) => String(i + 1)),
});

describe('shards of a run', () => {
  it('cut each depot into as few shards as hold the connectors, every charger in exactly one', () => {
    // 7 chargers of 2 connectors and one of 4: 18 connectors, at most 5 a shard → 4 shards.
    const fleet = [...Array.from({ length: 7 }, (_, i) => charger(`C${i}`, 2)), charger('BIG', 4)];
    const shards = planShards(
      [
        { name: 'north', fleet },
        { name: 'south', fleet: [charger('S', 2)] },
      ],
      5,
    );
    expect(shards).toEqual([
      { depot: 'north', index: 0, of: 4 },
      { depot: 'north', index: 1, of: 4 },
      { depot: 'north', index: 2, of: 4 },
      { depot: 'north', index: 3, of: 4 },
      { depot: 'south', index: 0, of: 1 },
    ]);
    // Connector offsets 0,2,4,…,12 and 14 (BIG); shard bounds at 4.5, 9, 13.5 connectors.
    const slices = [0, 1, 2, 3].map((index) =>
      shardFleet(fleet, { index, of: 4 }).map((c) => c.chargerId),
    );
    expect(slices).toEqual([['C0', 'C1', 'C2'], ['C3', 'C4'], ['C5', 'C6'], ['BIG']]);
    expect(slices.flat().sort()).toEqual(fleet.map((c) => c.chargerId).sort());
    expect(shardName({ depot: 'north', index: 1, of: 4 })).toBe('north 2/4');
  });

  it('are sized from the measured model: 6,666 connectors at 5 minutes and 512 MB', () => {
    // Network: 180 ms / 8 in flight = 22.5 ms; CPU: 5.4 ms / (512/1769) = 18.66 ms.
    expect(msPerConnector({ timeoutMinutes: 5, memoryMb: 512 })).toBeCloseTo(22.5, 6);
    // Half of 300 s at 22.5 ms a connector.
    expect(connectorsPerInvocation({ timeoutMinutes: 5, memoryMb: 512 })).toBe(6_666);
    // At 128 MB the CPU bounds it: 5.4 / (128/1769) = 74.63 ms a connector; 150 s / 74.63 ms = 2,009.9.
    expect(connectorsPerInvocation({ timeoutMinutes: 5, memoryMb: 128 })).toBe(2_009);
  });
});
