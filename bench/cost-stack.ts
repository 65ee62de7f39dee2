import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/app.ts';

/** What the synthesized stack holds that a monthly bill charges for by the resource. */
export interface StackInventory {
  alarms: number;
  /** What CloudWatch bills alarms by: one per metric an alarm reads (a metric-math alarm, each). */
  alarmMetrics: number;
  dashboards: number;
  kmsKeys: number;
  secrets: number;
  standardParameters: number;
  advancedParameters: number;
  schedules: number;
  queues: number;
  logGroups: number;
  /** Retention of the scan function's log group, days. */
  logRetentionDays: number;
  /** The scan function's memory, MB, and architecture. */
  scanMemoryMb: number;
  scanArchitecture: string;
}

/** A deployment like the example in docs/deploy.md: two email subscribers (warning+, critical) and Slack. */
export const DEPLOYMENT_CONTEXT = {
  configFile: 'examples/depot.json',
  alertEmails: [
    { address: 'depot-engineers@example.com', minSeverity: 'warning' },
    { address: 'night-shift@example.com', minSeverity: 'critical' },
  ],
  slack: { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' },
};

/**
 * Synthesizes the stack in process, as the stack test does, and counts its billable resources.
 * Bundling is skipped (`aws:cdk:bundling-stacks: []`): the template's resources are the same,
 * and esbuild would only add minutes.
 */
export function stackInventory(): StackInventory {
  const flags = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
  const outdir = mkdtempSync(join(tmpdir(), 'bench-cost-cdk-'));
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const app = new App({
      context: { ...flags, ...DEPLOYMENT_CONTEXT, 'aws:cdk:bundling-stacks': [] },
      outdir,
    });
    const { stack } = buildApp(app);
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const resources = Object.values(template.Resources);
    const ofType = (type: string) => resources.filter((r) => r.Type === type);
    const parameters = ofType('AWS::SSM::Parameter');
    const scan = ofType('AWS::Lambda::Function').find((f) =>
      JSON.stringify(f.Properties?.Environment ?? {}).includes('DEPOT_WATCH_CREDENTIALS_SECRET'),
    );
    const scanLogs = ofType('AWS::Logs::LogGroup').map(
      (g) => Number(g.Properties?.RetentionInDays) || 0,
    );
    return {
      alarms: ofType('AWS::CloudWatch::Alarm').length,
      alarmMetrics: ofType('AWS::CloudWatch::Alarm').reduce(
        (n, a) =>
          n +
          Math.max(
            1,
            ((a.Properties?.Metrics as { MetricStat?: unknown }[] | undefined) ?? []).filter(
              (m) => m.MetricStat,
            ).length,
          ),
        0,
      ),
      dashboards: ofType('AWS::CloudWatch::Dashboard').length,
      kmsKeys: ofType('AWS::KMS::Key').length,
      secrets: ofType('AWS::SecretsManager::Secret').length,
      standardParameters: parameters.filter((p) => p.Properties?.Tier !== 'Advanced').length,
      advancedParameters: parameters.filter((p) => p.Properties?.Tier === 'Advanced').length,
      schedules: ofType('AWS::Scheduler::Schedule').length,
      queues: ofType('AWS::SQS::Queue').length,
      logGroups: scanLogs.length,
      logRetentionDays: Math.max(...scanLogs),
      scanMemoryMb: Number(scan?.Properties?.MemorySize) || 128,
      scanArchitecture: String((scan?.Properties?.Architectures as string[] | undefined)?.[0]),
    };
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
    rmSync(outdir, { recursive: true, force: true });
  }
}
