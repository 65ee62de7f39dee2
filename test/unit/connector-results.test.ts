import { describe, expect, it } from 'vitest';
import { ConnectorResults } from '../../functions/scan/connector-results.ts';
import type { ConnectorResult } from '../../functions/scan/summary.ts';

// Written out whole, not built by the summary's own function: every field must come back.
const result = (i: number, extra: Partial<ConnectorResult> = {}): ConnectorResult => ({
  chargerId: `HPC-${i}`,
  connectorId: String((i % 2) + 1),
  pages: i,
  fetched: 10 * i,
  archived: 9 * i,
  alreadyArchived: i % 4,
  quarantined: i % 5,
  findings: i % 6,
  alerted: i % 3,
  openIncidents: i % 7,
  ruleErrors: 1,
  status: 'ok',
  window: { from: '2026-11-30T06:00:00.000Z', to: '2026-11-30T12:00:00.000Z' },
  findingsByRule: {},
  ...extra,
});

describe("a run's connector results, packed", () => {
  it('gives back every result as set, in fleet order, whatever order they finished in', () => {
    const results = new ConnectorResults(200);
    const expected = Array.from({ length: 200 }, (_, i) =>
      i === 7
        ? result(i, { status: 'failed', error: 'HTTP 500 from <vendor>', credentialsRefused: true })
        : i === 9
          ? result(i, {
              status: 'skipped',
              depot: 'north',
              findingsByRule: { 'breaker-under-load': 2 },
            })
          : result(i),
    );
    // Concurrent connectors finish out of order.
    for (const i of [...expected.keys()].sort((a, b) => ((a * 37) % 200) - ((b * 37) % 200)))
      results.set(expected[i] as ConnectorResult, i);
    expect(results.length).toBe(200);
    expect([...results]).toEqual(expected);
  });

  it('appends where no place is given, past the size it was made for', () => {
    const results = new ConnectorResults();
    const expected = Array.from({ length: 150 }, (_, i) => result(i));
    for (const r of expected) results.set(r);
    expect([...results]).toEqual(expected);
    // Each result is its own object: the summary's counts can be changed on one alone.
    const [first, second] = [...results];
    (first as ConnectorResult).findingsByRule.x = 1;
    expect((second as ConnectorResult).findingsByRule).toEqual({});
  });
});
