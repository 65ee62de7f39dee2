import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';

/**
 * The weekly health report as deployed: its schedule, its topic and who hears it, what its
 * role may touch, and the alarm on it. Synthesized with cdk-nag, which fails synth on any
 * finding nobody acknowledged.
 */

const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
const CONTEXT = {
  configFile: 'examples/depot.json',
  alertEmails: [
    { address: 'depot-engineers@example.com', minSeverity: 'warning' },
    { address: 'night-shift@example.com', minSeverity: 'critical' },
  ],
  vehicleEmails: [{ address: 'fleet-maintenance@example.com', minSeverity: 'warning' }],
  slack: { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' },
  timeZone: 'Europe/Berlin',
};

function synth(context: Record<string, unknown>, validation = false): Template {
  process.env.CDK_VALIDATION = validation ? 'true' : 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-cdk-report-'));
  const { app, stack } = buildApp(new App({ context: { ...FLAGS, ...context }, outdir }));
  app.synth();
  return Template.fromStack(stack);
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};
type Resource = { Properties: Record<string, unknown> };

let template: Template;
beforeAll(() => {
  // With cdk-nag on: an unacknowledged finding anywhere would throw here.
  template = synth(CONTEXT, true);
}, 120_000);

const ofType = (type: string, props: Record<string, unknown> = {}) =>
  Object.entries(template.findResources(type, { Properties: props })) as [string, Resource][];
const idOf = (type: string, prefix: string) => {
  const found = ofType(type).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return (found[0] as [string, Resource])[0];
};

describe('the weekly health report', () => {
  it('runs Mondays at 06:00 in the configured time zone, retried, failures to its own queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportFunction'), 'Arn'] },
        Input: Match.stringLikeRegexp('<aws.scheduler.scheduled-time>'),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21_600 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportFailedInvocations'), 'Arn'] },
        },
      }),
    });
  });

  it('takes reportSchedule as the expression and defaults the time zone to UTC', () => {
    const other = synth({ reportSchedule: 'cron(30 5 ? * SUN *)' });
    other.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 5 ? * SUN *)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it('runs the bundled report handler on arm64 and the current Node, with its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: Match.stringLikeRegexp('^ReportLogs') } }),
      Environment: {
        Variables: Match.objectLike({
          DEPOT_WATCH_REPORT_BUCKET: { Ref: Match.stringLikeRegexp('^BucketsArchive') },
          DEPOT_WATCH_REPORT_TOPIC: { Ref: Match.stringLikeRegexp('^AlertsReportTopic') },
          DEPOT_WATCH_DEPOT_NAME: 'depot',
        }),
      },
    });
  });

  it('publishes to a topic under the AWS-managed SNS key, SSL-only, that every address hears unfiltered, and Slack', () => {
    const topicId = idOf('AWS::SNS::Topic', 'AlertsReportTopic');
    const topic = template.toJSON().Resources[topicId] as Resource;
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toMatch(/:alias\/aws\/sns"\]\]\}$/);
    const policy = JSON.stringify(
      ofType('AWS::SNS::TopicPolicy').filter(([, p]) =>
        JSON.stringify(p.Properties.Topics).includes(topicId),
      ),
    );
    expect(policy).toContain('"aws:SecureTransport":"false"');
    const subscriptions = ofType('AWS::SNS::Subscription').filter(
      ([, s]) => (s.Properties.TopicArn as { Ref?: string }).Ref === topicId,
    );
    expect(subscriptions.map(([, s]) => s.Properties.Endpoint).sort()).toEqual([
      'depot-engineers@example.com',
      'fleet-maintenance@example.com',
      'night-shift@example.com',
    ]);
    for (const [, s] of subscriptions) {
      expect(s.Properties.Protocol).toBe('email');
      // The report carries no message attributes: any filter would drop it.
      expect(s.Properties.FilterPolicy).toBeUndefined();
      expect(s.Properties.RedrivePolicy).toBeDefined();
    }
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SnsTopicArns: Match.arrayWith([{ Ref: topicId }]),
    });
  });

  it("limits the role to the report's prefixes and its topic", () => {
    const roleId = idOf('AWS::IAM::Role', 'ReportRole');
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.some((a) => a === '*' || a === 's3:*')).toBe(false);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(statements.some((s) => s.Resource === '*')).toBe(false);
    const objectsOf = (action: string) =>
      statements
        .filter((s) => [s.Action].flat().includes(action))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r).match(/"(\/[^"]*)"/)?.[1] ?? JSON.stringify(r))
        .sort();
    expect(objectsOf('s3:GetObject')).toEqual([
      '/archive/incidents/*',
      '/health-reports/*',
      '/state/*',
    ]);
    expect(objectsOf('s3:PutObject')).toEqual(['/health-reports/*']);
    // ListBucket on this bucket alone (documented in the construct: a missing day reads 404).
    const list = statements.filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(list.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^BucketsArchive/), 'Arn'] },
    ]);
    const publish = statements.filter((s) => [s.Action].flat().includes('sns:Publish'));
    expect(publish.map((s) => s.Resource)).toEqual([
      { Ref: expect.stringMatching(/^AlertsReportTopic/) },
    ]);
    // The AWS-managed SNS key lets any principal of the account use it through SNS: no grant.
    const kms = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kms).toEqual([]);
    // The on-failure destination: its own dead-letter queue only.
    const sqs = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')));
    expect(sqs.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^ReportFailedInvocations/), 'Arn'] },
    ]);
    const known = new Set([
      's3:GetObject',
      's3:PutObject',
      's3:ListBucket',
      'sns:Publish',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(actions.filter((a) => !known.has(a) && !/^(kms|sqs):/.test(a))).toEqual([]);
  });

  it('alarms to the alarm topic when a report fails', () => {
    const functionId = idOf('AWS::Lambda::Function', 'ReportFunction');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsAlarmTopic') }],
    });
  });

  it('outputs where the reports are', () => {
    template.hasOutput('HealthReports', {
      Value: {
        'Fn::Join': [
          '',
          ['s3://', { Ref: Match.stringLikeRegexp('^BucketsArchive') }, '/health-reports/'],
        ],
      },
    });
  });
});

describe('report settings', () => {
  it('fails synth on a time zone that is not an IANA name, naming the key', () => {
    expect(() => synth({ timeZone: 'Mars/Olympus_Mons' })).toThrow(/timeZone: .*IANA/);
    expect(() => synth({ timeZone: 'CET; DROP' })).toThrow(/timeZone/);
  });

  it('fails synth on a schedule that is not cron(...) or rate(...), naming the key', () => {
    expect(() => synth({ reportSchedule: 'every monday at 6' })).toThrow(
      /reportSchedule: must be an EventBridge Scheduler expression/,
    );
    expect(() => synth({ reportSchedule: 'cron(0 6 * * MON)' })).toThrow(/reportSchedule/);
  });

  it('still fails synth on a context key nothing reads', () => {
    expect(() => synth({ reportScheduel: 'cron(0 6 ? * MON *)' })).toThrow('"reportScheduel"');
  });
});
