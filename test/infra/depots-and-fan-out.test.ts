import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { unpackConfig } from '../../functions/config/packed-config.ts';
import { reportKey } from '../../functions/core/archive-layout.ts';
import { dailyKpisKey } from '../../functions/core/fleet/daily-kpis.ts';
import { buildApp } from '../../infra/app.ts';
import type { GlueTable } from '../helpers/glue-table.ts';

/**
 * The stack for the three sizes of deployment: one small fleet (nothing new), two depots with
 * secrets of their own, and 20,000 chargers over five depots, which fans out. Expectations are
 * worked out by hand here, not asked of the code under test.
 */

/** The feature flags cdk.json gives the app, as the CLI would. */
const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

/** Synthesizes the app with a context into a fresh folder; cdk-nag fails it on any finding. */
function synth(context: Record<string, unknown>, validation = true) {
  process.env.CDK_VALIDATION = validation ? 'true' : 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-depots-'));
  const { app, stack } = buildApp(new App({ context: { ...FLAGS, ...context }, outdir }));
  app.synth();
  return { template: Template.fromStack(stack), outdir };
}

/** Resources of a type, as plain objects. */
function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The scan function (the one told where its archive is) and its environment. */
function scanFunction(template: Template): { id: string; props: Record<string, unknown> } {
  const [found] = resources(template, 'AWS::Lambda::Function').filter(([, r]) =>
    JSON.stringify(r.Properties).includes('DEPOT_WATCH_ARCHIVE'),
  );
  const [id, resource] = found as [string, Resource];
  return { id, props: resource.Properties };
}

function environment(template: Template): Record<string, unknown> {
  return (scanFunction(template).props.Environment as { Variables: Record<string, unknown> })
    .Variables;
}

/** Every statement of the scan role's policies. */
function scanRoleStatements(template: Template): { Action: unknown; Resource: unknown }[] {
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, r]) => JSON.stringify(r.Properties.Roles).includes('ScanRole'))
    .flatMap(
      ([, r]) =>
        (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
          .Statement,
    );
}

/** Resources granted an action, each rendered as text. */
function grantedTo(template: Template, action: string): string[] {
  return scanRoleStatements(template)
    .filter((s) => [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(render));
}

function table(template: Template, name: string): GlueTable {
  const [found] = resources(template, 'AWS::Glue::Table').filter(
    ([, r]) => (r.Properties.TableInput as { Name: string }).Name === name,
  );
  return found?.[1] as unknown as GlueTable;
}

/** A CloudFormation string as text: `{Ref: X}` as `<X>`, `{Fn::GetAtt: [X, A]}` as `<X.A>`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `<${getAtt.join('.')}>`;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(render).join(join[0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** A projection's location template with its `${name}` placeholders filled in. */
function fill(template: unknown, values: Record<string, string>): string {
  return Object.entries(values).reduce(
    (text, [name, value]) => text.replace(`\${${name}}`, value),
    render(template),
  );
}

/** A depot of `chargers` chargers with two connectors each, ids unique across depots. */
function depot(name: string, chargers: number, extra: Record<string, unknown> = {}) {
  return {
    name,
    ...extra,
    fleet: Array.from({ length: chargers }, (_, i) => ({
      chargerId: `${name.toUpperCase()}-HPC-${String(i + 1).padStart(5, '0')}`,
      connectors: ['1', '2'],
    })),
  };
}

const SOUTH_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:depot-watch/south-Ab12Cd';

describe('a small one-fleet config', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synth({ configFile: 'examples/depot.json' }, false));
  }, 180_000);

  it('keeps the config in the SSM parameter and has no state machine', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    const env = environment(template);
    expect(render(env.DEPOT_WATCH_CONFIG_PARAMETER)).toMatch(/^<ScanConfig/);
    expect(env).not.toHaveProperty('DEPOT_WATCH_CONFIG_OBJECT');
    expect(env).not.toHaveProperty('DEPOT_WATCH_SHARD_CONNECTORS');
    expect(scanFunction(template).props.ReservedConcurrentExecutions).toBe(1);
  });

  it('lets the schedule invoke the function, and alarms on its errors', () => {
    const { id } = scanFunction(template);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
    });
  });

  it('keeps the one-fleet archive layout in Athena: no depot partition', () => {
    const reports = table(template, 'session_reports').Properties.TableInput;
    expect(reports.PartitionKeys.map((k) => k.Name)).toEqual(['charger', 'connector', 'date']);
    const kpis = table(template, 'daily_connector_kpis').Properties.TableInput;
    expect(kpis.PartitionKeys.map((k) => k.Name)).toEqual(['date']);
  });
});

describe('a config of two depots, each naming its secret', () => {
  let template: Template;
  const north = depot('north', 3, { credentialsSecret: 'depot-watch/north' });
  const south = depot('south', 2, {
    credentialsSecret: SOUTH_ARN,
    api: {
      tokenUrl: 'https://clientapp-auth.us.depot.emobility.io/oauth2/token',
      baseUrl: 'https://api.us.depot.emobility.io',
    },
  });
  beforeAll(() => {
    // With cdk-nag: the name pattern below is a wildcard that must be acknowledged.
    ({ template } = synth({ config: { depots: [north, south] } }));
  }, 180_000);

  it('grants GetSecretValue on each named secret: a name with its random suffix, an ARN as given', () => {
    const granted = grantedTo(template, 'secretsmanager:GetSecretValue');
    expect(granted).toContain(
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:depot-watch/north-??????',
    );
    expect(granted).toContain(SOUTH_ARN);
    // Neither depot gets a secret of the stack's making; the stack's own stays.
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('deploys the config with the depots and their secrets as written', () => {
    const [[, parameter]] = resources(template, 'AWS::SSM::Parameter') as [[string, Resource]];
    const deployed = JSON.parse(unpackConfig(parameter.Properties.Value as string));
    expect(deployed.depots.map((d: { credentialsSecret: string }) => d.credentialsSecret)).toEqual([
      'depot-watch/north',
      SOUTH_ARN,
    ]);
  });

  it('puts a depot partition before charger, projected on the depot names', () => {
    const reports = table(template, 'session_reports').Properties.TableInput;
    expect(reports.PartitionKeys.map((k) => k.Name)).toEqual([
      'depot',
      'charger',
      'connector',
      'date',
    ]);
    expect(reports.Parameters).toMatchObject({
      'projection.depot.type': 'enum',
      'projection.depot.values': 'north,south',
      'projection.charger.type': 'enum',
      'projection.charger.values':
        'NORTH-HPC-00001,NORTH-HPC-00002,NORTH-HPC-00003,SOUTH-HPC-00001,SOUTH-HPC-00002',
    });
    // The folder a report of depot south is archived in, by the archive's own layout.
    const archive = render(environment(template).DEPOT_WATCH_ARCHIVE);
    const key = reportKey(
      { chargerId: 'SOUTH-HPC-00002', connectorId: '1' },
      '2026-11-03',
      'S-1',
      'south',
    );
    const folder = fill(reports.Parameters['storage.location.template'], {
      depot: 'south',
      charger: 'SOUTH-HPC-00002',
      connector: '1',
      date: '2026-11-03',
    });
    expect(`${archive}/${key}`).toBe(`${folder}S-1.json`);
  });

  it("projects the KPI table on the depot's own state folder", () => {
    const kpis = table(template, 'daily_connector_kpis').Properties.TableInput;
    expect(kpis.PartitionKeys.map((k) => k.Name)).toEqual(['depot', 'date']);
    expect(kpis.Parameters['projection.depot.values']).toBe('north,south');
    // A depot keeps its state in <state>/depot=<name>/ (functions/config/depot-scopes.ts).
    const state = render(environment(template).DEPOT_WATCH_STATE);
    const folder = fill(kpis.Parameters['storage.location.template'], {
      depot: 'north',
      date: '2026-11-03',
    });
    expect(`${state}/depot=north/${dailyKpisKey('2026-11-03')}`).toBe(`${folder}kpis.jsonl`);
  });
});

describe('20,000 chargers over five depots', () => {
  let template: Template;
  let outdir: string;
  // 4,000 chargers of 2 connectors a depot: 8,000 connectors each, 40,000 in all.
  const depots = [
    depot('north', 4_000, { credentialsSecret: 'depot-watch/north' }),
    depot('south', 4_000, { credentialsSecret: SOUTH_ARN }),
    depot('east', 4_000),
    depot('west', 4_000),
    depot('harbour', 4_000),
  ];
  /**
   * By hand, from BENCHMARKS.md's model at the defaults (512 MB, 5 minutes, 8 in flight):
   * 180 ms / 8 = 22.5 ms of round trips a connector against 5.4 ms × 1769 / 512 = 18.7 ms of
   * CPU, so 22.5 ms; half of 300 s is 150,000 ms, or 6,666 connectors a shard. 8,000
   * connectors a depot make 2 shards each: 10 shards.
   */
  const PER_SHARD = 6_666;
  const SHARDS = 10;

  beforeAll(() => {
    ({ template, outdir } = synth({ config: { depots } }));
  }, 300_000);

  it('deploys the config as an S3 object, not as a parameter value', () => {
    template.resourceCountIs('AWS::SSM::Parameter', 0);
    const [[bucketId, bucket]] = resources(template, 'AWS::S3::Bucket').filter(([id]) =>
      id.startsWith('ScanConfigObjectBucket'),
    ) as [[string, Resource]];
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: bucketId },
      DestinationBucketKeyPrefix: 'config/',
    });
    const uri = `s3://<${bucketId}>/config/scan-config.json`;
    expect(render(environment(template).DEPOT_WATCH_CONFIG_OBJECT)).toBe(uri);
    expect(environment(template)).not.toHaveProperty('DEPOT_WATCH_CONFIG_PARAMETER');
  });

  it('lets the function read that one object, and nothing else of its bucket', () => {
    const reads = scanRoleStatements(template).filter((s) =>
      JSON.stringify(s.Resource).includes('ScanConfigObjectBucket'),
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Action).toBe('s3:GetObject');
    expect(render(reads[0]?.Resource)).toMatch(
      /^<ScanConfigObjectBucket\w+\.Arn>\/config\/scan-config\.json$/,
    );
  });

  it('ships every charger, and a secret for every depot, in the deployed object', () => {
    const assets = JSON.parse(readFileSync(join(outdir, 'DepotWatch.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    const folder = Object.values(assets.files)
      .map((f) => join(outdir, f.source.path, 'scan-config.json'))
      .find((path) => {
        try {
          readFileSync(path);
          return true;
        } catch {
          return false;
        }
      });
    const deployed = JSON.parse(readFileSync(folder as string, 'utf8'));
    const chargers = deployed.depots.reduce(
      (n: number, d: { fleet: unknown[] }) => n + d.fleet.length,
      0,
    );
    expect(chargers).toBe(20_000);
    expect(deployed.depots.map((d: { credentialsSecret: string }) => d.credentialsSecret)).toEqual([
      'depot-watch/north',
      SOUTH_ARN,
      'DepotWatch/depot/east',
      'DepotWatch/depot/west',
      'DepotWatch/depot/harbour',
    ]);
  });

  it('makes a secret for each depot that names none, grants it and says which to fill', () => {
    for (const name of ['east', 'west', 'harbour'])
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `DepotWatch/depot/${name}`,
        // Generated, as before: the function waits quietly until it holds credentials.
        GenerateSecretString: {},
      });
    const granted = grantedTo(template, 'secretsmanager:GetSecretValue');
    for (const prefix of ['DepotsDepoteast', 'DepotsDepotwest', 'DepotsDepotharbour'])
      expect(granted.some((g) => g.startsWith(`<${prefix}`))).toBe(true);
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;
    expect(outputs.DepotCredentialsHarbour?.Description).toContain('Depot harbour');
  });

  it('runs Plan, then a Distributed Map of retried and caught shards, then Finish', () => {
    const [[, machine]] = resources(template, 'AWS::StepFunctions::StateMachine') as [
      [string, Resource],
    ];
    expect(machine.Properties.StateMachineType ?? 'STANDARD').toBe('STANDARD');
    const definition = JSON.parse(
      render(machine.Properties.DefinitionString).replace(/<[^>]+>/g, 'ARN'),
    );
    expect(definition.StartAt).toBe('Plan');
    const { Plan, Shards, Finish } = definition.States;
    expect(Plan).toMatchObject({ Type: 'Task', Parameters: { kind: 'plan' }, Next: 'Shards' });
    expect(Shards).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.shards',
      ItemSelector: {
        'runId.$': '$.runId',
        'startedAt.$': '$.startedAt',
        'shard.$': '$$.Map.Item.Value',
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      MaxConcurrency: SHARDS,
      ResultPath: '$.shards',
      Next: 'Finish',
    });
    const shard = Shards.ItemProcessor.States[Shards.ItemProcessor.StartAt];
    expect(shard.Parameters).toEqual({
      kind: 'shard',
      'runId.$': '$.runId',
      'startedAt.$': '$.startedAt',
      'shard.$': '$.shard',
    });
    expect(shard.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 2, BackoffRate: 2 }),
    ]);
    expect(shard.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ShardFailed' },
    ]);
    // The caught failure becomes {shard, error}, a ShardFailure, and the child ends there.
    expect(Shards.ItemProcessor.States.ShardFailed).toMatchObject({
      Type: 'Pass',
      Parameters: { 'shard.$': '$.shard', 'error.$': '$.error' },
      End: true,
    });
    expect(Finish).toMatchObject({
      Type: 'Task',
      Parameters: {
        kind: 'finish',
        'runId.$': '$.runId',
        'startedAt.$': '$.startedAt',
        'shards.$': '$.shards',
      },
      End: true,
    });
    // 15-minute interval less the 5-minute timeout: no invocation outlives its run.
    expect(definition.TimeoutSeconds).toBe(600);
    expect(machine.Properties).toMatchObject({
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('lets the shards run side by side, each planned as the stack sized it', () => {
    expect(scanFunction(template).props.ReservedConcurrentExecutions).toBe(SHARDS);
    expect(environment(template).DEPOT_WATCH_SHARD_CONNECTORS).toBe(String(PER_SHARD));
  });

  it('starts the state machine on the schedule, and no longer invokes the function', () => {
    const [[machineId]] = resources(template, 'AWS::StepFunctions::StateMachine') as [
      [string, Resource],
    ];
    const schedules = resources(template, 'AWS::Scheduler::Schedule').map(
      ([, r]) => (r.Properties.Target as { Arn: unknown }).Arn,
    );
    expect(schedules).toContainEqual({ Ref: machineId });
    expect(schedules).not.toContainEqual({ 'Fn::GetAtt': [scanFunction(template).id, 'Arn'] });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({
        Arn: { Ref: machineId },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
      }),
    });
  });

  it('alarms on failed or timed-out runs, keeping the heartbeat', () => {
    const [[machineId]] = resources(template, 'AWS::StepFunctions::StateMachine') as [
      [string, Resource],
    ];
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const runs = alarms.filter((a) => JSON.stringify(a).includes('ExecutionsFailed'));
    expect(runs).toHaveLength(1);
    const metrics = (
      (runs[0]?.Metrics ?? []) as { MetricStat?: { Metric: Record<string, unknown> } }[]
    ).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    expect(metrics.map((m) => m.MetricName).sort()).toEqual([
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    for (const metric of metrics) {
      expect(metric.Namespace).toBe('AWS/States');
      expect(metric.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: machineId } }]);
    }
    expect(JSON.stringify(runs[0]?.AlarmActions)).toContain('AlertsAlarmTopic');
    expect(alarms.some((a) => JSON.stringify(a.Metrics ?? []).includes('"ScanSucceeded"'))).toBe(
      true,
    );
    // A shard's error that a retry mends is no failed run: the function's Errors alarm goes.
    const scanErrors = alarms.filter(
      (a) =>
        a.MetricName === 'Errors' &&
        JSON.stringify(a.Dimensions).includes(`"${scanFunction(template).id}"`),
    );
    expect(scanErrors).toEqual([]);
  });

  it('names the depots in Athena but lets queries name the chargers of so large a fleet', () => {
    const reports = table(template, 'session_reports').Properties.TableInput;
    expect(reports.Parameters).toMatchObject({
      'projection.depot.values': 'north,south,east,west,harbour',
      'projection.charger.type': 'injected',
    });
    expect(reports.Parameters).not.toHaveProperty('projection.charger.values');
  });

  it('refuses an interval too short for a run and its invocations to end before the next', () => {
    expect(() => synth({ config: { depots }, timeoutMinutes: 10 }, false)).toThrow(
      /scheduleMinutes \(15\) must be at least twice timeoutMinutes \(10\)/,
    );
  });
});
