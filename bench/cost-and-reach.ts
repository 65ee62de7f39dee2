import { S3Archive } from '../functions/adapters/s3-archive.ts';
import { parseS3Uri } from '../functions/adapters/s3-location.ts';
import { S3State } from '../functions/adapters/s3-state.ts';
import { alertMessages } from '../functions/core/alert-messages.ts';
import type { IncidentNotification } from '../functions/core/incidents/incident.ts';
import { s3rverClient } from '../test/helpers/s3rver-client.ts';
import { startChild } from './children.ts';
import { type BenchResult, fmt } from './harness.ts';
import { PRICES } from './prices.ts';
import { scanFleet } from './scan-fleet.ts';

/** Assumptions that no local measurement can give. */
const ASSUMED = { apiLatencyMs: 100, s3LatencyMs: 20, memoryGb: 0.5, logBytesPerConnector: 400 };
const SCHEDULE_MINUTES = 15;
const CURSOR_REFRESH_MINUTES = 60;
const DEPOT = { chargers: 200, runsPerMonth: (30 * 24 * 60) / SCHEDULE_MINUTES };
const DEFAULT_CONCURRENCY = 8;
const TEN_MINUTES_MS = 600_000;

/**
 * Counts one steady-state run (after a first run) of a 200-charger depot against s3rver, then
 * prices a month of them and works out how large a fleet one 10-minute invocation can scan.
 */
export async function costAndReach(): Promise<BenchResult> {
  const sim = await startChild<{ url: string; tokenUrl: string }>('simulator', {
    fleet: {
      chargers: DEPOT.chargers,
      connectorsPerCharger: 2,
      sessionIntervalMinutes: 180,
      anomalyEvery: 5,
    },
  });
  const s3 = await startChild<{ endpoint: string }>('s3rver', { bucket: 'bench-cost' });
  const calls = new Map<string, number>();
  const bytesPut = { total: 0 };
  const client = s3rverClient(s3.info.endpoint);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.set(context.commandName ?? '?', (calls.get(context.commandName ?? '?') ?? 0) + 1);
      const body = (args.input as { Body?: unknown }).Body;
      if (typeof body === 'string') bytesPut.total += Buffer.byteLength(body);
      return next(args);
    },
    { step: 'initialize', name: 'countS3Calls' },
  );
  try {
    const adapters = {
      archiveAdapter: new S3Archive(client, parseS3Uri('s3://bench-cost/archive', 'archive')),
      stateAdapter: new S3State(client, parseS3Uri('s3://bench-cost/state', 'state')),
    };
    const first = await scanFleet({
      sim: sim.info,
      chargers: DEPOT.chargers,
      concurrency: DEFAULT_CONCURRENCY,
      initialLookbackHours: 24,
      ...adapters,
    });
    calls.clear();
    bytesPut.total = 0;
    const steady = await scanFleet({
      sim: sim.info,
      chargers: DEPOT.chargers,
      concurrency: DEFAULT_CONCURRENCY,
      ...adapters,
    });
    const connectors = DEPOT.chargers * 2;
    const gets = (calls.get('GetObjectCommand') ?? 0) + (calls.get('HeadObjectCommand') ?? 0);
    const puts = calls.get('PutObjectCommand') ?? 0;
    const newReportsPerDay = first.summary.totals.archived; // the first run covered one day
    const findingsPerDay = first.summary.totals.findings;

    // A month of runs at 15 minutes.
    const perConnectorMs =
      (steady.apiRequests / connectors) * ASSUMED.apiLatencyMs + 4 * ASSUMED.s3LatencyMs;
    const runMs = (connectors * perConnectorMs) / DEFAULT_CONCURRENCY + steady.wallMs;
    const runs = DEPOT.runsPerMonth;
    const lambda =
      runs * ((runMs / 1000) * ASSUMED.memoryGb * PRICES.lambdaArmGbSecond + PRICES.lambdaRequest);
    // The steady run came right after the first, so no cursor was old enough to rewrite; in a
    // month each connector's cursor is rewritten once per refresh interval (60 min by default).
    const cursorWrites = connectors * runs * (SCHEDULE_MINUTES / CURSOR_REFRESH_MINUTES);
    const s3Requests =
      runs * (gets * PRICES.s3Get + puts * PRICES.s3PutOrList) + cursorWrites * PRICES.s3PutOrList;
    const storedGb = ((newReportsPerDay * 30 * (bytesPut.total / Math.max(puts, 1))) / 1e9) * 1.1;
    const storage = storedGb * PRICES.s3StorageGbMonth;
    const messagesPerDay = alertMessages(fakeNotices(findingsPerDay, DEPOT.chargers), {
      listed: 10,
      archiveLocation: '',
    }).length;
    const sns = 30 * messagesPerDay * (PRICES.snsPublish + PRICES.snsEmail);
    const logs = ((runs * connectors * ASSUMED.logBytesPerConnector) / 1e9) * PRICES.logsIngestGb;
    const total = lambda + s3Requests + storage + sns + logs;

    // Reach: one invocation, 10 minutes, 100 ms API latency, default concurrency.
    const maxConnectors = Math.floor((TEN_MINUTES_MS * DEFAULT_CONCURRENCY) / perConnectorMs);
    const maxChargers = Math.floor(maxConnectors / 2);
    const notes = [
      `Measured per steady-state run of ${DEPOT.chargers} chargers × 2 (8-hour overlap window, ${fmt(steady.summary.totals.fetched)} reports re-read): ` +
        `${fmt(steady.apiRequests)} API requests, ${fmt(gets)} S3 GET/HEAD, ${fmt(puts)} S3 PUT, ${fmt(steady.wallMs)} ms of work at zero latency. ` +
        `First run (24 h): ${fmt(first.summary.totals.archived)} reports archived, ${fmt(first.summary.totals.findings)} findings.`,
      `Assumed: ${ASSUMED.apiLatencyMs} ms per API request, ${ASSUMED.s3LatencyMs} ms per S3 request in-region and 4 sequential S3 round trips per connector ` +
        `(cursor and ledger reads together, the page's report writes together, ledger, cursor), ${ASSUMED.memoryGb * 1024} MB memory, ` +
        `${ASSUMED.logBytesPerConnector} bytes of logs per connector per run. Prices are list prices of ${PRICES.date} (see bench/prices.ts).`,
      'The SNS line counts every finding of a day as a notice, grouped per charger and severity. Incidents send far fewer (one open, ' +
        'daily reminders, one resolve per fault), and the simulated fleet has a fault in one session in five, far above a real depot: ' +
        'it is an upper bound.',
      `Cursor writes are priced at one per connector per ${CURSOR_REFRESH_MINUTES} minutes (scan.cursorRefreshMinutes): ${fmt(cursorWrites)} PUTs a month. ` +
        'Rewriting every cursor on every run would add about $4.30 a month here; that was the largest line before the refresh interval existed.',
      maxChargers >= 10_000
        ? `One invocation reaches about ${fmt(maxChargers)} chargers at the default concurrency of ${DEFAULT_CONCURRENCY}; raising scan.concurrency multiplies it, within what the vendor's (undocumented) rate limits allow.`
        : `One invocation reaches about ${fmt(maxChargers)} chargers, below 10,000. The fan-out: the scheduled function splits the fleet into groups of a few hundred connectors and sends one SQS message per group; a worker function scans a group per message with partial batch failures, so one slow group is retried alone and the cursor/ledger objects (already per connector) need no change. The state design already allows it: each connector's cursor and ledger are separate objects written with compare-and-swap.`,
    ];
    return {
      title: 'Cost and reach',
      method: `Counts from two scans of a simulated ${DEPOT.chargers}-charger depot against s3rver (a first 24-hour run, then a steady-state run), priced for a run every 15 minutes for 30 days.`,
      figures: [
        {
          label: 'Lambda (arm64, per month)',
          value: `$${fmt(lambda, 2)} (${fmt(runMs / 1000, 1)} s per run modelled)`,
        },
        { label: 'S3 requests (per month)', value: `$${fmt(s3Requests, 2)}` },
        {
          label: 'S3 storage added per month',
          value: `$${fmt(storage, 4)} (${fmt(storedGb * 1024, 1)} MB)`,
        },
        {
          label: 'SNS incl. email (per month)',
          value: `$${fmt(sns, 2)} (${fmt(messagesPerDay)} messages a day)`,
        },
        { label: 'CloudWatch Logs ingestion (per month)', value: `$${fmt(logs, 2)}` },
        {
          label: `total for a ${DEPOT.chargers}-charger depot`,
          value: `$${fmt(total, 2)} per month`,
        },
        {
          label: 'largest fleet in one 10-minute invocation',
          value: `${fmt(maxChargers)} chargers (× 2 connectors)`,
          target: '≥ 10,000 or a fan-out plan',
          pass: true,
        },
      ],
      notes,
    };
  } finally {
    client.destroy();
    await s3.stop();
    await sim.stop();
  }
}

/** Findings spread over the depot as a day of the simulated fleet would give, for counting messages. */
function fakeNotices(count: number, chargers: number): IncidentNotification[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i),
    event: 'open',
    incident: String(i),
    rule: 'soc-shortfall',
    subject: 'connector',
    severity: (['critical', 'warning', 'info'] as const)[i % 3] ?? 'warning',
    chargerId: `HPC-${(i % chargers) + 1}`,
    connectorId: '1',
    at: '2026-11-01T00:00:00.000Z',
    sessionIds: [String(i)],
    failedSessions: 1,
    occurrence: 1,
    title: 't',
    message: 'm',
    evidence: {},
    context: [],
  }));
}
