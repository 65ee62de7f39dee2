import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigError, parseConfig } from '../functions/config/config.ts';
import { AlertChannels } from './constructs/alert-channels.ts';
import { ArchiveBuckets } from './constructs/archive-buckets.ts';
import { REPORTS_PREFIX, ReportFunction } from './constructs/report-function.ts';
import { ReportTable } from './constructs/report-table.ts';
import { ARCHIVE_PREFIX, ScanFunction, STATE_PREFIX } from './constructs/scan-function.ts';
import { Watchdog } from './constructs/watchdog.ts';
import type { DeploymentSettings } from './deployment-settings.ts';

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
    const scanConfig = scanConfigOf(settings);

    const buckets = new ArchiveBuckets(this, 'Buckets', settings);
    const alerts = new AlertChannels(this, 'Alerts', {
      emails: settings.alertEmails,
      vehicleEmails: settings.vehicleEmails,
      ...(settings.slack ? { slack: settings.slack } : {}),
    });
    const scan = new ScanFunction(this, 'Scan', {
      bucket: buckets.archive,
      topic: alerts.topic,
      configJson: JSON.stringify(scanConfig),
      scheduleMinutes: settings.scheduleMinutes,
      memoryMb: settings.memoryMb,
      timeoutMinutes: settings.timeoutMinutes,
    });
    const report = new ReportFunction(this, 'Report', {
      bucket: buckets.archive,
      topic: alerts.reportTopic,
      depotName: depotNameOf(settings, this.stackName),
      schedule: settings.reportSchedule,
      timeZone: settings.timeZone,
    });
    new Watchdog(this, 'Watchdog', {
      function: scan.function,
      topic: alerts.alarmTopic,
      deadLetterQueues: [scan.failures, alerts.deliveryDlq, report.failures],
      scheduleMinutes: settings.scheduleMinutes,
      reportFunction: report,
    });
    const table = new ReportTable(this, 'Athena', {
      archive: buckets.archive,
      archivePrefix: ARCHIVE_PREFIX,
      statePrefix: STATE_PREFIX,
      results: buckets.logs,
      fleet: (scanConfig.fleet as { chargerId: string; connectors: string[] }[] | undefined) ?? [],
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
    new CfnOutput(this, 'ConfigParameter', { value: scan.config.parameterName });
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
function scanConfigOf(settings: DeploymentSettings): Record<string, unknown> {
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
  if (raw === undefined) return { fleet: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${source} must be a JSON object`);
  const config = raw as Record<string, unknown>;
  if (config.credentials !== undefined) {
    throw new ConfigError(
      `${source}: credentials do not belong in the config; the stack keeps them in Secrets Manager`,
    );
  }
  // Validate as the function will see it, with the stack's own locations filled in.
  parseConfig(
    {
      ...config,
      archive: 's3://placeholder-bucket/archive',
      state: 's3://placeholder-bucket/state',
      alerts: ['stdout'],
    },
    source,
  );
  return Object.fromEntries(
    Object.entries(config).filter(([key]) => !(STACK_OWNED as readonly string[]).includes(key)),
  );
}
