import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseDeployment } from './deployment-settings.ts';
import { DepotWatchStack } from './depot-watch-stack.ts';

/** The project's cdk.json, whose context keys (feature flags, CLI settings) are not ours to check. */
const CDK_JSON = join(import.meta.dirname, '..', 'cdk.json');

/**
 * The CDK app: one depot-watch stack, checked by cdk-nag's AwsSolutions pack (a finding that
 * is not acknowledged with a reason fails `cdk synth`). A context key nothing reads fails too.
 */
export function buildApp(app: App = new App()): { app: App; stack: DepotWatchStack } {
  const context = app.node.getAllContext() as Record<string, unknown>;
  const stack = new DepotWatchStack(app, app.node.tryGetContext('stackName') ?? 'DepotWatch', {
    settings: parseDeployment(context, cdkJsonContextKeys()),
    description:
      'depot-watch: scans DepotFinity charger session reports, archives them, alerts on faults, reports weekly',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

function cdkJsonContextKeys(): string[] {
  try {
    const cdkJson = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context?: object };
    return Object.keys(cdkJson.context ?? {});
  } catch {
    return []; // without cdk.json (an app embedded elsewhere) only CDK's own keys pass
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildApp().app.synth();
  } catch (error) {
    process.stderr.write(`depot-watch: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
