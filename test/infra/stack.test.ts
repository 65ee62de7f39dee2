import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { parseDeployment } from '../../infra/deployment-settings.ts';

const EXAMPLE_CONTEXT = {
  configFile: 'examples/depot.json',
  alertEmails: [
    { address: 'depot-engineers@example.com', minSeverity: 'warning' },
    { address: 'night-shift@example.com', minSeverity: 'critical' },
  ],
  slack: { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' },
};

/** The feature flags cdk.json gives the app, as the CLI would. */
const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;

/** Synthesizes the app with the given context into a fresh folder, cdk-nag included. */
function synth(context: Record<string, unknown>, validation = false) {
  process.env.CDK_VALIDATION = validation ? 'true' : 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-cdk-'));
  const { app, stack } = buildApp(new App({ context: { ...FLAGS, ...context }, outdir }));
  app.synth();
  return { template: Template.fromStack(stack), outdir };
}

let template: Template;
let outdir: string;
// Two functions are bundled: under a loaded machine that takes a while.
beforeAll(() => {
  ({ template, outdir } = synth(EXAMPLE_CONTEXT, true));
}, 120_000);

/** A CloudFormation Ref to a logical id starting with the prefix: for Template matchers... */
const ref = (logicalIdPrefix: string) => ({ Ref: Match.stringLikeRegexp(`^${logicalIdPrefix}`) });
/** ...and for plain expect(). */
const refTo = (logicalIdPrefix: string) => ({
  Ref: expect.stringMatching(new RegExp(`^${logicalIdPrefix}`)),
});
/** The conditions that admit CloudWatch only for this account's alarms. */
const FROM_OWN_ALARMS = {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':cloudwatch:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':alarm:*',
        ],
      ],
    },
  },
};
type PolicyStatement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};
/** Every statement of the policy documents of resources of a type, with a property filter. */
function statementsOf(type: string, props: Record<string, unknown> = {}): PolicyStatement[] {
  return Object.values(template.findResources(type, { Properties: props })).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: PolicyStatement[] } } }).Properties
        .PolicyDocument.Statement,
  );
}

type AlarmMetric = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { MetricName: string; Namespace: string }; Period: number; Stat: string };
};
/** The alarm on the scan's heartbeat: the one that breaches when no run is alive. */
function heartbeatAlarm(): Record<string, unknown> & { Metrics: AlarmMetric[] } {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
    Properties: Record<string, unknown> & { Metrics?: AlarmMetric[] };
  }[];
  const found = alarms.filter((a) =>
    a.Properties.Metrics?.some((m) => m.MetricStat?.Metric.MetricName === 'ScanSucceeded'),
  );
  expect(found).toHaveLength(1);
  return found[0]?.Properties as Record<string, unknown> & { Metrics: AlarmMetric[] };
}

describe('the depot-watch stack', () => {
  it('keeps the archive private, encrypted, versioned, logged, SSL-only and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: {
          DestinationBucketName: ref('BucketsLogs'),
          LogFilePrefix: 'archive-access/',
        },
      }),
    });
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const denyInsecure = Object.values(policies).filter((p) =>
      JSON.stringify(p).includes('"aws:SecureTransport":"false"'),
    );
    expect(denyInsecure.length).toBeGreaterThanOrEqual(2);
  });

  it('expires old versions rather than moving small reports to colder classes', () => {
    const [archive] = Object.values(
      template.findResources('AWS::S3::Bucket', {
        Properties: { VersioningConfiguration: { Status: 'Enabled' } },
      }),
    );
    const rules = (
      archive as { Properties: { LifecycleConfiguration: { Rules: Record<string, unknown>[] } } }
    ).Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
    );
    expect(JSON.stringify(rules)).not.toContain('Transition');
    // What the shards of a fanned-out run keep for its end is read once, then expires.
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: 'state/runs/', ExpirationInDays: 3, Status: 'Enabled' }),
    );
  });

  it('encrypts the alert and report topics with the free AWS-managed key and makes no key of its own', () => {
    // A customer-managed key costs $1 a month; the alarm topic is the only one CloudWatch
    // publishes to, and it cannot use the AWS-managed key, so it goes without.
    template.resourceCountIs('AWS::KMS::Key', 0);
    const topics = template.findResources('AWS::SNS::Topic');
    // Alerts, the watchdog's alarms, and the weekly health report.
    expect(Object.keys(topics)).toHaveLength(3);
    const keyOf = (id: string) =>
      Object.entries(topics).find(([logicalId]) => logicalId.startsWith(id))?.[1]?.Properties
        ?.KmsMasterKeyId;
    // The alias's ARN, `arn:<partition>:kms:<region>:<account>:alias/aws/sns`.
    expect(JSON.stringify(keyOf('AlertsTopic'))).toMatch(/:alias\/aws\/sns"\]\]\}$/);
    expect(JSON.stringify(keyOf('AlertsReportTopic'))).toMatch(/:alias\/aws\/sns"\]\]\}$/);
    expect(keyOf('AlertsAlarmTopic')).toBeUndefined();
  });

  it('lets CloudWatch alarms of this account, and nothing without SSL, publish to the alarm topic', () => {
    const statements = statementsOf('AWS::SNS::TopicPolicy', { Topics: [ref('AlertsAlarmTopic')] });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: refTo('AlertsAlarmTopic'),
        Condition: FROM_OWN_ALARMS,
      }),
    );
    // The scan's own topic stays closed to CloudWatch: alarms have no business there.
    const alertTopic = JSON.stringify(
      statementsOf('AWS::SNS::TopicPolicy', { Topics: [ref('AlertsTopic')] }),
    );
    expect(alertTopic).toContain('aws:SecureTransport');
    expect(alertTopic).not.toContain('cloudwatch.amazonaws.com');
  });

  it('denies every PUT to archived reports and quarantine that could overwrite one', () => {
    const statements = statementsOf('AWS::S3::BucketPolicy', { Bucket: ref('BucketsArchive') });
    const archiveObjects = (folder: string) => ({
      'Fn::Join': [
        '',
        [
          { 'Fn::GetAtt': [expect.stringMatching(/^BucketsArchive/), 'Arn'] },
          `/archive/${folder}/*`,
        ],
      ],
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: expect.arrayContaining([
          archiveObjects('reports'),
          archiveObjects('quarantine'),
          archiveObjects('incidents'),
        ]),
        Condition: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  });

  it('subscribes each email with its severity filter and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'depot-engineers@example.com',
      FilterPolicy: { severity: ['warning', 'critical'] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'night-shift@example.com',
      FilterPolicy: { severity: ['critical'] },
    });
  });

  it('wires Slack through Chatbot with a narrow guardrail instead of administrator access', () => {
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0456EFGH',
      SnsTopicArns: [ref('AlertsTopic'), ref('AlertsAlarmTopic'), ref('AlertsReportTopic')],
      GuardrailPolicies: [ref('AlertsChatGuardrail')],
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('AdministratorAccess');
  });

  it('runs one scan at a time on arm64 with the current Node runtime, failures to a queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      ReservedConcurrentExecutions: 1,
      LoggingConfig: Match.objectLike({ LogGroup: ref('ScanLogs') }),
      Environment: {
        Variables: Match.objectLike({
          DEPOT_WATCH_CREDENTIALS_SECRET: ref('ScanCredentials'),
          // Three quarters of 512 MB, so the collector works within the function's memory.
          NODE_OPTIONS: '--max-old-space-size=384 --max-semi-space-size=4',
        }),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ScanFailedInvocations'), 'Arn'] },
        },
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: Match.anyValue(),
      }),
    });
  });

  it('scopes the function role to its prefixes, its topic, its parameter and its one secret', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [ref('ScanRole')] },
    });
    type Statement = { Action: string | string[]; Resource: unknown };
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
          .PolicyDocument.Statement,
    );
    const text = JSON.stringify(statements);
    expect(statements.some((s) => s.Resource === '*')).toBe(false);
    expect(text).toContain('/archive/*');
    expect(text).toContain('/state/*');
    const byAction = (action: string) =>
      statements.filter((s) => [s.Action].flat().includes(action));
    expect(byAction('s3:PutObject').flatMap((s) => [s.Resource].flat())).toHaveLength(2);
    expect(byAction('sns:Publish')[0]?.Resource).toEqual(refTo('AlertsTopic'));
    expect(byAction('secretsmanager:GetSecretValue')[0]?.Resource).toEqual(
      refTo('ScanCredentials'),
    );
    expect(JSON.stringify(byAction('ssm:GetParameter'))).toContain('parameter/');
    // The extension calls GetParameter and nothing else of SSM.
    const ssmActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => /^ssm:/.test(a));
    expect(ssmActions).toEqual(['ssm:GetParameter']);
  });

  it('alarms to the alarm topic on errors, a missing heartbeat, dead letters and a failed report', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: Record<string, unknown>;
    }[];
    // Four for the scan (errors, heartbeat, its dead letters, undeliverable alerts), two for
    // the weekly report (its errors, its dead letters): each alarm metric is $0.10 a month.
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual([refTo('AlertsAlarmTopic')]);
    const heartbeat = heartbeatAlarm();
    expect(heartbeat).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(heartbeat.Metrics.find((m) => m.Id === 'succeeded')?.MetricStat).toMatchObject({
      Metric: { MetricName: 'ScanSucceeded', Namespace: 'DepotWatch' },
      Period: 1800,
      Stat: 'Sum',
    });
    // A failed connector fails the invocation: Lambda's own Errors metric (free) says so, on
    // the first such run, and names no connector in a custom metric.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      EvaluationPeriods: 1,
      AlarmDescription: Match.stringLikeRegexp('scan incomplete'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    const read = JSON.stringify(alarms);
    expect(read).not.toContain('ConnectorFailures');
    expect(read).not.toContain('Throttles');
  });

  it('keeps the credentials secret generated as it always was, so an upgrade never overwrites it', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(secrets).toHaveLength(1);
    const [secret] = secrets;
    // CloudFormation writes a changed SecretString or GenerateSecretString over the operator's
    // credentials: the template keeps what every earlier version deployed.
    expect(secret?.Properties.SecretString).toBeUndefined();
    expect(secret?.Properties.GenerateSecretString).toEqual({});
    expect(secret?.Properties.Description).toBe(
      'DepotFinity client credentials: {"clientId": "...", "clientSecret": "..."}',
    );
  });

  it('counts a run waiting for its credentials as alive, and as no failure, in the alarms', () => {
    const heartbeat = heartbeatAlarm();
    const ids = Object.fromEntries(
      heartbeat.Metrics.filter((m) => m.MetricStat).map((m) => [
        m.Id,
        m.MetricStat?.Metric.MetricName,
      ]),
    );
    expect(ids).toEqual({ succeeded: 'ScanSucceeded', notConfigured: 'NotConfigured' });
    const [expression] = heartbeat.Metrics.filter((m) => m.Expression && m.ReturnData !== false);
    expect(expression?.Expression).toBe('FILL(succeeded, 0) + FILL(notConfigured, 0)');
    // The alarms that count failures never read NotConfigured: such a run returns normally
    // (no Lambda error, no dead letter) and reports no failed connector.
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const readingIt = alarms.filter((a) => JSON.stringify(a).includes('NotConfigured'));
    expect(readingIt).toEqual([expect.objectContaining({ Properties: heartbeat })]);
  });

  it('creates an Athena table with partition projection over the archive', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'session_reports',
        PartitionKeys: [
          { Name: 'charger', Type: 'string' },
          { Name: 'connector', Type: 'string' },
          { Name: 'date', Type: 'string' },
        ],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.charger.type': 'enum',
          'projection.charger.values': 'HPC-001,HPC-002,PANTO-07',
          'projection.date.type': 'date',
          'projection.date.range': '2020-01-01,NOW',
        }),
      }),
    });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ EnforceWorkGroupConfiguration: true }),
    });
  });

  it('bundles a minified handler with the SDK inside and environment-only credentials', () => {
    const asset = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(outdir, d, 'index.mjs'))
      .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile())
      // Two functions are bundled; this is the scan's.
      .find((f) => readFileSync(f, 'utf8').includes('ScanIncompleteError'));
    expect(asset).toBeDefined();
    const code = readFileSync(asset as string, 'utf8');
    const lines = code.split('\n').length;
    console.log(`bundled handler: ${(code.length / 1024).toFixed(1)} KiB in ${lines} lines`);
    // Checked as booleans: a failure should not print 700 KB of minified code.
    expect(code.includes('ScanIncompleteError')).toBe(true);
    expect(/export\s*\{[^}]*\bhandler\b/.test(code)).toBe(true);
    expect(code.includes('"PublishBatch"')).toBe(true);
    // Credentials come from the environment only: the SSO, INI and STS web-identity providers
    // and the nested STS client stay out (infra/bundling.ts), about 120 KiB.
    expect(code.includes('Unable to find environment variable credentials')).toBe(true);
    for (const chainOnly of [
      'credential-provider-sso',
      'credential-provider-ini',
      'AssumeRoleWithWebIdentity',
    ]) {
      expect(code.includes(chainOnly), chainOnly).toBe(false);
    }
    expect(code.length / lines).toBeGreaterThan(1_000); // minified: long lines, no indentation
  });
});

describe('deployment settings', () => {
  it('deploys with no context at all: no email, no Slack, a fleet to fill in', () => {
    const bare = synth({}).template;
    bare.resourceCountIs('AWS::SNS::Subscription', 0);
    bare.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    bare.hasResourceProperties('AWS::SSM::Parameter', { Value: '{"fleet":[]}' });
    bare.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Parameters: Match.objectLike({ 'projection.charger.type': 'injected' }),
      }),
    });
  });

  it('packs a large fleet into the config parameter', () => {
    const fleet = Array.from({ length: 400 }, (_, i) => ({
      chargerId: `HPC-${String(i + 1).padStart(3, '0')}`,
      connectors: ['1', '2'],
    }));
    const { template: big } = synth({ config: { fleet } });
    const [parameter] = Object.values(big.findResources('AWS::SSM::Parameter')) as {
      Properties: { Value: string };
    }[];
    expect(parameter?.Properties.Value).toMatch(/^gzip:/);
    expect(parameter?.Properties.Value.length).toBeLessThan(8_192);
  });

  it('fails synth on a wrong threshold, naming the field', () => {
    const config = {
      fleet: [{ chargerId: 'A', connectors: ['1'] }],
      thresholds: { 'soc-shortfall': { targetSocPercent: 120 } },
    };
    expect(() => synth({ config })).toThrow('thresholds.soc-shortfall.targetSocPercent');
  });

  it('fails synth on a wrong context value, naming the key', () => {
    expect(() => synth({ alertEmails: [{ address: 'not-an-email' }] })).toThrow(
      'alertEmails.0.address',
    );
    const config = {
      fleet: [{ chargerId: 'A', connectors: ['1'] }],
      credentials: { clientSecret: 'x' },
    };
    expect(() => synth({ config })).toThrow('credentials do not belong in the config');
  });

  it("fails synth on a context key nothing reads, naming it, yet accepts CDK's own", () => {
    expect(() => synth({ alertEmail: 'ops@example.com' })).toThrow('"alertEmail"');
    expect(() =>
      parseDeployment(
        { ...FLAGS, someKey: 'value', 'aws:cdk:enable-path-metadata': true },
        Object.keys(FLAGS),
      ),
    ).toThrow(/unknown CDK context key "someKey"/);
    const cdkOwn = {
      'aws:cdk:bundling-stacks': ['**'],
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'cli-telemetry': false,
      stackName: 'DepotWatchTest',
    };
    expect(parseDeployment(cdkOwn, ['cli-telemetry']).scheduleMinutes).toBe(15);
    // cdk.json's keys pass only because the app names them; an unknown one is still reported.
    expect(() => parseDeployment(cdkOwn)).toThrow('"cli-telemetry"');
  });

  it('fails synth when cdk-nag finds something nobody acknowledged', () => {
    process.env.CDK_VALIDATION = 'false';
    const app = new App({
      context: FLAGS,
      outdir: mkdtempSync(join(tmpdir(), 'depot-watch-nag-')),
    });
    const { stack } = buildApp(app);
    new s3.Bucket(stack as Stack, 'CarelessBucket', { removalPolicy: RemovalPolicy.DESTROY });
    expect(() => app.synth()).toThrow(/AwsSolutions-S1'/);
    // The report blames the careless bucket, and only it: the rest of the stack stays clean.
    type Report = {
      pluginReports: {
        violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
      }[];
    };
    const report = JSON.parse(
      readFileSync(join(app.outdir, 'validation-report.json'), 'utf8'),
    ) as Report;
    const violations = report.pluginReports.flatMap((p) => p.violations);
    expect(violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
    const paths = violations.flatMap((v) => v.violatingConstructs.map((c) => c.constructPath));
    expect(paths.every((path) => path.startsWith('DepotWatch/CarelessBucket/'))).toBe(true);
  });
});

describe('npx cdk synth', () => {
  it('works offline on a clean checkout with the example context of docs/deploy.md', async () => {
    const cdkOut = mkdtempSync(join(tmpdir(), 'depot-watch-cdk-cli-'));
    const context = [
      `configFile=${EXAMPLE_CONTEXT.configFile}`,
      `alertEmails=${JSON.stringify(EXAMPLE_CONTEXT.alertEmails)}`,
      `slack=${JSON.stringify(EXAMPLE_CONTEXT.slack)}`,
    ].flatMap((c) => ['-c', c]);
    const { stdout } = await promisify(execFile)(
      'npx',
      ['cdk', 'synth', '--quiet', '--output', cdkOut, ...context],
      {
        env: { ...process.env, CDK_VALIDATION: 'false' },
        timeout: 120_000,
      },
    );
    expect(stdout).not.toContain('ERROR');
    expect(readdirSync(cdkOut)).toContain('DepotWatch.template.json');
  }, 120_000);
});
