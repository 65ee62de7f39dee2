import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.ts';
import { startHandWrittenApi } from '../helpers/hand-written-api.ts';
import { alertsIn, filesUnder, scanOnce } from '../helpers/scan.ts';
import { cursorOf, stateDocumentIn } from '../helpers/state-document.ts';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * 3_600_000).toISOString();

/** A healthy session, or one whose breaker opened under 120 A (a critical fault). */
function report(sessionId: number | string, hoursAgo: number, breakerAmps = 0, extra = '') {
  return (
    `{"sessionId":${JSON.stringify(sessionId)},"vehicleId":"BUS-1","sessionTimeStart":"${at(hoursAgo)}",` +
    `"sessionTimeEnd":"${at(hoursAgo - 0.5)}","energySocStart":40,"energySocEnd":90,` +
    `"dcBreakerOpenConditions":{"current":${breakerAmps},"voltage":650}${extra}}`
  );
}

// The two reports that used to stop their connector on every run: an id too long for a file
// name, and an unknown field nested far deeper than any recursive copy survives.
const LONG_ID = '中'.repeat(400);
const DEEP = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
const ITEMS = [
  report(1, 10, 120),
  report(LONG_ID, 9, 130),
  report(2, 8),
  report(3, 7, 0, `,"vendorExtension":${DEEP}`),
  report(4, 6, 140),
  report(5, 5),
  // A duplicate key and an integer beyond 2^53: only the bytes as served keep them.
  '{"sessionId":6,"sessionTimeStart":"2026-11-24T07:00:00.000Z","meter":9007199254740993,"meter":1}',
];

let api: Awaited<ReturnType<typeof startHandWrittenApi>>;
let dir: string;
beforeEach(async () => {
  api = await startHandWrittenApi(ITEMS);
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-hostile-'));
});
afterEach(async () => {
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

function config() {
  return parseConfig(
    {
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      api: { tokenUrl: api.tokenUrl, baseUrl: api.url },
      archive: join(dir, 'archive'),
      state: join(dir, 'state'),
      alerts: [join(dir, 'alerts.jsonl')],
      scan: { pageSize: 10, maxAttempts: 1 },
    },
    'test config',
  );
}

describe('a connector serving reports that cannot be filed as they are', () => {
  it('quarantines them with a reason, archives and notifies the rest, and moves its cursor', async () => {
    const summary = await scanOnce(config(), () => NOW);
    expect(summary.failed).toEqual([]);
    expect(summary.totals).toMatchObject({ fetched: 7, archived: 6, quarantined: 1 });

    const reports = await filesUnder(join(dir, 'archive/reports'));
    expect(reports.map((f) => f.split('/').pop())).toEqual(
      expect.arrayContaining(['1.json', '2.json', '3.json', '4.json', '5.json', '6.json']),
    );
    const reasons = (await filesUnder(join(dir, 'archive/quarantine'))).filter((f) =>
      f.endsWith('.reason.json'),
    );
    expect(reasons).toHaveLength(1);
    const reason = JSON.parse(
      await readFile(join(dir, 'archive/quarantine', reasons[0] as string), 'utf8'),
    );
    expect(reason.reason).toMatch(/sessionId: .*at most 128 characters/);

    // Every real fault on the connector is told: both breaker openings that were filed, in the
    // one incident they belong to (two clean sessions between them do not resolve it).
    const notices = (await alertsIn(join(dir, 'alerts.jsonl'))) as unknown as {
      event: string;
      rule: string;
      sessionIds: string[];
    }[];
    expect(notices.map((n) => [n.event, n.rule, n.sessionIds])).toEqual([
      ['open', 'breaker-open-under-load', ['1', '4']],
    ]);
    const cursor = cursorOf(await stateDocumentIn(join(dir, 'state')), 'HPC-001', '1');
    expect(cursor?.fetchedUntil).toBe(new Date(NOW).toISOString());
  });

  it('archives each report as the bytes the API served, duplicate keys and big integers kept', async () => {
    await scanOnce(config(), () => NOW);
    const files = await filesUnder(join(dir, 'archive/reports'));
    for (const [name, served] of [
      ['6.json', ITEMS[6]],
      ['3.json', ITEMS[3]],
    ] as const) {
      const path = files.find((f) => f.endsWith(`/${name}`)) as string;
      expect(await readFile(join(dir, 'archive/reports', path), 'utf8')).toBe(served);
    }
  });

  it('notifies nothing new on a second run over the same window', async () => {
    await scanOnce(config(), () => NOW);
    const second = await scanOnce(config(), () => NOW + 60 * 60_000);
    expect(second.failed).toEqual([]);
    expect(second.totals).toMatchObject({ alerted: 0, archived: 0, alreadyArchived: 6 });
    expect(await alertsIn(join(dir, 'alerts.jsonl'))).toHaveLength(1);
  });
});
