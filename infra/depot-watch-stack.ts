import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type Config, ConfigError, parseConfig } from '../functions/config/config.ts';
import { AlertChannels } from './constructs/alert-channels.ts';
import { ArchiveBuckets } from './constructs/archive-buckets.ts';
import { DepotDashboard } from './constructs/dashboard.ts';
import { DepotCredentials } from './constructs/depot-credentials.ts';
import { NotifierFunction } from './constructs/notifier-function.ts';
import { REPORTS_PREFIX, ReportFunction } from './constructs/report-function.ts';
import { ReportTable } from './constructs/report-table.ts';
import { ScanFanOut } from './constructs/scan-fan-out.ts';
import { ARCHIVE_PREFIX, ScanFunction, STATE_PREFIX } from './constructs/scan-function.ts';
import { Watchdog } from './constructs/watchdog.ts';
import type { DeploymentSettings } from './deployment-settings.ts';
import { deployedChannels } from './notifier-channels.ts';
import { runTimeoutMinutes, scanSizing } from './scan-sizing.ts';

/** Props of the depot-watch stack. */
export interface DepotWatchStackProps extends StackProps {
  readonly settings: DeploymentSettings;
}

/** Where things go is the stack's business; these config fields are set from its resources. */
const STACK_OWNED = ['archive', 'state', 'alerts', 'credentials'] as const;

/**
 * Everything depot-watch needs in one account: the archive, the alert topics and their
 * subscribers, the scheduled scan, the weekly health report, the alarms that watch them, and
 * the Athena tables.
 */
export class DepotWatchStack extends Stack {
  constructor(scope: Construct, id: string, props: DepotWatchStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const { config: scanConfig, parsed } = scanConfigOf(settings);
    const sizing = scanSizing(parsed, settings);
    // Checked before anything is made: a run that cannot end before the next one starts.
    const runTimeout = sizing.fanOut
      ? runTimeoutMinutes(settings.scheduleMinutes, settings.timeoutMinutes)
      : undefined;

    const buckets = new ArchiveBuckets(this, 'Buckets', settings);
    const alerts = new AlertChannels(this, 'Alerts', {
      emails: settings.alertEmails,
      vehicleEmails: settings.vehicleEmails,
      ...(settings.slack ? { slack: settings.slack } : {}),
    });
    const depots =
      parsed.depots.length > 0
        ? new DepotCredentials(this, 'Depots', {
            depots: parsed.depots.map((d) => ({
              name: d.name,
              ...(d.credentialsSecret ? { credentialsSecret: d.credentialsSecret } : {}),
            })),
          })
        : undefined;
    const scan = new ScanFunction(this, 'Scan', {
      bucket: buckets.archive,
      topic: alerts.topic,
      configJson: JSON.stringify(depots ? withDepotSecrets(scanConfig, depots) : scanConfig),
      scheduleMinutes: settings.scheduleMinutes,
      memoryMb: settings.memoryMb,
      timeoutMinutes: settings.timeoutMinutes,
      accessLogs: buckets.logs,
      ...(depots ? { depotCredentials: depots } : {}),
      ...(sizing.fanOut
        ? {
            scheduled: false,
            reservedConcurrency: sizing.shards,
            shardConnectors: sizing.perInvocation,
          }
        : {}),
    });
    const fanOut = sizing.fanOut
      ? new ScanFanOut(this, 'FanOut', {
          function: scan.function,
          shards: sizing.shards,
          scheduleMinutes: settings.scheduleMinutes,
          ...(runTimeout !== undefined ? { runTimeoutMinutes: runTimeout } : {}),
          failures: scan.failures,
        })
      : undefined;
    // PagerDuty, Teams and the like, when the config names any: delivered from the alert topic.
    const channels = deployedChannels(parsed.alerts);
    const notifier =
      channels.entries.length > 0
        ? new NotifierFunction(this, 'Notifier', {
            topic: alerts.topic,
            channels: channels.entries,
            secretIds: channels.secretIds,
            archiveLocation: `s3://${buckets.archive.bucketName}/${ARCHIVE_PREFIX}`,
            ...(settings.configFile ? { configName: basename(settings.configFile) } : {}),
          })
        : undefined;
    const report = new ReportFunction(this, 'Report', {
      bucket: buckets.archive,
      topic: alerts.reportTopic,
      depotName: depotNameOf(settings, this.stackName),
      schedule: settings.reportSchedule,
      timeZone: settings.timeZone,
    });
    const watchdog = new Watchdog(this, 'Watchdog', {
      function: scan.function,
      scan,
      topic: alerts.alarmTopic,
      deadLetterQueues: [
        scan.failures,
        alerts.deliveryDlq,
        report.failures,
        ...(notifier ? [notifier.failures] : []),
      ],
      scheduleMinutes: settings.scheduleMinutes,
      reportFunction: report,
      ...(fanOut ? { stateMachine: fanOut.stateMachine } : {}),
    });
    // The account's first three dashboards are free; a fourth would cost $3 a month.
    const dashboard = settings.dashboard
      ? new DepotDashboard(this, 'Dashboard', {
          scan,
          function: scan.function,
          logGroup: scan.function.logGroup,
          timeoutMinutes: settings.timeoutMinutes,
          scheduleMinutes: settings.scheduleMinutes,
          alarms: watchdog.alarms,
        })
      : undefined;
    const table = new ReportTable(this, 'Athena', {
      archive: buckets.archive,
      archivePrefix: ARCHIVE_PREFIX,
      statePrefix: STATE_PREFIX,
      results: buckets.logs,
      depots:
        parsed.depots.length > 0
          ? parsed.depots.map((d) => ({ name: d.name, fleet: d.fleet }))
          : [{ fleet: parsed.fleet }],
    });

    new CfnOutput(this, 'ArchiveBucket', {
      value: buckets.archive.bucketName,
      description: 'Raw reports under archive/reports/',
    });
    new CfnOutput(this, 'AlertTopic', { value: alerts.topic.topicArn });
    new CfnOutput(this, 'AlarmTopic', {
      value: alerts.alarmTopic.topicArn,
      description: 'Watchdog alarms; every alert email and Slack channel receives them',
    });
    new CfnOutput(this, 'ReportTopic', {
      value: alerts.reportTopic.topicArn,
      description:
        'The weekly health report notice; every alert email and Slack channel receives it',
    });
    new CfnOutput(this, 'HealthReports', {
      value: `s3://${buckets.archive.bucketName}/${REPORTS_PREFIX}/`,
      description: `Weekly health reports, <from>_<to>.html, made ${settings.reportSchedule} (${settings.timeZone})`,
    });
    new CfnOutput(this, 'CredentialsSecret', {
      value: scan.credentials.secretArn,
      description: 'Fill with {"clientId": "...", "clientSecret": "..."}',
    });
    if (scan.config) new CfnOutput(this, 'ConfigParameter', { value: scan.config.parameterName });
    if (scan.configObject) {
      new CfnOutput(this, 'ConfigObject', {
        value: scan.configObject.uri,
        description: 'The deployed scan config (too large for an SSM parameter), versioned',
      });
    }
    for (const [name, secret] of depots?.created ?? []) {
      new CfnOutput(this, `DepotCredentials${outputSuffix(name)}`, {
        value: secret.secretArn,
        description: `Depot ${name}: fill with {"clientId": "...", "clientSecret": "..."}`,
      });
    }
    if (fanOut) {
      new CfnOutput(this, 'ScanStateMachine', {
        value: fanOut.stateMachine.stateMachineArn,
        description: `Scan runs of ${sizing.shards} shards each; open it in the Step Functions console to see them`,
      });
    }
    if (dashboard) {
      new CfnOutput(this, 'DashboardUrl', {
        value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${dashboard.dashboard.dashboardName}`,
        description:
          'Runs, reports, notices, API retries, open incidents and the alarms, on one page',
      });
    }
    new CfnOutput(this, 'AthenaWorkgroup', { value: table.workgroup.ref });
    new CfnOutput(this, 'IncidentHistoryTable', {
      value: `${table.databaseName}.${table.incidentTableName}`,
      description: 'Delivered incident notices, one row each, from archive/incidents/',
    });
    new CfnOutput(this, 'DailyKpiTable', {
      value: `${table.databaseName}.${table.kpiTableName}`,
      description: 'Daily KPIs per connector, one row each, from state/kpis/',
    });
  }
}

/**
 * The deployed config with each depot's secret named: the one it named, or the one the stack
 * made for it, so that the function never falls back to the stack's own secret for a depot.
 */
function withDepotSecrets(
  config: Record<string, unknown>,
  credentials: DepotCredentials,
): Record<string, unknown> {
  const depots = config.depots as { name: string }[];
  return {
    ...config,
    depots: depots.map((depot) => ({
      ...depot,
      credentialsSecret: credentials.secretIds.get(depot.name),
    })),
  };
}

/** A depot name as an output id's tail: `north-1` → `North1`. */
function outputSuffix(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * What the report calls the depot: the config file's name, as `depot-watch report` does
 * (`north-depot.json` → north-depot), else the stack's name.
 */
function depotNameOf(settings: DeploymentSettings, stackName: string): string {
  if (!settings.configFile) return stackName;
  return basename(settings.configFile, extname(settings.configFile)) || stackName;
}

/**
 * The scan config from context (inline or a file), checked with the one schema. Without a
 * fleet the stack still deploys; the function then says, on every run, that the fleet is empty.
 */
function scanConfigOf(settings: DeploymentSettings): {
  config: Record<string, unknown>;
  parsed: Config;
} {
  let raw: unknown = settings.config;
  let source = 'context "config"';
  if (settings.configFile) {
    source = settings.configFile;
    try {
      raw = JSON.parse(readFileSync(settings.configFile, 'utf8'));
    } catch (error) {
      throw new ConfigError(
        `cannot read configFile ${settings.configFile}: ${(error as Error).message}`,
      );
    }
  }
  if (raw === undefined) return { config: { fleet: [] }, parsed: emptyConfig() };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${source} must be a JSON object`);
  const config = raw as Record<string, unknown>;
  if (config.credentials !== undefined) {
    throw new ConfigError(
      `${source}: credentials do not belong in the config; the stack keeps them in Secrets Manager`,
    );
  }
  // Validate as the function will see it, with the stack's own locations filled in; the
  // config's alerts are checked too, for the channels the notifier function delivers.
  const parsed = parseConfig(
    {
      ...config,
      archive: 's3://placeholder-bucket/archive',
      state: 's3://placeholder-bucket/state',
      alerts: config.alerts ?? ['stdout'],
    },
    source,
  );
  return {
    config: Object.fromEntries(
      Object.entries(config).filter(([key]) => !(STACK_OWNED as readonly string[]).includes(key)),
    ),
    parsed,
  };
}

/** The defaults of a config without a fleet, for a stack deployed before its fleet is known. */
function emptyConfig(): Config {
  return parseConfig({ fleet: [] }, 'an empty config', { fleet: 'optional' });
}
