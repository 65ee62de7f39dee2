import { join } from 'node:path';
import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { packConfig } from '../../functions/config/packed-config.ts';
import {
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  SCAN_METRIC,
} from '../../functions/lambda/metric-names.ts';
import { ConfigObject } from './config-object.ts';
import { credentialsSecret } from './credentials-secret.ts';
import type { DepotCredentials } from './depot-credentials.ts';
import { scheduledFunction } from './function-basics.ts';

/** The most an SSM parameter (advanced tier) holds; a larger packed config goes to S3. */
export const PARAMETER_LIMIT = 8_192;

/** Where the archive and the scan state live in the bucket. */
export const ARCHIVE_PREFIX = 'archive';
export const STATE_PREFIX = 'state';

/** Props of the scan function. */
export interface ScanFunctionProps {
  readonly bucket: s3.IBucket;
  readonly topic: sns.ITopic;
  /** The scan config as JSON (fleet, api, scan, thresholds, overrides). */
  readonly configJson: string;
  /** Minutes between scans. @default 15 */
  readonly scheduleMinutes?: number;
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default 5 */
  readonly timeoutMinutes?: number;
  /** Where the config bucket's access logs go, should the config outgrow the parameter. */
  readonly accessLogs: s3.IBucket;
  /** The secrets of a config's depots, which the function may read. @default none */
  readonly depotCredentials?: DepotCredentials;
  /**
   * Invocations that may run at once: a run that fans out scans its shards side by side.
   * @default 1 (one run at a time, and no two runs overlapping)
   */
  readonly reservedConcurrency?: number;
  /**
   * Connectors a shard of a fanned-out run holds, passed to the plan step so that it splits
   * the fleet exactly as the stack sized the map and the concurrency.
   * @default none (the run is one invocation)
   */
  readonly shardConnectors?: number;
  /**
   * Whether the schedule invokes the function itself; a run that fans out is started by
   * its state machine instead.
   * @default true
   */
  readonly scheduled?: boolean;
}

/** The handler's source; the stack bundles it with the local esbuild. */
export const HANDLER_ENTRY = join(import.meta.dirname, '../../functions/lambda/scan-handler.ts');

/**
 * The scheduled scan: the function (one at a time, arm64, bundled with the SDK), its config
 * (an SSM parameter, or an S3 object once it packs to more than 8 KB) and credentials secret,
 * the schedule that runs it, and the queue where failed invocations land. Its role reaches
 * only the archive and state prefixes, the topic, the config and the secrets.
 */
export class ScanFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly credentials: secretsmanager.Secret;
  /** The config parameter, when the config fits one. */
  readonly config?: ssm.StringParameter;
  /** The config object, when the config outgrows a parameter. */
  readonly configObject?: ConfigObject;
  readonly failures: sqs.Queue;
  /** The schedule that invokes the function, unless a state machine runs it. */
  readonly schedule?: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ScanFunctionProps) {
    super(scope, id);
    this.credentials = credentialsSecret(this, 'Credentials', {
      description: 'DepotFinity client credentials: {"clientId": "...", "clientSecret": "..."}',
    });
    const packed = packConfig(props.configJson);
    let configSource: Record<string, string>;
    if (packed.length > PARAMETER_LIMIT) {
      // Plain JSON: S3 holds any size, and an operator can read what was deployed.
      this.configObject = new ConfigObject(this, 'ConfigObject', {
        body: props.configJson,
        accessLogs: props.accessLogs,
      });
      configSource = { DEPOT_WATCH_CONFIG_OBJECT: this.configObject.uri };
    } else {
      this.config = new ssm.StringParameter(this, 'Config', {
        description:
          'depot-watch scan config (fleet, thresholds), plain or gzip:base64; archive, state and alerts come from the stack',
        stringValue: packed,
        tier: packed.length > 4_096 ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
      });
      configSource = { DEPOT_WATCH_CONFIG_PARAMETER: this.config.parameterName };
    }
    // A missed run is made up by the next one: no Lambda-level retries, failures to the queue.
    const parts = scheduledFunction(this, {
      entry: HANDLER_ENTRY,
      roleDescription: 'depot-watch scan function',
      failuresReason:
        'This queue is itself the dead-letter queue for failed scheduled invocations.',
      memoryMb: props.memoryMb ?? 512,
      timeoutMinutes: props.timeoutMinutes ?? 5,
      environment: {
        ...configSource,
        ...(props.shardConnectors !== undefined
          ? { DEPOT_WATCH_SHARD_CONNECTORS: String(props.shardConnectors) }
          : {}),
        DEPOT_WATCH_CREDENTIALS_SECRET: this.credentials.secretArn,
        DEPOT_WATCH_ARCHIVE: `s3://${props.bucket.bucketName}/${ARCHIVE_PREFIX}`,
        DEPOT_WATCH_STATE: `s3://${props.bucket.bucketName}/${STATE_PREFIX}`,
        DEPOT_WATCH_ALERTS: props.topic.topicArn,
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      extra: {
        reservedConcurrentExecutions: props.reservedConcurrency ?? 1,
        // Config and credentials come through this extension's local cache, not SDK clients.
        paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
          lambda.ParamsAndSecretsVersions.V1_0_103,
          {
            cacheSize: 10,
            parameterStoreTtl: Duration.minutes(5),
            secretsManagerTtl: Duration.minutes(5),
            logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
          },
        ),
      },
    });
    this.function = parts.function;
    this.failures = parts.failures;
    this.#grant(parts.role, props);

    if (props.scheduled === false) return;
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Runs the depot-watch scan',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(props.scheduleMinutes ?? 15)),
      target: new targets.LambdaInvoke(this.function, {
        retryAttempts: 2,
        maxEventAge: Duration.minutes(props.scheduleMinutes ?? 15),
        deadLetterQueue: this.failures,
      }),
    });
  }

  /** Runs that scanned every connector (1 each) or not (0): the heartbeat. Sum over 5 minutes. */
  metricScanSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(SCAN_METRIC.succeeded, props);
  }

  /** Runs that found the credentials secret still holding its placeholder. Sum over 5 minutes. */
  metricNotConfigured(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(SCAN_METRIC.notConfigured, props);
  }

  /** One of the scan's own metrics (its namespace and service dimension). Sum over 5 minutes. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: METRICS_SERVICE },
      statistic: 'Sum',
      ...props,
    });
  }

  #grant(role: iam.Role, props: ScanFunctionProps): void {
    const { bucket } = props;
    this.configObject?.grantRead(role);
    props.depotCredentials?.grantRead(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [
          bucket.arnForObjects(`${ARCHIVE_PREFIX}/*`),
          bucket.arnForObjects(`${STATE_PREFIX}/*`),
        ],
      }),
    );
    // Without ListBucket, S3 answers 403 rather than 404 for a report not archived yet, and
    // a HEAD request carries no prefix that a condition could scope: this bucket only.
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    props.topic.grantPublish(role);
    this.credentials.grantRead(role);
    // The extension reads the config with GetParameter alone; grantRead would add
    // GetParameters, GetParameterHistory and DescribeParameters, which nothing calls.
    if (this.config) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [this.config.parameterArn],
        }),
      );
    }
    const objects = (prefix: string) =>
      `Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/${prefix}/*`;
    for (const appliesTo of [objects(ARCHIVE_PREFIX), objects(STATE_PREFIX)]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[${appliesTo}]`,
        reason:
          'One object per session report and per connector, under the archive and state prefixes only.',
      });
    }
  }
}
