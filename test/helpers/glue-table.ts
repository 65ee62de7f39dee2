import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect } from 'vitest';
import { buildApp } from '../../infra/app.ts';

/** A column of a Glue table. */
export type Column = { Name: string; Type: string };

/** A Glue table as the stack synthesizes it, as far as the table tests read it. */
export type GlueTable = {
  Properties: {
    DatabaseName: string;
    TableInput: {
      Name: string;
      TableType?: string;
      PartitionKeys: Column[];
      Parameters: Record<string, string>;
      StorageDescriptor: {
        Location: unknown;
        InputFormat?: string;
        SerdeInfo: { SerializationLibrary: string; Parameters: Record<string, string> };
        Columns: Column[];
      };
    };
  };
  DependsOn?: string[];
};

/** The synthesized stack and the Glue tables a test file reads, filled in before its tests run. */
export type SynthesizedTables<K extends string> = {
  template: Template;
  /** What the one function that has this environment variable is told, rendered. */
  setting(variable: string): string;
} & Record<K, GlueTable>;

/**
 * Synthesizes the stack from the example config before the file's tests run (with the
 * repository's feature flags and without cdk-nag, which runs over the same stack in
 * stack.test.ts), and finds each named table in it: exactly one of each name.
 */
export function synthesizedTables<K extends string>(
  outdirPrefix: string,
  names: Record<K, string>,
): SynthesizedTables<K> {
  const synthesized = {
    setting: (variable: string) => functionSetting(synthesized.template, variable),
  } as SynthesizedTables<K>;
  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
    const flags = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
    const outdir = mkdtempSync(join(tmpdir(), outdirPrefix));
    const context = { ...flags, configFile: 'examples/depot.json' };
    const { app, stack } = buildApp(new App({ context, outdir }));
    app.synth();
    const template = Template.fromStack(stack);
    const tables = Object.values(template.findResources('AWS::Glue::Table')) as GlueTable[];
    Object.assign(synthesized, { template });
    for (const [key, name] of Object.entries(names) as [K, string][]) {
      const found = tables.filter((t) => t.Properties.TableInput.Name === name);
      expect(found).toHaveLength(1);
      Object.assign(synthesized, { [key]: found[0] });
    }
  });
  return synthesized;
}

/** A CloudFormation string as text, with `{Ref: X}` written `<X>`; joins flattened. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(render).join(join[0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** What the one function that has this environment variable is told, rendered. */
function functionSetting(template: Template, variable: string): string {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: { Environment?: { Variables?: Record<string, unknown> } };
  }[];
  const values = functions.flatMap((f) => f.Properties.Environment?.Variables?.[variable] ?? []);
  expect(values).toHaveLength(1);
  return render(values[0]);
}

/** The JSON key each column reads: its `mapping.<column>` property, or its own name. */
export function keysByColumn(table: GlueTable): [Column, string][] {
  const { Columns, SerdeInfo } = table.Properties.TableInput.StorageDescriptor;
  return Columns.map((c) => [c, SerdeInfo.Parameters[`mapping.${c.Name}`] ?? c.Name]);
}

/**
 * Expects the table to be partitioned by `date` alone, projected onto one `date=YYYY-MM-DD/`
 * folder a day below `folder`, over the same range as `sameRangeAs`.
 */
export function expectDailyDateProjection(
  table: GlueTable,
  folder: string,
  sameRangeAs: GlueTable,
): void {
  const { PartitionKeys, Parameters } = table.Properties.TableInput;
  expect(PartitionKeys).toEqual([{ Name: 'date', Type: 'string' }]);
  expect(Parameters).toMatchObject({
    'projection.enabled': 'true',
    'projection.date.type': 'date',
    'projection.date.format': 'yyyy-MM-dd',
    'projection.date.range': sameRangeAs.Properties.TableInput.Parameters['projection.date.range'],
    'projection.date.interval': '1',
    'projection.date.interval.unit': 'DAYS',
  });
  expect(render(Parameters['storage.location.template'])).toBe(`${folder}date=\${date}/`);
}

/** Expects an object written for `day` to be a `.jsonl` file right in that day's projected folder. */
export function expectInDayFolder(table: GlueTable, day: string, objectUrl: string): void {
  const folder = render(
    table.Properties.TableInput.Parameters['storage.location.template'],
  ).replace(`\${date}`, day);
  expect(objectUrl.startsWith(folder)).toBe(true);
  expect(objectUrl.slice(folder.length)).toMatch(/^[^/]+\.jsonl$/);
}
