import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseDeployment } from './deployment-settings.ts';
import { DepotWatchStack } from './depot-watch-stack.ts';

/**
 * The CDK app: one depot-watch stack, checked by cdk-nag's AwsSolutions pack (a finding that
 * is not acknowledged with a reason fails `cdk synth`).
 */
export function buildApp(app: App = new App()): { app: App; stack: DepotWatchStack } {
  const context = Object.fromEntries(
    [
      'config',
      'configFile',
      'scheduleMinutes',
      'alertEmails',
      'slack',
      'archiveRetentionDays',
      'objectLockDays',
      'memoryMb',
      'timeoutMinutes',
    ]
      .map((key) => [key, app.node.tryGetContext(key)] as const)
      .filter(([, value]) => value !== undefined),
  );
  const stack = new DepotWatchStack(app, app.node.tryGetContext('stackName') ?? 'DepotWatch', {
    settings: parseDeployment(context),
    description:
      'depot-watch: scans DepotFinity charger session reports, archives them, alerts on faults',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildApp().app.synth();
  } catch (error) {
    process.stderr.write(`depot-watch: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
