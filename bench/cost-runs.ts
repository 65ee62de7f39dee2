import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type PublishBatchCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { entrySize } from '../functions/adapters/sns-alerts.ts';
import { createScanHandler } from '../functions/lambda/scan-handler.ts';
import { startParamsAndSecrets } from '../test/helpers/params-and-secrets.ts';
import { startChild } from './children.ts';
import { type CpuSample, probe } from './cost-probe.ts';
import { DEPLOYMENT_CONTEXT } from './cost-stack.ts';
import { CountingS3, type RunTally } from './fixtures/s3-request-tally.ts';
import { simulatedFleet } from './harness.ts';

/** Who sends S3 requests, by key prefix under the archive and state roots. */
export const SENDERS = [
  'archive/reports/',
  'archive/quarantine/',
  'archive/incidents/',
  'state/kpis/',
  'state/',
] as const;

/** What one invocation of the real handler sent, wrote and spent. */
export interface HandlerRun {
  s3: RunTally;
  apiRequests: number;
  /** Requests to the Parameters and Secrets extension, by path. */
  extension: { parameter: number; secret: number };
  /** stdout and stderr as the log group would receive them. */
  logBytes: number;
  logLines: number;
  logGzipBytes: number;
  /** `namespace|metric|dimension=value,...` of every metric in the run's EMF lines. */
  metricPairs: Set<string>;
  sns: { publishes: number; billedPublishes: number; emails: number; https: number };
  archived: number;
  /** Bytes of the reports archived (new ones). */
  reportBytes: number;
  /** Rules that found something this run. */
  rules: string[];
  connectors: number;
  cpu: CpuSample;
}

/** Options of a series of handler runs on a fixed clock. */
export interface HandlerSeries {
  chargers: number;
  /** Latency the simulated API adds to every request. */
  apiLatencyMs: number;
  /** Key root in the bucket, so series do not share state. */
  root: string;
  firstRunIso: string;
  everyMinutes: number;
  /** Runs counted after the first (which reads 24 hours and is not counted). */
  steadyRuns: number;
  /** One session in this many carries a fault (the simulator's `anomalyEvery`). @default 5 */
  faultEvery?: number;
}

const BUCKET = 'bench-cost';
const SEVERITIES = ['info', 'warning', 'critical'] as const;
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:depot-watch-alerts';
const FUNCTION_NAME = 'DepotWatch-ScanFunction3B1F5E6D-Q2w3E4r5T6y7';
const CONFIG_PARAMETER = '/depot-watch/config';
const SECRET_ID = 'depot-watch/depotfinity-credentials';

/**
 * Runs the deployed handler (`createScanHandler`, as the stack wires it) against a simulated
 * depot on a fixed clock and s3rver, with SNS answered in process, and measures every run:
 * S3 requests by sender, API and extension requests, the exact log bytes and EMF metrics it
 * writes, SNS publishes with their email and HTTPS deliveries, and its CPU.
 */
export async function handlerSeries(options: HandlerSeries): Promise<HandlerRun[]> {
  const first = Date.parse(options.firstRunIso);
  const sim = await startChild<{ url: string; tokenUrl: string; clockUrl: string }>(
    'clocked-simulator',
    {
      fleet: {
        chargers: options.chargers,
        connectorsPerCharger: 2,
        anomalyEvery: options.faultEvery ?? 5,
      },
      latencyMs: options.apiLatencyMs,
      nowIso: options.firstRunIso,
    },
  );
  const server = await startChild<{ endpoint: string }>('s3rver', { bucket: BUCKET });
  const s3 = new CountingS3(server.info.endpoint, SENDERS);
  const config = {
    fleet: simulatedFleet(options.chargers),
    api: { tokenUrl: sim.info.tokenUrl, baseUrl: sim.info.url },
    scan: { concurrency: 8, requestTimeoutMs: 60_000 },
  };
  const extension = await startParamsAndSecrets({
    parameters: { [CONFIG_PARAMETER]: JSON.stringify(config) },
    secrets: {
      [SECRET_ID]: JSON.stringify({ clientId: 'demo-client', clientSecret: 'demo-secret' }),
    },
  });
  const sns = new SNSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const published = { publishes: 0, billedPublishes: 0, emails: 0, https: 0 };
  sns.middlewareStack.add(
    () => async (args) => {
      const entries = (args.input as PublishBatchCommandInput).PublishBatchRequestEntries ?? [];
      for (const entry of entries) {
        published.publishes++;
        published.billedPublishes += Math.ceil(entrySize(entry) / (64 * 1024));
        const severity = entry.MessageAttributes?.severity?.StringValue ?? 'info';
        const rank = SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);
        published.emails += DEPLOYMENT_CONTEXT.alertEmails.filter(
          (e) => rank >= SEVERITIES.indexOf(e.minSeverity as (typeof SEVERITIES)[number]),
        ).length;
        published.https += DEPLOYMENT_CONTEXT.slack ? 1 : 0;
      }
      const output = {
        $metadata: {},
        Successful: entries.map((e) => ({ Id: e.Id, MessageId: e.Id })),
        Failed: [],
      };
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's handler output is generic.
      return { output, response: {} } as any;
    },
    { step: 'initialize', name: 'answerPublishInProcess' },
  );
  let apiRequests = 0;
  // Counts the extension's requests too; they are taken off below.
  const countingFetch: typeof fetch = (input, init) => {
    apiRequests++;
    return fetch(input, init);
  };
  let clock = first;
  const handler = createScanHandler({
    env: {
      ...extension.env,
      DEPOT_WATCH_CONFIG_PARAMETER: CONFIG_PARAMETER,
      DEPOT_WATCH_CREDENTIALS_SECRET: SECRET_ID,
      DEPOT_WATCH_ARCHIVE: `s3://${BUCKET}/${options.root}/archive`,
      DEPOT_WATCH_STATE: `s3://${BUCKET}/${options.root}/state`,
      DEPOT_WATCH_ALERTS: TOPIC_ARN,
    },
    s3: s3.client,
    sns,
    logger: new Logger({ serviceName: 'depot-watch' }),
    metrics: new Metrics({ namespace: 'DepotWatch', serviceName: 'depot-watch' }),
    fetch: countingFetch,
    now: () => clock,
  });
  const runs: HandlerRun[] = [];
  try {
    for (let run = 0; run <= options.steadyRuns; run++) {
      clock = first + run * options.everyMinutes * 60_000;
      const at = new Date(clock).toISOString();
      const moved = await fetch(sim.info.clockUrl, { method: 'PUT', body: at });
      if (!moved.ok) throw new Error(`simulator clock not set: ${moved.status}`);
      s3.current = new Map();
      apiRequests = 0;
      Object.assign(published, { publishes: 0, billedPublishes: 0, emails: 0, https: 0 });
      const extensionBefore = extension.requests.length;
      const output: string[] = [];
      const { result, cpu } = await probe(() =>
        capturing(output, () => handler(scheduledEvent(at), lambdaContext(run))),
      );
      const calls = extension.requests.slice(extensionBefore);
      const text = output.join('');
      runs.push({
        s3: s3.current,
        apiRequests: apiRequests - calls.length,
        extension: {
          parameter: calls.filter((p) => p.startsWith('/systemsmanager')).length,
          secret: calls.filter((p) => p.startsWith('/secretsmanager')).length,
        },
        logBytes: Buffer.byteLength(text),
        logLines: text.split('\n').filter(Boolean).length,
        logGzipBytes: gzipSync(text).length,
        metricPairs: metricPairs(text),
        sns: { ...published },
        archived: result.totals.archived,
        reportBytes: s3.current.get('archive/reports/')?.bytesPut ?? 0,
        rules: Object.keys(result.totals.findingsByRule),
        connectors: options.chargers * 2,
        cpu,
      });
    }
  } finally {
    s3.current = undefined;
    s3.client.destroy();
    sns.destroy();
    await extension.stop();
    await server.stop();
    await sim.stop();
  }
  return runs.slice(1);
}

/** Runs `work` with stdout and stderr going into `into` instead of the terminal. */
async function capturing<T>(into: string[], work: () => Promise<T>): Promise<T> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    return await work();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/**
 * A Lambda context as the runtime passes it: the Logger adds its fields (function name, ARN,
 * memory, request id, cold start) to every line, so the log bytes are the deployed ones.
 */
function lambdaContext(run: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION_NAME}`,
    memoryLimitInMB: '512',
    awsRequestId: `6f1c2a4e-9b3d-4c5e-8f7a-${String(run).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: '2026/11/02/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 5 * 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The scheduler's event for a run at `time`. */
function scheduledEvent(time: string): ScheduledEvent {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: '123456789012',
    time,
    region: 'eu-west-1',
    resources: ['arn:aws:scheduler:eu-west-1:123456789012:schedule/default/depot-watch-scan'],
    detail: {},
  };
}

/** Every metric name × dimension set in the EMF lines of `text`, as CloudWatch bills them. */
function metricPairs(text: string): Set<string> {
  const pairs = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.includes('"_aws"')) continue;
    const record = JSON.parse(line) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string }[];
        }[];
      };
    };
    for (const directive of record._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions.length ? directive.Dimensions : [[]]) {
        const dimensions = set.map((d) => `${d}=${String(record[d])}`).join(',');
        for (const metric of directive.Metrics)
          pairs.add(`${directive.Namespace}|${metric.Name}|${dimensions}`);
      }
    }
  }
  return pairs;
}
