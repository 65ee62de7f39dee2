import { type CpuSample, cpuMs, meanSample, medianSample } from './cost-probe.ts';
import { type HandlerRun, handlerSeries, SENDERS } from './cost-runs.ts';
import { s3RequestCpu } from './cost-s3-cpu.ts';
import { DEPLOYMENT_CONTEXT, stackInventory } from './cost-stack.ts';
import { type BenchResult, type Figure, fmt, typical } from './harness.ts';
import { PRICES } from './prices.ts';

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
/** What the handler emitted before metrics were cut to the alarmed ones: 11 metrics, and one per rule that fired. */
const METRICS_BEFORE = 11;

interface Line {
  label: string;
  dollars: number;
  detail: string;
}

/**
 * The whole monthly bill of a 200-charger depot scanned every 15 minutes, from what the
 * deployed handler does in steady-state runs on a fixed clock (S3 requests by sender, log
 * bytes, EMF metrics, SNS deliveries, secret reads) and what the synthesized stack holds
 * (alarms, keys, secrets, schedules); then how large a fleet one 10-minute invocation can scan,
 * bounded by the network and by the CPU a 512 MB function gets.
 */
export async function costAndReach(): Promise<BenchResult> {
  const stack = stackInventory();
  const series = (apiLatencyMs: number, round = 0) =>
    handlerSeries({
      chargers: CHARGERS,
      apiLatencyMs,
      root: `latency-${apiLatencyMs}-${round}`,
      firstRunIso: FIRST_RUN,
      everyMinutes: SCHEDULE_MINUTES,
      steadyRuns: STEADY_RUNS,
    });
  // The bill comes from the first zero-latency series. It is also the first handler code this
  // process runs, so its CPU includes compiling it and is left out. CPU comes from the series
  // after it, the two latencies taken in turn so that a slow stretch of the machine touches both
  // alike. A series' steady runs are one cursor refresh cycle and do different work, so a
  // series' CPU is the mean of its runs, and a latency's the mean of its middle 80 % of series.
  const zero = await series(0);
  const cpuSeries = { zero: [] as CpuSample[], slow: [] as CpuSample[] };
  for (let round = 1; round <= CPU_ROUNDS; round++) {
    cpuSeries.zero.push(perSeries(await series(0, round)));
    cpuSeries.slow.push(perSeries(await series(LATENCY_FOR_CPU_MS, round)));
  }
  const meanReportBytes =
    zero.reduce((n, r) => n + r.reportBytes, 0) /
    Math.max(
      1,
      sum(zero, (r) => r.archived),
    );
  const s3Cpu = await s3RequestCpu(1_000, Math.round(meanReportBytes) || 2_000);

  const perRun = (f: (r: HandlerRun) => number) => sum(zero, f) / zero.length;
  const month = (f: (r: HandlerRun) => number) => perRun(f) * RUNS_PER_MONTH;
  const connectors = CHARGERS * 2;
  const requests = (prefix: string, kinds: ('GET' | 'HEAD' | 'PUT' | 'LIST')[]) =>
    month((r) => kinds.reduce((n, k) => n + (r.s3.get(prefix)?.requests[k] ?? 0), 0));
  const everySender = [...SENDERS, 'other'];

  // CPU: the scan's, per connector, at zero and at 50 ms API latency; the larger one prices.
  const cpuZeroMs = typical(cpuSeries.zero, cpuMs);
  const cpuSlowMs = typical(cpuSeries.slow, cpuMs);
  const perConnectorCpuMs = Math.max(cpuZeroMs, cpuSlowMs) / connectors;
  const vcpu = stack.scanMemoryMb * VCPU_PER_MB;
  const s3PerConnector = perRun((r) => totalRequests(r)) / connectors;
  const apiPerConnector = perRun((r) => r.apiRequests) / connectors;
  const networkMsPerConnector =
    apiPerConnector * ASSUMED.apiLatencyMs + ASSUMED.s3RoundTripsPerConnector * ASSUMED.s3LatencyMs;
  const runMs = Math.max(
    (connectors * networkMsPerConnector) / CONCURRENCY,
    (connectors * perConnectorCpuMs) / vcpu,
  );

  const gb = stack.scanMemoryMb / 1024;
  const lines: Line[] = [];
  const line = (label: string, dollars: number, detail: string) =>
    lines.push({ label, dollars, detail });
  line('Lambda requests', RUNS_PER_MONTH * PRICES.lambdaRequest, `${fmt(RUNS_PER_MONTH)} runs`);
  line(
    `Lambda GB-seconds (${stack.scanArchitecture}, ${stack.scanMemoryMb} MB)`,
    RUNS_PER_MONTH * ((runMs + ASSUMED.initMs) / 1000) * gb * PRICES.lambdaArmGbSecond,
    `${fmt((runMs + ASSUMED.initMs) / 1000, 1)} s a run modelled`,
  );
  for (const prefix of everySender) {
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
  // versions are kept 30 days (the archive bucket is versioned).
  const keptBytes = month((r) =>
    ['archive/reports/', 'archive/quarantine/', 'archive/incidents/'].reduce(
      (n, p) => n + (r.s3.get(p)?.bytesPut ?? 0),
      0,
    ),
  );
  const stateVersionBytes = month((r) =>
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
    'S3 storage: old state versions (30 days)',
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
  const pairs = new Set(zero.flatMap((r) => [...r.metricPairs]));
  line(
    'CloudWatch custom metrics',
    pairs.size * PRICES.cwCustomMetricMonth,
    `${pairs.size} metric × dimension pairs`,
  );
  line(
    'CloudWatch alarms',
    stack.alarms * PRICES.cwStandardAlarmMonth + stack.dashboards * PRICES.cwDashboardMonth,
    `${stack.alarms} standard alarms, ${stack.dashboards} dashboards`,
  );
  const secretCalls = month((r) => r.extension.secret);
  line(
    'Secrets Manager',
    stack.secrets * PRICES.secretMonth + secretCalls * PRICES.secretApiCall,
    `${stack.secrets} secret, ${fmt(secretCalls)} reads`,
  );
  const kmsRequests =
    RUNS_PER_MONTH *
    (zero.filter((r) => r.sns.publishes > 0).length / zero.length) *
    ASSUMED.kmsRequestsPerPublishingRun;
  line(
    'KMS customer-managed keys',
    stack.kmsKeys * PRICES.kmsKeyMonth + kmsRequests * PRICES.kmsRequest,
    `${stack.kmsKeys} key (the alert topics), ${fmt(kmsRequests)} requests`,
  );
  line(
    'SSM parameter',
    stack.standardParameters * PRICES.ssmStandardParameterMonth +
      stack.advancedParameters * PRICES.ssmAdvancedParameterMonth,
    `${stack.standardParameters} standard, ${stack.advancedParameters} advanced; ${fmt(month((r) => r.extension.parameter))} reads, standard throughput`,
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
  const total = lines.reduce((n, l) => n + l.dollars, 0);
  const rulesFired = new Set(zero.flatMap((r) => r.rules)).size;
  const metricsBefore = METRICS_BEFORE + rulesFired;
  const metricsLine = lines.find((l) => l.label === 'CloudWatch custom metrics')?.dollars ?? 0;
  const totalBefore = total - metricsLine + metricsBefore * PRICES.cwCustomMetricMonth;

  // Reach: the smaller of what the network and what the CPU allow in 10 minutes.
  const networkConnectors = Math.floor((TEN_MINUTES_MS * CONCURRENCY) / networkMsPerConnector);
  const cpuConnectors = Math.floor((TEN_MINUTES_MS * vcpu) / perConnectorCpuMs);
  const reachChargers = Math.floor(Math.min(networkConnectors, cpuConnectors) / 2);
  const s3CpuPerConnector = s3PerConnector * ((s3Cpu.putMs + s3Cpu.headMs) / 2);

  const figures: Figure[] = [
    ...lines.map((l) => ({ label: l.label, value: `$${fmt(l.dollars, 3)} (${l.detail})` })),
    {
      label: `total for a ${CHARGERS}-charger depot, every 15 minutes`,
      value: `$${fmt(total, 2)} a month (before metrics were cut: $${fmt(totalBefore, 2)}, ${metricsBefore} metrics)`,
      target: `≤ $${TARGET_MONTHLY} a month all-in`,
      pass: total <= TARGET_MONTHLY,
      ratio: total,
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
  // The bill's own lines by label: a label that matches none is a renamed line, and a note
  // quoting $0 for it would be wrong, so it stops the benchmark instead.
  const dollarsOf = (...labels: string[]) =>
    sum(labels, (label) => {
      const matched = lines.filter((l) => l.label.startsWith(label));
      if (matched.length === 0) throw new Error(`no bill line starts with "${label}"`);
      return sum(matched, (l) => l.dollars);
    });
  const fixed = dollarsOf(
    'CloudWatch custom metrics',
    'CloudWatch alarms',
    'Secrets Manager',
    'KMS customer-managed keys',
  );
  const sns = dollarsOf('SNS publishes');
  const connectorState = dollarsOf('S3 requests: state/cursors/', 'S3 requests: state/incidents/');
  const notes = [
    `Why the MISS, and what would close it: the lines that do not depend on the runs (metrics, alarms, secret, KMS key) are $${fmt(fixed, 2)} a month, ` +
      `and SNS is $${fmt(sns, 2)}, nearly all email deliveries of the simulator's notices (${fmt(publishes / RUNS_PER_MONTH, 1)} a run, from a fault in one ` +
      `session in five: a busier fleet than a depot should be). Those two alone are $${fmt(fixed + sns, 2)}, above the target before one state request. ` +
      `The largest line the product controls is each connector's state: its cursor and its incident record are read every run and written when it ` +
      `has news, $${fmt(connectorState, 2)} together. One index document per depot, read once and written once a run, with a connector's own record ` +
      'written only when it has news, would take most of that off; it is a change of the state layout and of how a run that dies halfway recovers, ' +
      'not made yet.',
    `Measured: ${STEADY_RUNS} steady-state invocations of the real handler (createScanHandler, with a Lambda context so every log line carries what the deployed one does) after a first 24-hour run, 15 minutes apart on a fixed clock (the simulator's clock and the handler's \`now\`), against s3rver and a Parameters and Secrets extension stand-in; SNS answered in process. Per run, mean: ${fmt(
      perRun((r) => r.apiRequests),
      1,
    )} API requests, ${fmt(perRun(totalRequests), 1)} S3 requests, ${fmt(
      perRun((r) => r.archived),
      1,
    )} new reports (${fmt(meanReportBytes / 1024, 2)} KiB each), ${fmt(
      perRun((r) => r.logLines),
      1,
    )} log lines of ${fmt(perRun((r) => r.logBytes))} bytes. The counts repeat from run to run: the clock is fixed and the simulator seeded.`,
    `S3 lines are by sender (key prefix) and count what the scan sends, so a request the scan stops sending leaves the bill by itself. The runs' new reports and notices come from the simulator (a session every few hours per connector, a fault in one session in five), which is busier than most depots: the S3 PUT, storage and SNS lines are upper bounds. Email deliveries follow the subscriptions' severity filters of a deployment with ${DEPLOYMENT_CONTEXT.alertEmails.length} addresses (warning+, critical) and Slack.`,
    `Stack counts come from synthesizing the stack in process (bundling skipped): ${stack.alarms} alarms, ${stack.kmsKeys} KMS key, ${stack.secrets} secret, ${stack.standardParameters + stack.advancedParameters} parameter, ${stack.schedules} schedules, ${stack.queues} queues, log retention ${stack.logRetentionDays} days. The KMS key ($1) stays: alarms can publish to an encrypted topic only through a customer-managed key whose policy admits CloudWatch.`,
    `Custom metrics: ${pairs.size} metric × dimension pairs now (${[...pairs].map((p) => p.split('|')[1]).join(', ')}: what the watchdog alarms watch; the stack has no dashboard). Before the cut the handler emitted ${METRICS_BEFORE} metrics and FindingsByRule once per rule that fired (${rulesFired} here): ${metricsBefore} pairs, $${fmt(metricsBefore * PRICES.cwCustomMetricMonth, 2)} a month. The other counts are fields of the run's log lines (the "scan finished" line carries the totals and findingsByRule; the EMF line carries apiRetries and durationMs), for Logs Insights.`,
    `Assumed: ${ASSUMED.apiLatencyMs} ms per API request and ${ASSUMED.s3LatencyMs} ms per S3 request in-region, ${ASSUMED.s3RoundTripsPerConnector} sequential S3 round trips per connector; ${ASSUMED.platformLogBytes} bytes of Lambda platform log lines and a cold ${ASSUMED.initMs} ms init per run; ${ASSUMED.accessLogRecordBytes} bytes per S3 access log record; ${ASSUMED.kmsRequestsPerPublishingRun} KMS requests per run that publishes; ${ASSUMED.apiRequestBytesOut} bytes out per API request. Logs storage is the gzip size of the handler's lines (CloudWatch stores compressed), platform lines taken at a third. Prices: list prices of ${PRICES.date}, no free tiers (see bench/prices.ts for each one's page).`,
    `Storage grows: the archive adds $${fmt((keptBytes / 1e9) * PRICES.s3StorageGbMonth, 3)} to each later month's bill, access logs until their 400 days fill ($${fmt(((accessLogBytes * 13) / 1e9) * PRICES.s3StorageGbMonth, 2)} a month then); after a year the storage lines add about $${fmt(((keptBytes * 12 + accessLogBytes * 12 + stateVersionBytes) / 1e9) * PRICES.s3StorageGbMonth, 2)} a month in all.`,
    `CPU: process.cpuUsage() (user + system, every thread of the process) of each handler run, divided by its ${connectors} connectors; the simulator and s3rver run in other processes. A series' steady runs are one cursor refresh cycle and do different work (single runs spread 3–8 ms a connector), so a series counts as the mean of its runs, and each latency's figure is the mean of the middle 80 % of its ${CPU_ROUNDS} series, the two latencies' series taken in turn (each after its own first 24-hour run), all after the bill's series, which is the first handler code the process runs and pays for compiling it. On this two-core machine beside the simulator and s3rver one series differs from the next of the same latency by up to half and more (3.7–8.2 ms a connector at zero latency in one run), so that one series of each read anywhere from 0.65 to 1.34 from one whole run to the next, and the median of five series, with the compiling one among them, read 1.02 to 1.21 in nine runs (1.02, 1.21 and 1.04 in the last three: 19 % and 14 % apart). So measured it read 1.10 (\`--only cost-and-reach\`), then 1.06 and 1.07 in two whole runs in a row, and 1.17 and 1.24 (+6 %) in the next two, on a faster machine; it is compared with the previous run's like every other ratio. What every run shows is that waiting on the API does not multiply the scan's CPU: on a fixed clock both latencies read the same reports, and the 2.3–2.6 times of earlier measurements on the wall clock does not reproduce. The median series at zero latency, per run: ${fmtCpu(medianSample(cpuSeries.zero))}; at ${LATENCY_FOR_CPU_MS} ms ${fmtCpu(medianSample(cpuSeries.slow))}. SDK CPU per S3 request is a loop of ${fmt(s3Cpu.requests)} PUTs then HEADs of ${fmt(meanReportBytes / 1024, 1)} KiB objects, 8 in flight, to s3rver over plain HTTP (on AWS TLS adds to it); s3rver itself spent ${fmt(s3Cpu.s3rverMsPerRequest, 2)} ms per request in its own process, not counted.`,
    `Reach: one 10-minute invocation is bounded by the network (${fmt(networkMsPerConnector)} ms of round trips per connector, ${CONCURRENCY} in flight) and by CPU (${fmt(perConnectorCpuMs, 2)} ms per connector, the larger of the two latencies, at ${stack.scanMemoryMb}/1769 = ${fmt(vcpu, 3)} vCPU, taking a Lambda vCPU to be as fast as a core here). ${Math.min(networkConnectors, cpuConnectors) / 2 >= 10_000 ? 'Both allow 10,000 chargers.' : 'Below 10,000 chargers: above what one invocation reaches, the stack fans the run out over shards (see Fan-out). More memory buys CPU in proportion: at 1,769 MB the CPU bound is 3.5 times higher.'}`,
  ];
  return {
    title: 'Cost and reach',
    method: `The whole monthly bill of a ${CHARGERS}-charger × 2 depot scanned every 15 minutes (${fmt(RUNS_PER_MONTH)} runs in 30 days): every request, byte and metric counted from the deployed handler's steady-state runs on a fixed clock, every resource counted in the synthesized stack; then the largest fleet one invocation can scan.`,
    figures,
    notes,
  };
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

/** The mean CPU of a series' steady runs. */
function perSeries(runs: readonly HandlerRun[]): CpuSample {
  return meanSample(runs.map((r) => r.cpu));
}

/** The least and most CPU per connector of a latency's series, e.g. `3.62–4.91 ms`. */
function spread(samples: readonly CpuSample[], connectors: number): string {
  const perConnector = samples.map((s) => cpuMs(s) / connectors);
  return `${fmt(Math.min(...perConnector), 2)}–${fmt(Math.max(...perConnector), 2)} ms`;
}

function fmtCpu(s: CpuSample): string {
  return (
    `${fmt(s.userMs)} ms user + ${fmt(s.systemMs)} ms system in ${fmt(s.wallMs)} ms wall, event loop busy ${fmt(s.loopActiveMs)} ms, ` +
    `${fmt(s.gc.minor.count, 1)} scavenges (${fmt(s.gc.minor.ms)} ms), ${fmt(s.gc.major.count + s.gc.incremental.count, 1)} mark-compact/incremental steps, ${fmt(s.socketsOpened, 1)} sockets opened`
  );
}
