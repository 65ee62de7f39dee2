import { STATE_VERSIONS_KEPT_DAYS } from '../infra/constructs/archive-buckets.ts';
import { type CpuSample, cpuMs, meanSample } from './cost-probe.ts';
import { type HandlerRun, handlerSeries, SENDERS } from './cost-runs.ts';
import { s3RequestCpu } from './cost-s3-cpu.ts';
import { type StackInventory, stackInventory } from './cost-stack.ts';
import { type BenchResult, type Figure, fmt, typical } from './harness.ts';
import { PRICES } from './prices.ts';

/** What BENCHMARKS.md says under "Cost and reach", below its figures. */
const NOTES = [
  "The headline bill is priced at one faulty session in fifty, which a working depot does not exceed often; the simulator's one in five only raises the SNS, incident-history and KMS-request lines, shown as an upper bound.",
  "Prices are list prices of 2026-11-01 without free tiers (bench/prices.ts), except the dashboard, priced as one of the account's three free ones ($3 a month more in an account that has three already, or $0 with -c dashboard=false).",
  'The fixed lines were each cut against the budget with what the cut gives up written in docs/deploy.md#cost: no customer-managed KMS key, six alarms reading seven metrics, one custom metric, and the credentials secret kept.',
];

/** Assumptions that no local measurement can give, each named in a note. */
const ASSUMED = {
  apiLatencyMs: 100,
  s3LatencyMs: 20,
  /** Sequential S3 round trips per connector: state reads, the page's writes, record, cursor. */
  s3RoundTripsPerConnector: 4,
  /** Lambda's platform.start and platform.report lines per invocation (JSON log format). */
  platformLogBytes: 450,
  /** The handler's import, billed on a cold start; every run is taken as cold (15 minutes apart). */
  initMs: 170,
  /** One S3 server access log record. */
  accessLogRecordBytes: 350,
  /** KMS requests SNS makes per run that publishes (a data key, reused for 5 minutes). */
  kmsRequestsPerPublishingRun: 2,
  /** Bytes out to the DepotFinity API per request (headers and the token form). */
  apiRequestBytesOut: 600,
};
const CHARGERS = 200;
const SCHEDULE_MINUTES = 15;
const RUNS_PER_MONTH = (30 * 24 * 60) / SCHEDULE_MINUTES;
/** Runs counted after a first 24-hour run: one cursor refresh cycle (60 minutes at 15). */
const STEADY_RUNS = 4;
/**
 * Runs the bill counts after the first: one 180-minute session slot of the simulator, so each
 * connector's session, faulty or not, is fetched once and the fault rate is the one set.
 */
const BILL_STEADY_RUNS = 12;
/** One faulty session in this many: a realistic depot (the headline), and the simulator's busy one. */
const REALISTIC_FAULT_EVERY = 50;
const BUSY_FAULT_EVERY = 5;
const FIRST_RUN = '2026-11-02T06:00:00.000Z';
const CONCURRENCY = 8;
const TEN_MINUTES_MS = 600_000;
/** A Lambda function's CPU share: one vCPU at 1,769 MB, in proportion below. */
const VCPU_PER_MB = 1 / 1769;
const LATENCY_FOR_CPU_MS = 50;
/**
 * Series of each latency for the CPU figures, taken in turn: ten, so that the mean of the middle
 * 80 % leaves out the slowest and the fastest of each.
 */
const CPU_ROUNDS = 10;
const TARGET_MONTHLY = 3;

interface Line {
  label: string;
  dollars: number;
  detail: string;
  /** A line that does not depend on the runs: resources the stack holds, billed by the month. */
  fixed: boolean;
}

/**
 * The whole monthly bill of a 200-charger depot scanned every 15 minutes, from what the
 * deployed handler does in steady-state runs on a fixed clock (S3 requests by sender, log
 * bytes, EMF metrics, SNS deliveries, secret reads) at a realistic fault rate and at the
 * simulator's busy one, and what the synthesized stack holds (alarms, keys, secrets,
 * schedules); then how large a fleet one 10-minute invocation can scan, bounded by the network
 * and by the CPU a 512 MB function gets.
 */
export async function costAndReach(): Promise<BenchResult> {
  const stack = stackInventory();
  const series = (apiLatencyMs: number, round = 0, faultEvery = BUSY_FAULT_EVERY) =>
    handlerSeries({
      chargers: CHARGERS,
      apiLatencyMs,
      root: `latency-${apiLatencyMs}-${round}-faults-${faultEvery}`,
      firstRunIso: FIRST_RUN,
      everyMinutes: SCHEDULE_MINUTES,
      steadyRuns: round === 0 ? BILL_STEADY_RUNS : STEADY_RUNS,
      faultEvery,
    });
  // The bills come from the first two zero-latency series, one per fault rate. They are also
  // the first handler code this process runs, so their CPU includes compiling it and is left
  // out. CPU comes from the series after them, the two latencies taken in turn so that a slow
  // stretch of the machine touches both alike. A series' steady runs are one cursor refresh
  // cycle and do different work, so a series' CPU is the mean of its runs, and a latency's the
  // mean of its middle 80 % of series.
  const realistic = await series(0, 0, REALISTIC_FAULT_EVERY);
  const busy = await series(0, 0, BUSY_FAULT_EVERY);
  const cpuSeries = { zero: [] as CpuSample[], slow: [] as CpuSample[] };
  for (let round = 1; round <= CPU_ROUNDS; round++) {
    cpuSeries.zero.push(perSeries(await series(0, round)));
    cpuSeries.slow.push(perSeries(await series(LATENCY_FOR_CPU_MS, round)));
  }
  const meanReportBytes =
    busy.reduce((n, r) => n + r.reportBytes, 0) /
    Math.max(
      1,
      sum(busy, (r) => r.archived),
    );
  const s3Cpu = await s3RequestCpu(1_000, Math.round(meanReportBytes) || 2_000);

  const connectors = CHARGERS * 2;
  const perRun = (runs: readonly HandlerRun[], f: (r: HandlerRun) => number) =>
    sum(runs, f) / runs.length;

  // CPU: the scan's, per connector, at zero and at 50 ms API latency; the larger one prices.
  const cpuZeroMs = typical(cpuSeries.zero, cpuMs);
  const cpuSlowMs = typical(cpuSeries.slow, cpuMs);
  const perConnectorCpuMs = Math.max(cpuZeroMs, cpuSlowMs) / connectors;
  const vcpu = stack.scanMemoryMb * VCPU_PER_MB;
  const s3PerConnector = perRun(busy, totalRequests) / connectors;
  const apiPerConnector = perRun(busy, (r) => r.apiRequests) / connectors;
  const networkMsPerConnector =
    apiPerConnector * ASSUMED.apiLatencyMs + ASSUMED.s3RoundTripsPerConnector * ASSUMED.s3LatencyMs;
  const runMs = Math.max(
    (connectors * networkMsPerConnector) / CONCURRENCY,
    (connectors * perConnectorCpuMs) / vcpu,
  );

  const lines = monthlyBill(realistic, stack, runMs);
  const busyLines = monthlyBill(busy, stack, runMs);
  const total = sum(lines, (l) => l.dollars);
  const busyTotal = sum(busyLines, (l) => l.dollars);
  const fixed = sum(
    lines.filter((l) => l.fixed),
    (l) => l.dollars,
  );
  const snsOf = (bill: readonly Line[]) =>
    bill.find((l) => l.label.startsWith('SNS'))?.dollars ?? 0;
  const faultyShare = (every: number) => `one faulty session in ${every}`;

  // Reach: the smaller of what the network and what the CPU allow in 10 minutes.
  const networkConnectors = Math.floor((TEN_MINUTES_MS * CONCURRENCY) / networkMsPerConnector);
  const cpuConnectors = Math.floor((TEN_MINUTES_MS * vcpu) / perConnectorCpuMs);
  const reachChargers = Math.floor(Math.min(networkConnectors, cpuConnectors) / 2);
  const s3CpuPerConnector = s3PerConnector * ((s3Cpu.putMs + s3Cpu.headMs) / 2);

  // The state's share: one document read and one or two writes a run, whatever the fleet.
  const stateDollars = sum(
    lines.filter((l) => l.label.startsWith('S3 requests: state/') || l.label.includes('old state')),
    (l) => l.dollars,
  );
  const beyondNewObjects = busy.map((r) => totalRequests(r) - createdObjects(r));
  const worstRun = Math.max(...beyondNewObjects);

  const figures: Figure[] = [
    ...lines.map((l) => ({ label: l.label, value: `$${fmt(l.dollars, 3)} (${l.detail})` })),
    {
      label: 'S3 requests a run beyond one per new object',
      value: `${fmt(worstRun)} at most (${beyondNewObjects.join(', ')} in the busy steady runs; a new object is a report, a quarantined report with its reason, or a history file)`,
      target: '≤ 4',
      pass: worstRun <= 4,
      ratio: worstRun,
    },
    {
      label: 'the state’s lines of the bill',
      value: `$${fmt(stateDollars, 3)} a month (requests under state/ and its old versions kept)`,
      target: '≤ $0.20 a month',
      pass: stateDollars <= 0.2,
      ratio: stateDollars,
    },
    {
      label: `total for a ${CHARGERS}-charger depot, every 15 minutes, ${faultyShare(REALISTIC_FAULT_EVERY)}`,
      value: `$${fmt(total, 2)} a month ($${fmt(fixed, 2)} of it fixed whatever the runs; SNS $${fmt(snsOf(lines), 2)})`,
      target: `≤ $${TARGET_MONTHLY} a month all-in`,
      pass: total <= TARGET_MONTHLY,
      ratio: total,
    },
    {
      label: `upper bound: the same at the simulator's ${faultyShare(BUSY_FAULT_EVERY)}`,
      value: `$${fmt(busyTotal, 2)} a month (SNS $${fmt(snsOf(busyLines), 2)}; every other line as above within $${fmt(busyTotal - total - (snsOf(busyLines) - snsOf(lines)), 2)})`,
      ratio: busyTotal,
    },
    {
      label: 'scan CPU per connector, zero / 50 ms API latency',
      value: `${fmt(cpuZeroMs / connectors, 2)} ms / ${fmt(cpuSlowMs / connectors, 2)} ms (user + system, mean of the middle 80 % of ${CPU_ROUNDS} series; ratio ${fmt(cpuSlowMs / cpuZeroMs, 2)}; series ${spread(cpuSeries.zero, connectors)} / ${spread(cpuSeries.slow, connectors)}; each round's own ratio ${cpuSeries.slow.map((slow, i) => fmt(cpuMs(slow) / cpuMs(cpuSeries.zero[i] as CpuSample), 2)).join(', ')})`,
      ratio: cpuSlowMs / cpuZeroMs,
    },
    {
      label: 'SDK CPU per S3 request, PUT / HEAD',
      value: `${fmt(s3Cpu.putMs, 2)} ms / ${fmt(s3Cpu.headMs, 2)} ms (${fmt(s3PerConnector, 2)} requests a connector: ${fmt(s3CpuPerConnector, 2)} ms of it)`,
    },
    {
      label: 'largest fleet in one 10-minute invocation',
      value: `${fmt(reachChargers)} chargers (network ${fmt(Math.floor(networkConnectors / 2))}, CPU at ${fmt(vcpu, 2)} vCPU ${fmt(Math.floor(cpuConnectors / 2))})`,
      target: '≥ 10,000 or a fan-out plan',
      pass: true,
      ratio: reachChargers,
    },
  ];
  const notes = NOTES;
  return {
    title: 'Cost and reach',
    method: `The whole monthly bill of a ${CHARGERS}-charger × 2 depot scanned every 15 minutes (${fmt(RUNS_PER_MONTH)} runs in 30 days): every request, byte and metric counted from the deployed handler's steady-state runs on a fixed clock, ${BILL_STEADY_RUNS} runs after a first 24-hour one (one 180-minute session slot, so every connector's session is fetched once), measured twice, at ${faultyShare(REALISTIC_FAULT_EVERY)} (the headline) and at the simulator's ${faultyShare(BUSY_FAULT_EVERY)} (the upper bound); every resource counted in the synthesized stack; then the largest fleet one invocation can scan.`,
    figures,
    notes,
  };
}

/**
 * Every line of one month's bill from a series of steady runs (scaled to a month), the
 * synthesized stack's resources and the modelled run time.
 */
function monthlyBill(runs: readonly HandlerRun[], stack: StackInventory, runMs: number): Line[] {
  const perRun = (f: (r: HandlerRun) => number) => sum(runs, f) / runs.length;
  const month = (f: (r: HandlerRun) => number) => perRun(f) * RUNS_PER_MONTH;
  const requests = (prefix: string, kinds: ('GET' | 'HEAD' | 'PUT' | 'LIST')[]) =>
    month((r) => kinds.reduce((n, k) => n + (r.s3.get(prefix)?.requests[k] ?? 0), 0));
  const gb = stack.scanMemoryMb / 1024;
  const lines: Line[] = [];
  const line = (label: string, dollars: number, detail: string, fixed = false) =>
    lines.push({ label, dollars, detail, fixed });
  line('Lambda requests', RUNS_PER_MONTH * PRICES.lambdaRequest, `${fmt(RUNS_PER_MONTH)} runs`);
  line(
    `Lambda GB-seconds (${stack.scanArchitecture}, ${stack.scanMemoryMb} MB)`,
    RUNS_PER_MONTH * ((runMs + ASSUMED.initMs) / 1000) * gb * PRICES.lambdaArmGbSecond,
    `${fmt((runMs + ASSUMED.initMs) / 1000, 1)} s a run modelled`,
  );
  for (const prefix of [...SENDERS, 'other']) {
    const gets = requests(prefix, ['GET', 'HEAD']);
    const puts = requests(prefix, ['PUT', 'LIST']);
    if (gets + puts === 0) continue;
    line(
      `S3 requests: ${prefix === 'other' ? 'other keys' : prefix}`,
      gets * PRICES.s3Get + puts * PRICES.s3PutOrList,
      `${fmt(gets)} GET/HEAD + ${fmt(puts)} PUT/LIST`,
    );
  }
  // Storage: what is kept for good grows each month; state is rewritten in place, and its old
  // versions are kept a day (the archive bucket is versioned; S3 expires them once a day, so a
  // version lives up to a day more).
  const keptBytes = month((r) =>
    ['archive/reports/', 'archive/quarantine/', 'archive/incidents/'].reduce(
      (n, p) => n + (r.s3.get(p)?.bytesPut ?? 0),
      0,
    ),
  );
  const stateVersionBytes =
    (STATE_VERSIONS_KEPT_DAYS + 1) *
    (RUNS_PER_MONTH / 30) *
    perRun((r) =>
      [...SENDERS.filter((p) => p.startsWith('state/')), 'other'].reduce(
        (n, p) => n + (r.s3.get(p)?.bytesPut ?? 0),
        0,
      ),
    );
  const accessLogBytes = month(totalRequests) * ASSUMED.accessLogRecordBytes;
  line(
    'S3 storage: archive added this month',
    (keptBytes / 1e9) * PRICES.s3StorageGbMonth,
    `${fmt(keptBytes / 1e6, 1)} MB a month, kept for good: each month adds this much to the bill`,
  );
  line(
    `S3 storage: old state versions (${STATE_VERSIONS_KEPT_DAYS} day)`,
    (stateVersionBytes / 1e9) * PRICES.s3StorageGbMonth,
    `${fmt(stateVersionBytes / 1e6, 1)} MB held`,
  );
  line(
    'S3 storage: server access logs added',
    (accessLogBytes / 1e9) * PRICES.s3StorageGbMonth,
    `${fmt(accessLogBytes / 1e6, 1)} MB a month, kept 400 days`,
  );
  const publishes = month((r) => r.sns.billedPublishes);
  const emails = month((r) => r.sns.emails);
  const https = month((r) => r.sns.https);
  line(
    'SNS publishes + deliveries',
    publishes * PRICES.snsPublish + emails * PRICES.snsEmail + https * PRICES.snsHttps,
    `${fmt(publishes)} publishes, ${fmt(emails)} emails, ${fmt(https)} HTTPS (Slack)`,
  );
  const logBytes = month((r) => r.logBytes) + RUNS_PER_MONTH * ASSUMED.platformLogBytes;
  line(
    'CloudWatch Logs ingestion',
    (logBytes / 1e9) * PRICES.logsIngestGb,
    `${fmt(logBytes / 1e6, 1)} MB a month (${fmt(perRun((r) => r.logBytes))} bytes a run from the handler)`,
  );
  const heldLogBytes =
    month((r) => r.logGzipBytes) * (stack.logRetentionDays / 30) +
    (RUNS_PER_MONTH * ASSUMED.platformLogBytes * (stack.logRetentionDays / 30)) / 3;
  line(
    'CloudWatch Logs storage',
    (heldLogBytes / 1e9) * PRICES.logsStorageGbMonth,
    `${fmt(heldLogBytes / 1e6, 1)} MB compressed, ${stack.logRetentionDays} days kept`,
  );
  const pairs = new Set(runs.flatMap((r) => [...r.metricPairs]));
  line(
    'CloudWatch custom metrics',
    pairs.size * PRICES.cwCustomMetricMonth,
    `${pairs.size} metric × dimension pair: the heartbeat; failed connectors are a log field`,
    true,
  );
  line(
    'CloudWatch alarms',
    stack.alarmMetrics * PRICES.cwStandardAlarmMonth,
    `${stack.alarms} standard alarms reading ${stack.alarmMetrics} metrics; no throttle or failing-connector alarm (the error alarm fires on a failed connector's run)`,
    true,
  );
  const paidDashboards = Math.max(0, stack.dashboards - PRICES.cwFreeDashboards);
  line(
    'CloudWatch dashboard',
    paidDashboards * PRICES.cwDashboardMonth,
    `${stack.dashboards} dashboard, taken as one of the account's ${PRICES.cwFreeDashboards} free ones; $${PRICES.cwDashboardMonth} a month in an account that has ${PRICES.cwFreeDashboards} already, $0 with -c dashboard=false`,
    true,
  );
  const secretCalls = month((r) => r.extension.secret);
  line(
    'Secrets Manager',
    stack.secrets * PRICES.secretMonth + secretCalls * PRICES.secretApiCall,
    `${stack.secrets} secret, ${fmt(secretCalls)} reads; kept: a SecureString parameter would save $0.40 but CloudFormation cannot create one`,
    true,
  );
  const kmsRequests =
    RUNS_PER_MONTH *
    (runs.filter((r) => r.sns.publishes > 0).length / runs.length) *
    ASSUMED.kmsRequestsPerPublishingRun;
  line(
    'KMS',
    stack.kmsKeys * PRICES.kmsKeyMonth + kmsRequests * PRICES.kmsRequest,
    `${stack.kmsKeys} customer-managed keys: the alert topics use alias/aws/sns, the alarm topic none; ${fmt(kmsRequests)} requests`,
    true,
  );
  line(
    'SSM parameter',
    stack.standardParameters * PRICES.ssmStandardParameterMonth +
      stack.advancedParameters * PRICES.ssmAdvancedParameterMonth,
    `${stack.standardParameters} standard, ${stack.advancedParameters} advanced; ${fmt(month((r) => r.extension.parameter))} reads, standard throughput`,
    true,
  );
  line(
    'EventBridge Scheduler',
    RUNS_PER_MONTH * PRICES.schedulerInvocation,
    `${stack.schedules} schedules; the scan's ${fmt(RUNS_PER_MONTH)} invocations (the weekly report's 4 too few to show)`,
  );
  line(
    'SQS dead-letter queues',
    0,
    `${stack.queues} queues, no requests while nothing fails (alarms read their CloudWatch metrics)`,
  );
  const bytesOut = month((r) => r.apiRequests) * ASSUMED.apiRequestBytesOut;
  line(
    'Data transfer',
    (bytesOut / 1e9) * PRICES.transferOutGb,
    `${fmt(bytesOut / 1e6, 1)} MB out to the API; API responses in and S3 in-region are free`,
  );
  return lines;
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((n, item) => n + f(item), 0);
}

function totalRequests(run: HandlerRun): number {
  let n = 0;
  for (const tally of run.s3.values())
    n += Object.values(tally.requests).reduce((a, b) => a + b, 0);
  return n;
}

/** The new archive objects a run made: reports, quarantined ones with their reasons, history files. */
function createdObjects(run: HandlerRun): number {
  // Reports counted by what the run archived anew, not by its PUTs: a PUT of a report already
  // there is a request beyond one per new object.
  return (
    run.archived +
    ['archive/quarantine/', 'archive/incidents/'].reduce(
      (n, prefix) => n + (run.s3.get(prefix)?.requests.PUT ?? 0),
      0,
    )
  );
}

/** The mean CPU of a series' steady runs. */
function perSeries(runs: readonly HandlerRun[]): CpuSample {
  return meanSample(runs.map((r) => r.cpu));
}

/** The least and most CPU per connector of a latency's series, e.g. `3.62–4.91 ms`. */
function spread(samples: readonly CpuSample[], connectors: number): string {
  const perConnector = samples.map((s) => cpuMs(s) / connectors);
  return `${fmt(Math.min(...perConnector), 2)}–${fmt(Math.max(...perConnector), 2)} ms`;
}
