import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ScanMetrics } from './watchdog.ts';

/** Props of the depot-watch dashboard. */
export interface DepotDashboardProps {
  /** The scan's own metrics: runs that succeeded, runs not configured yet. */
  readonly scan: ScanMetrics;
  /** The scan function, for Lambda's own (free) duration and error metrics. */
  readonly function: lambda.IFunction;
  /** Where the scan logs: the Logs Insights widgets read the run's counts there. */
  readonly logGroup: logs.ILogGroup;
  /** The function's timeout, drawn on the duration graph. */
  readonly timeoutMinutes: number;
  /** Minutes between scans: the log widgets add up one run per interval. */
  readonly scheduleMinutes: number;
  /** The alarms whose states the dashboard shows. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** @default the stack's name */
  readonly dashboardName?: string;
}

/** The log queries behind the widgets; the field names are those the scan logs. */
const QUERIES = {
  reports: (bin: string) =>
    `filter message = 'scan finished' | stats sum(fetched) as fetched, sum(archived) as archived, sum(alreadyArchived) as alreadyArchived, sum(quarantined) as quarantined by bin(${bin})`,
  notices:
    "filter message = 'notice sent' | stats count(*) as notices by event, severity | sort notices desc",
  retries: (bin: string) =>
    `filter message = 'api retries' | stats sum(apiRetries) as retries, sum(apiThrottled) as throttled429 by bin(${bin})`,
  openIncidents: (bin: string) =>
    `filter message = 'scan finished' | stats sum(openIncidents) as openIncidents by bin(${bin})`,
};

/**
 * One CloudWatch dashboard for the people who keep depot-watch running: the alarms' states;
 * scan runs, failures and runs waiting for credentials; duration against the timeout; and,
 * from the scan's log lines through Logs Insights (a metric per count would cost $0.30 a
 * month each), reports fetched, archived and quarantined, notices by event and severity,
 * API retries and 429s, and open incidents.
 */
export class DepotDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DepotDashboardProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const period = Duration.hours(1);
    // One scan per interval: a bin of the interval sums the depots of one run.
    const runBin = `${props.scheduleMinutes}m`;
    const logGroupNames = [props.logGroup.logGroupName];
    const logs = (title: string, queryString: string, view: cloudwatch.LogQueryVisualizationType) =>
      new cloudwatch.LogQueryWidget({ title, logGroupNames, queryString, view, width: 12 });

    const runs = props.scan.metricScanSucceeded({ statistic: 'SampleCount', period });
    const succeeded = props.scan.metricScanSucceeded({ period });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName !== undefined || !Token.isUnresolved(stackName)
        ? { dashboardName: props.dashboardName ?? stackName }
        : {}),
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms (docs/operations.md says what each means and what to do)',
            alarms: [...props.alarms],
            width: 24,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Scan runs per hour',
            width: 12,
            left: [
              runs.with({ label: 'Runs' }),
              new cloudwatch.MathExpression({
                expression: 'runs - succeeded',
                usingMetrics: { runs, succeeded },
                period,
                label: 'Failed runs',
              }),
              props.scan.metricNotConfigured({ period, label: 'Waiting for credentials' }),
              props.function.metricErrors({ period, statistic: 'Sum', label: 'Invocation errors' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Scan duration against the timeout',
            width: 12,
            left: [
              props.function.metricDuration({ period, statistic: 'Maximum', label: 'Longest' }),
              props.function.metricDuration({ period, statistic: 'Average', label: 'Average' }),
            ],
            leftAnnotations: [
              {
                value: Duration.minutes(props.timeoutMinutes).toMilliseconds(),
                label: `Timeout (${props.timeoutMinutes} min)`,
                color: cloudwatch.Color.RED,
              },
            ],
            leftYAxis: { min: 0, label: 'ms', showUnits: false },
          }),
        ],
        [
          logs(
            'Reports fetched, archived and quarantined per run',
            QUERIES.reports(runBin),
            cloudwatch.LogQueryVisualizationType.STACKEDAREA,
          ),
          logs(
            'Notices sent by event and severity',
            QUERIES.notices,
            cloudwatch.LogQueryVisualizationType.TABLE,
          ),
        ],
        [
          logs(
            'API retries and 429s per hour',
            QUERIES.retries('1h'),
            cloudwatch.LogQueryVisualizationType.LINE,
          ),
          logs(
            'Open incidents after each run',
            QUERIES.openIncidents(runBin),
            cloudwatch.LogQueryVisualizationType.LINE,
          ),
        ],
      ],
    });
  }
}
