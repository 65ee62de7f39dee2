import { join } from 'node:path';
import { Arn, ArnFormat } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_SERVICE } from '../../functions/lambda/metric-names.ts';
import type { AlertEntry } from '../../functions/notifiers/notifier.ts';
import { scheduledFunction } from './function-basics.ts';

/** Props of the notifier function. */
export interface NotifierFunctionProps {
  /** The alert topic the scan publishes to; the function subscribes to it. */
  readonly topic: sns.ITopic;
  /** The remote channels, each secret by reference only (see `deployedChannels`). */
  readonly channels: readonly AlertEntry[];
  /** The Secrets Manager secrets (names or ARNs) the channels name: the function reads exactly these. */
  readonly secretIds: readonly string[];
  /** Where the archive is (`s3://bucket/prefix`), for the reports' console links. */
  readonly archiveLocation: string;
  /** The config file a person runs `depot-watch incidents --config` with. @default none */
  readonly configName?: string;
  /** @default 256 */
  readonly memoryMb?: number;
  /**
   * Minutes for one invocation: every channel's retries, Retry-After waits included.
   * @default 3
   */
  readonly timeoutMinutes?: number;
}

/** The handler's source; the stack bundles it with the local esbuild. */
export const NOTIFIER_ENTRY = join(
  import.meta.dirname,
  '../../functions/lambda/notifier-handler.ts',
);

/**
 * Delivers the alert topic's notices to PagerDuty, Opsgenie, Teams, Slack and webhooks, so the
 * scan never waits on a third party: a small function subscribed to the topic, one invocation
 * at a time (so an incident's open and resolve, published one after the other, are delivered
 * in that order), retried twice by Lambda when a channel could not take a notice, then its
 * event goes to the `failures` queue, which the watchdog alarms on; messages SNS could not hand
 * to the function at all land there too. Its role may read exactly the channels' secrets.
 */
export class NotifierFunction extends Construct {
  readonly function: lambda.IFunction;
  /** Notices that failed for good; it should stay empty. */
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: NotifierFunctionProps) {
    super(scope, id);
    const parts = scheduledFunction(this, {
      entry: NOTIFIER_ENTRY,
      roleDescription:
        'depot-watch notifier function: delivers alerts to PagerDuty, Teams and others',
      failuresReason:
        'This queue is itself the dead-letter queue for notices the notifier could not deliver.',
      memoryMb: props.memoryMb ?? 256,
      timeoutMinutes: props.timeoutMinutes ?? 3,
      retryAttempts: 2,
      environment: {
        DEPOT_WATCH_NOTIFIERS: JSON.stringify(props.channels),
        DEPOT_WATCH_ARCHIVE_LOCATION: props.archiveLocation,
        ...(props.configName ? { DEPOT_WATCH_CONFIG_NAME: props.configName } : {}),
        POWERTOOLS_SERVICE_NAME: `${METRICS_SERVICE}-notifier`,
      },
      extra: {
        reservedConcurrentExecutions: 1,
        description: 'depot-watch: delivers alerts to PagerDuty, Opsgenie, Teams, Slack, webhooks',
      },
    });
    this.function = parts.function;
    this.failures = parts.failures;
    props.secretIds.forEach((secretId, index) => {
      this.#secret(`Secret${index}`, secretId).grantRead(parts.role);
    });
    props.topic.addSubscription(
      new subscriptions.LambdaSubscription(parts.function, { deadLetterQueue: parts.failures }),
    );
  }

  /** A secret by name (any version suffix) or by ARN, complete or partial. */
  #secret(id: string, secretId: string): secretsmanager.ISecret {
    if (!secretId.startsWith('arn:'))
      return secretsmanager.Secret.fromSecretNameV2(this, id, secretId);
    const name = Arn.split(secretId, ArnFormat.COLON_RESOURCE_NAME).resourceName ?? '';
    return /-[A-Za-z0-9]{6}$/.test(name)
      ? secretsmanager.Secret.fromSecretCompleteArn(this, id, secretId)
      : secretsmanager.Secret.fromSecretPartialArn(this, id, secretId);
  }
}
