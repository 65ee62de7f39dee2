import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The scan's own metrics, as the scan function construct offers them. */
export interface ScanMetrics {
  metricScanSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricNotConfigured(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Props of the watchdog alarms. */
export interface WatchdogProps {
  readonly function: lambda.IFunction;
  /** The metrics the scan writes itself: the heartbeat and not configured yet. */
  readonly scan: ScanMetrics;
  readonly topic: sns.ITopic;
  /** Queues that should stay empty: failed invocations, undeliverable alerts. */
  readonly deadLetterQueues: readonly sqs.IQueue[];
  /** Minutes between scans. */
  readonly scheduleMinutes: number;
  /**
   * The weekly health report function; a failed report (an error of any invocation, retries
   * included) raises an alarm.
   * @default none (no report alarm)
   */
  readonly reportFunction?: {
    metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  };
  /**
   * The state machine of a scan that fans out. Its failed and timed-out executions raise an
   * alarm instead of the function's errors: a shard that fails and then succeeds on retry is
   * an error of the function but no failed run, and every failed run ends in a failed
   * execution (Finish throws).
   * @default none (the function's errors raise the alarm)
   */
  readonly stateMachine?: sfn.IStateMachine;
}

/**
 * Alarms on the watcher itself, to the alarm topic that every alert subscriber hears: errors
 * (or, when the scan fans out, failed and timed-out runs), no successful scan within two
 * intervals (the heartbeat), dead letters, and a failed weekly report. A depot must know when
 * nobody is watching its chargers.
 *
 * Each alarm metric costs $0.10 a month (a metric-math alarm pays for every metric it reads, a
 * composite alarm $0.50 on top of its children), so an alarm earns its place by telling the
 * on-call engineer something the others do not: there is no throttle alarm (a throttled run is
 * retried by Lambda, lands in the failures queue if it never runs, and runs missing for two intervals
 * raise the heartbeat) and no failing-connector alarm (a run with a failed connector fails its invocation,
 * so the error alarm fires on the first such run and stays red while they keep failing).
 */
export class Watchdog extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: WatchdogProps) {
    super(scope, id);
    const interval = Duration.minutes(props.scheduleMinutes);
    const whenAny = (
      alarmId: string,
      description: string,
      metric: cloudwatch.IMetric,
      periods = 1,
    ) =>
      this.#alarm(alarmId, props.topic, {
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: periods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    if (props.stateMachine) {
      const options = { period: interval, statistic: 'Sum' };
      whenAny(
        'RunsFailed',
        'A depot-watch scan run failed or timed out (a shard or connector could not be scanned, or a step crashed); the execution in the Step Functions console names it.',
        new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          usingMetrics: {
            failed: props.stateMachine.metricFailed(options),
            timedOut: props.stateMachine.metricTimedOut(options),
          },
          period: interval,
          label: 'Failed or timed-out scan runs',
        }),
      );
    } else {
      whenAny(
        'Errors',
        'The depot-watch scan failed: a connector could not be scanned (the "scan incomplete" log line names which), or the run crashed.',
        props.function.metricErrors({ period: interval, statistic: 'Sum' }),
      );
    }
    if (props.reportFunction) {
      whenAny(
        'ReportErrors',
        'The weekly depot health report failed; the scheduler retries it, the logs say why.',
        props.reportFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      );
    }
    props.deadLetterQueues.forEach((queue, index) => {
      // Scan/FailedInvocations, Report/FailedInvocations: the id alone would not tell which.
      const name = [queue.node.scope?.node.id, queue.node.id].filter(Boolean).join('/');
      whenAny(
        `DeadLetters${index}`,
        `Messages are waiting in ${name}: invocations or alert deliveries that failed for good.`,
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
      );
    });
    // Missing data breaches here: no metric at all means no run finished. A run that found
    // the credentials secret still holding its placeholder is alive too: a fresh deploy is
    // healthy until someone fills the secret, and the dashboard shows it is waiting.
    const heartbeat = Duration.minutes(props.scheduleMinutes * 2);
    this.#alarm('Heartbeat', props.topic, {
      alarmDescription:
        'No successful depot-watch scan within two scheduled intervals: the chargers are not being watched.',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(succeeded, 0) + FILL(notConfigured, 0)',
        usingMetrics: {
          succeeded: props.scan.metricScanSucceeded({ period: heartbeat }),
          notConfigured: props.scan.metricNotConfigured({ period: heartbeat }),
        },
        period: heartbeat,
        label: 'Successful scans, and runs waiting for credentials',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  #alarm(id: string, topic: sns.ITopic, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(new actions.SnsAction(topic));
    this.alarms.push(alarm);
  }
}
