import { join } from 'node:path';
import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPORT_DEFAULTS, REPORT_ENV } from '../../functions/lambda/report-settings.ts';
import { scheduledFunction } from './function-basics.ts';

/** Where rendered reports go in the archive bucket. */
export const REPORTS_PREFIX = REPORT_DEFAULTS.reportsPrefix;

/** Props of the weekly report function. */
export interface ReportFunctionProps {
  /** The archive bucket: the scan's state and archive prefixes are read, reports written. */
  readonly bucket: s3.IBucket;
  /** The topic the report's notice goes to. */
  readonly topic: sns.ITopic;
  /** What the report calls the depot. @default 'depot' */
  readonly depotName?: string;
  /**
   * When it runs: an EventBridge Scheduler `cron(...)` or `rate(...)` expression.
   * @default 'cron(0 6 ? * MON *)' (Mondays at 06:00 in `timeZone`)
   */
  readonly schedule?: string;
  /** The IANA time zone the schedule is read in. @default 'UTC' */
  readonly timeZone?: string;
  /** @default 1024 (the page is rendered in memory; more memory buys CPU) */
  readonly memoryMb?: number;
  /** @default 5 */
  readonly timeoutMinutes?: number;
}

/** The handler's source; the stack bundles it with the local esbuild. */
export const REPORT_HANDLER_ENTRY = join(
  import.meta.dirname,
  '../../functions/lambda/report-handler.ts',
);

/**
 * The weekly depot health report: a function that reads the scan's KPI rollups, incident
 * records and incident history, writes an HTML page under `health-reports/` and publishes a
 * notice with a presigned link; the schedule that runs it (cron in a time zone), and the queue
 * where failed invocations land. Its role reads only what the report shows and writes only
 * `health-reports/`.
 */
export class ReportFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly failures: sqs.Queue;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ReportFunctionProps) {
    super(scope, id);
    const memoryMb = props.memoryMb ?? 1024;
    // A failed report is retried by the scheduler, then lands in the queue; the alarm says so.
    const parts = scheduledFunction(this, {
      entry: REPORT_HANDLER_ENTRY,
      roleDescription: 'depot-watch weekly health report function',
      failuresReason: 'This queue is itself the dead-letter queue for failed report invocations.',
      memoryMb,
      timeoutMinutes: props.timeoutMinutes ?? 5,
      environment: {
        [REPORT_ENV.bucket]: props.bucket.bucketName,
        [REPORT_ENV.topic]: props.topic.topicArn,
        [REPORT_ENV.depot]: props.depotName ?? REPORT_DEFAULTS.depot,
        POWERTOOLS_SERVICE_NAME: 'depot-watch-report',
      },
    });
    this.function = parts.function;
    this.failures = parts.failures;
    this.#grant(parts.role, props);

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Runs the depot-watch weekly health report',
      schedule: scheduler.ScheduleExpression.expression(
        props.schedule ?? 'cron(0 6 ? * MON *)',
        TimeZone.of(props.timeZone ?? 'UTC'),
      ),
      target: new targets.LambdaInvoke(this.function, {
        // The week reported on follows the scheduled time, so a retry reports the same week.
        input: scheduler.ScheduleTargetInput.fromObject({
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.failures,
      }),
    });
  }

  /** Errors of the report function, for the watchdog's failed-report alarm. */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  #grant(role: iam.Role, props: ReportFunctionProps): void {
    const { bucket } = props;
    const { statePrefix, archivePrefix, reportsPrefix } = REPORT_DEFAULTS;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [
          bucket.arnForObjects(`${statePrefix}/*`),
          bucket.arnForObjects(`${archivePrefix}/incidents/*`),
        ],
      }),
    );
    // GetObject on reports/ is there for the presigned link: S3 checks the signer's rights
    // when the link is used.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [bucket.arnForObjects(`${reportsPrefix}/*`)],
      }),
    );
    // Listing finds the incident records and history files. Unconditioned on the bucket: a
    // day without KPI rows must read as 404, and S3 decides 404 or 403 for a GET by
    // ListBucket on the bucket, a check that carries no s3:prefix a condition could scope.
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    props.topic.grantPublish(role);

    const objects = (prefix: string) =>
      `Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/${prefix}/*`;
    const reasons: [string, string][] = [
      [statePrefix, 'KPI rollups, one object per day, and incident records, one per connector.'],
      [`${archivePrefix}/incidents`, 'The incident history, one object per scan run.'],
      [reportsPrefix, 'One report page per week, named by its period.'],
    ];
    for (const [prefix, reason] of reasons) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[${objects(prefix)}]`,
        reason,
      });
    }
  }
}
