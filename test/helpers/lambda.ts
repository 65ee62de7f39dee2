import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishBatchCommand, type PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { createScanHandler } from '../../functions/scan/handler.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
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

/**
 * The scheduled function wired to local stand-ins: the simulator for DepotFinity, s3rver for
 * S3, and SNS and Secrets Manager mocked at the SDK command level (they have no local server).
 */
export function lambdaAgainst(
  sim: DepotSimulator,
  s3: LocalS3,
  options: {
    clientSecret?: string;
    fleet?: unknown;
    scan?: Record<string, unknown>;
    now?: () => number;
    fetch?: typeof fetch;
  } = {},
) {
  const sns = new SNSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const secrets = new SecretsManagerClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const snsMock = mockClient(sns);
  snsMock.on(PublishBatchCommand).resolves({ Failed: [] });
  const secretsMock = mockClient(secrets);
  secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({
    SecretString: JSON.stringify({
      clientId: 'demo-client',
      clientSecret: options.clientSecret ?? 'demo-secret',
    }),
  });
  const config = {
    fleet:
      options.fleet ??
      sim.fleet
        .chargerIds()
        .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
    api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
    archive: `s3://${s3.bucket}/archive`,
    state: `s3://${s3.bucket}/state`,
    alerts: [TOPIC_ARN],
    scan: { pageSize: 10, maxAttempts: 4, requestTimeoutMs: 1_000, ...options.scan },
  };
  const handler = createScanHandler({
    env: { DEPOT_WATCH_CONFIG: JSON.stringify(config), DEPOT_WATCH_CREDENTIALS_SECRET: SECRET_ID },
    s3: s3.client,
    sns,
    secrets,
    ssm: new SSMClient({ region: 'eu-west-1' }),
    logger: new Logger({ serviceName: 'depot-watch' }),
    metrics: new Metrics({ namespace: 'DepotWatch', serviceName: 'depot-watch' }),
    sleep: async () => undefined,
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  /** The SNS entries of every PublishBatch call, and whether SNS accepted each. */
  const published = () =>
    snsMock
      .commandCalls(PublishBatchCommand)
      .flatMap(
        (call) => call.args[0].input.PublishBatchRequestEntries ?? [],
      ) as (PublishBatchRequestEntry & { Id: string })[];
  return { handler, snsMock, secretsMock, sns, published };
}
