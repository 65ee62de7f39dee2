import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';

/**
 * The stack's one dashboard, as CloudFormation receives it: its body names the scan's metrics,
 * its log group and every alarm, so a renamed metric or a new alarm cannot leave it stale.
 */

const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;

type Widget = {
  type: string;
  properties: {
    title?: string;
    metrics?: unknown[][];
    query?: string;
    alarms?: string[];
    annotations?: { horizontal?: { value: number; label: string }[] };
  };
};

let template: Template;
let widgets: Widget[];
let dashboardName: unknown;
beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-cdk-dashboard-'));
  const context = { ...FLAGS, configFile: 'examples/depot.json', timeoutMinutes: 7 };
  const { app, stack } = buildApp(new App({ context, outdir }));
  app.synth();
  template = Template.fromStack(stack);
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardBody: unknown; DashboardName: unknown };
  }[];
  expect(dashboards).toHaveLength(1);
  dashboardName = dashboards[0]?.Properties.DashboardName;
  widgets = (JSON.parse(text(dashboards[0]?.Properties.DashboardBody)) as { widgets: Widget[] })
    .widgets;
}, 120_000);

/** A template value as text: an Fn::Join's parts, each Ref or GetAtt written `<LogicalId>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  if ('Ref' in object) return `<${object.Ref}>`;
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[])[0]}>`;
  throw new Error(`unexpected template value ${JSON.stringify(value)}`);
}

const titled = (title: RegExp) => {
  const found = widgets.filter((w) => title.test(w.properties.title ?? ''));
  expect(found, `a widget titled ${title}`).toHaveLength(1);
  return found[0] as Widget;
};
const metricNames = (widget: Widget) =>
  (widget.properties.metrics ?? []).flatMap((m) => m.filter((part) => typeof part === 'string'));
const logicalIds = (type: string) => Object.keys(template.findResources(type));

describe('the dashboard', () => {
  it("is named after the stack, so the console lists it by the deployment's name", () => {
    expect(dashboardName).toBe('DepotWatch');
    template.hasOutput('DashboardUrl', {});
  });

  it("shows runs, failed runs and runs waiting for credentials from the scan's own metrics", () => {
    const runs = titled(/^Scan runs/);
    const names = metricNames(runs);
    expect(names).toEqual(
      expect.arrayContaining(['DepotWatch', 'ScanSucceeded', 'NotConfigured', 'service']),
    );
    expect(JSON.stringify(runs.properties.metrics)).toContain('runs - succeeded');
    expect(JSON.stringify(runs.properties.metrics)).toContain('"SampleCount"');
    expect(names).toEqual(expect.arrayContaining(['AWS/Lambda', 'Errors']));
  });

  it("draws the scan's duration under a line at its timeout", () => {
    const duration = titled(/duration against the timeout/);
    expect(metricNames(duration)).toEqual(expect.arrayContaining(['AWS/Lambda', 'Duration']));
    expect(duration.properties.annotations?.horizontal).toEqual([
      expect.objectContaining({ value: 7 * 60_000, label: 'Timeout (7 min)' }),
    ]);
  });

  it("reads the counts from the scan function's log lines with Logs Insights", () => {
    const [scanLogs] = logicalIds('AWS::Logs::LogGroup').filter((id) => id.startsWith('ScanLogs'));
    const queries = widgets.filter((w) => w.type === 'log');
    expect(queries.map((w) => w.properties.title)).toEqual([
      'Reports fetched, archived and quarantined per run',
      'Notices sent by event and severity',
      'API retries and 429s per hour',
      'Open incidents after each run',
    ]);
    for (const widget of queries)
      expect(widget.properties.query).toContain(`SOURCE '<${scanLogs}>'`);
    const [reports, notices, retries, open] = queries.map((w) => w.properties.query ?? '');
    expect(reports).toMatch(
      /message = 'scan finished'.*sum\(fetched\).*sum\(archived\).*sum\(quarantined\)/,
    );
    // One run every 15 minutes: a bin of 15 minutes adds the depots of one run together.
    expect(reports).toContain('bin(15m)');
    expect(notices).toMatch(/message = 'notice sent'.*by event, severity/);
    expect(retries).toMatch(/message = 'api retries'.*sum\(apiRetries\).*sum\(apiThrottled\)/);
    expect(open).toMatch(/message = 'scan finished'.*sum\(openIncidents\)/);
  });

  it('has every alarm it shows explained in the runbook, docs/operations.md', () => {
    const runbook = readFileSync('docs/operations.md', 'utf8');
    const names = logicalIds('AWS::CloudWatch::Alarm').map((id) =>
      id.replace(/^Watchdog/, '').replace(/[0-9A-F]{8}$/, ''),
    );
    expect(names).toContain('Heartbeat');
    for (const name of names) expect(runbook, name).toContain(`| \`${name}\``);
  });

  it("shows the state of every one of the stack's alarms", () => {
    const status = widgets.filter((w) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    const shown = (status[0]?.properties.alarms ?? []).map((arn) => /<(\w+)>/.exec(arn)?.[1]);
    expect(shown.sort()).toEqual(logicalIds('AWS::CloudWatch::Alarm').sort());
  });

  it('is left out, with its output, for an account that already has its three free dashboards', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-cdk-no-dashboard-'));
    const context = { ...FLAGS, configFile: 'examples/depot.json', dashboard: 'false' };
    const { app, stack } = buildApp(new App({ context, outdir }));
    app.synth();
    const without = Template.fromStack(stack);
    without.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(Object.keys(without.findOutputs('DashboardUrl'))).toEqual([]);
    // The alarms stay: they are what reaches a person.
    expect(Object.keys(without.findResources('AWS::CloudWatch::Alarm')).sort()).toEqual(
      logicalIds('AWS::CloudWatch::Alarm').sort(),
    );
  });
});
