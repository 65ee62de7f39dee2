import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertEntry } from '../../functions/notifiers/notifier.ts';
import { buildApp } from '../../infra/app.ts';
import { deployedChannels } from '../../infra/notifier-channels.ts';

/** The feature flags cdk.json gives the app, as the CLI would. */
const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
const TEAMS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:depot-watch/teams-AbC123';

/** A config with a PagerDuty and a Teams channel, their secrets by reference. */
function config(alerts: unknown[]) {
  return { fleet: [{ chargerId: 'HPC-001', connectors: ['1', '2'] }], alerts };
}
const CHANNELS = [
  'stdout',
  {
    type: 'pagerduty',
    routingKey: { secret: 'depot-watch/pagerduty' },
    route: { severities: ['critical'] },
  },
  { type: 'teams', url: { secret: TEAMS_ARN } },
];

/** Synthesizes with cdk-nag on (a finding fails it), functions not bundled: the template is the point. */
function synth(context: Record<string, unknown>): Template {
  process.env.CDK_VALIDATION = 'true';
  const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-notifier-'));
  const app = new App({ context: { ...FLAGS, 'aws:cdk:bundling-stacks': [], ...context }, outdir });
  const { stack } = buildApp(app);
  app.synth();
  return Template.fromStack(stack);
}

let template: Template;
beforeAll(() => {
  template = synth({ config: config(CHANNELS) });
}, 60_000);

/** The notifier function's logical id and properties. */
type FunctionProps = {
  Environment: { Variables: Record<string, string> };
  ReservedConcurrentExecutions: number;
};
function notifier(t: Template): [string, FunctionProps] {
  const found = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([, r]) =>
    JSON.stringify(r).includes('DEPOT_WATCH_NOTIFIERS'),
  );
  expect(found).toHaveLength(1);
  return [found[0]?.[0] ?? '', found[0]?.[1].Properties as FunctionProps];
}

describe('the notifier function', () => {
  it('is made only when the config names a remote channel', () => {
    // The stack makes it for these entries, and only these (infra/depot-watch-stack.ts).
    const arn = 'arn:aws:sns:eu-west-1:123456789012:depot-watch';
    expect(deployedChannels(['stdout', 'alerts.jsonl', arn]).entries).toEqual([]);
    expect(deployedChannels(CHANNELS as AlertEntry[]).secretIds).toEqual([
      'depot-watch/pagerduty',
      TEAMS_ARN,
    ]);
  });

  it('gets the channels with their secrets by reference, one invocation at a time', () => {
    const [, props] = notifier(template);
    const channels = JSON.parse(props.Environment.Variables.DEPOT_WATCH_NOTIFIERS ?? '[]') as {
      type: string;
      routingKey?: unknown;
    }[];
    expect(channels.map((c) => c.type)).toEqual(['pagerduty', 'teams']);
    expect(channels[0]?.routingKey).toEqual({ secret: 'depot-watch/pagerduty' });
    expect(props.ReservedConcurrentExecutions).toBe(1);
  });

  it('is subscribed to the alert topic, retried twice, then its dead-letter queue, with an alarm on it', () => {
    const [id] = notifier(template);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [id, 'Arn'] },
      TopicArn: { Ref: Match.stringLikeRegexp('^AlertsTopic') },
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^NotifierFailedInvocations'), 'Arn'],
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^NotifierFailedInvocations'), 'Arn'],
          },
        },
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('Notifier/FailedInvocations'),
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^NotifierFailedInvocations'), 'QueueName'],
          },
        },
      ],
    });
  });

  it('may read exactly the secrets the channels name', () => {
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^NotifierRole') }] },
      }),
    ).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[],
    );
    const secrets = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    const resources = secrets.flatMap((s) =>
      Array.isArray(s.Resource) ? s.Resource : [s.Resource],
    );
    expect(JSON.stringify(resources)).toContain(':secret:depot-watch/pagerduty-??????');
    expect(resources).toContain(TEAMS_ARN);
    expect(resources).toHaveLength(2);
  });

  it('fails synth for a channel secret written in the config or in the environment', () => {
    const inline = [{ type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' }];
    expect(() => synth({ config: config(inline) })).toThrow(
      'alerts.0: a deployed slack channel reads its secrets from Secrets Manager',
    );
    const env = [{ type: 'webhook', url: { secret: 'hook' }, signingKey: { env: 'KEY' } }];
    expect(() => synth({ config: config(env) })).toThrow('alerts.0: a deployed webhook channel');
  });
});
