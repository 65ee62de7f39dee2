import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishBatchCommand, type PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { createScanHandler } from '../../functions/lambda/scan-handler.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { startParamsAndSecrets } from './params-and-secrets.ts';
import type { LocalS3 } from './s3rver.ts';

/** An EventBridge scheduled event, as the scheduler delivers it. */
export function scheduledEvent(time = '2026-11-24T12:00:00Z'): ScheduledEvent {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'eu-west-1',
    resources: ['arn:aws:scheduler:eu-west-1:123456789012:schedule/default/depot-watch-scan'],
    detail: {},
  };
}

export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:depot-watch-alerts';
export const SECRET_ID = 'depot-watch/depotfinity-credentials';

/** Every line the function wrote (Powertools logs and EMF, stdout and stderr) while `run` ran. */
export async function capturingOutput<T>(
  run: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; lines: string[] }> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    return { result: await run(), error: undefined, lines };
  } catch (error) {
    return { result: undefined, error, lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const CONFIG_PARAMETER = '/depot-watch/config';
const running: { stop: () => Promise<void> }[] = [];

/** Stops the extension stand-ins started by lambdaAgainst. */
export async function stopStandIns(): Promise<void> {
  await Promise.all(running.splice(0).map((r) => r.stop()));
}

/**
 * The scheduled function wired as the stack deploys it, to local stand-ins: the simulator for
 * DepotFinity, s3rver for S3, a local Parameters and Secrets extension serving the config
 * parameter and the credentials secret, and SNS mocked at the SDK command level (it has no
 * local server).
 */
export async function lambdaAgainst(
  sim: DepotSimulator,
  s3: LocalS3,
  options: {
    clientSecret?: string;
    fleet?: unknown;
    scan?: Record<string, unknown>;
    now?: () => number;
    fetch?: typeof fetch;
    /** The whole scan config, instead of one built from the simulator's fleet. */
    config?: Record<string, unknown>;
    /** What the stack's credentials secret holds, as stored. Default: the simulator's client. */
    credentialsSecret?: string;
    /** More secrets the extension serves (a depot's credentials), by id. */
    secrets?: Record<string, string>;
    /** More environment (DEPOT_WATCH_SHARD_CONNECTORS). */
    env?: Record<string, string>;
    /** Keep the config in an S3 object (DEPOT_WATCH_CONFIG_OBJECT) instead of a parameter. */
    configObject?: boolean;
  } = {},
) {
  const sns = new SNSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const snsMock = mockClient(sns);
  snsMock.on(PublishBatchCommand).resolves({ Failed: [] });
  const config = options.config ?? {
    fleet:
      options.fleet ??
      sim.fleet
        .chargerIds()
        .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
    api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
    scan: { pageSize: 10, maxAttempts: 4, requestTimeoutMs: 1_000, ...options.scan },
  };
  const configKey = 'config/scan-config.json';
  if (options.configObject) await s3.put(configKey, JSON.stringify(config));
  const extension = await startParamsAndSecrets({
    parameters: { [CONFIG_PARAMETER]: JSON.stringify(config) },
    secrets: {
      ...options.secrets,
      [SECRET_ID]:
        options.credentialsSecret ??
        JSON.stringify({
          clientId: 'demo-client',
          clientSecret: options.clientSecret ?? 'demo-secret',
        }),
    },
  });
  running.push(extension);
  const handler = createScanHandler({
    env: {
      ...extension.env,
      ...(options.configObject
        ? { DEPOT_WATCH_CONFIG_OBJECT: `s3://${s3.bucket}/${configKey}` }
        : { DEPOT_WATCH_CONFIG_PARAMETER: CONFIG_PARAMETER }),
      DEPOT_WATCH_CREDENTIALS_SECRET: SECRET_ID,
      ...options.env,
      DEPOT_WATCH_ARCHIVE: `s3://${s3.bucket}/archive`,
      DEPOT_WATCH_STATE: `s3://${s3.bucket}/state`,
      DEPOT_WATCH_ALERTS: TOPIC_ARN,
    },
    s3: s3.client,
    sns,
    logger: new Logger({ serviceName: 'depot-watch' }),
    metrics: new Metrics({ namespace: 'DepotWatch', serviceName: 'depot-watch' }),
    sleep: async () => undefined,
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  /** The SNS entries of every PublishBatch call. */
  const published = () =>
    snsMock
      .commandCalls(PublishBatchCommand)
      .flatMap(
        (call) => call.args[0].input.PublishBatchRequestEntries ?? [],
      ) as (PublishBatchRequestEntry & {
      Id: string;
    })[];
  return { handler, snsMock, extension, sns, published };
}
