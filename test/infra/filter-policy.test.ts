import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';

/**
 * Who hears what: the synthesized subscriptions and their filter policies, evaluated the way
 * SNS does by the small evaluator below, which shares no code with the stack.
 */

type Attribute = { DataType: 'String' | 'String.Array'; StringValue: string };
type Attributes = Record<string, Attribute>;
type Condition = string | { exists: boolean };
type FilterPolicy = Record<string, Condition[]>;

/**
 * SNS attribute filtering, as far as depot-watch uses it: keys ANDed, each key's conditions
 * ORed; a String.Array attribute matches when any element does. A message without any
 * attribute matches no filter policy, `{"exists": false}` included (SNS's key-matching rule:
 * "exists: false only matches if at least one attribute is present").
 */
function filterAccepts(policy: FilterPolicy | undefined, attributes: Attributes): boolean {
  if (policy === undefined) return true;
  if (Object.keys(attributes).length === 0) return false;
  return Object.entries(policy).every(([key, conditions]) =>
    conditions.some((condition) => conditionAccepts(condition, attributes[key])),
  );
}

function conditionAccepts(condition: Condition, attribute: Attribute | undefined): boolean {
  if (typeof condition === 'string') return valuesOf(attribute).includes(condition);
  if (Object.keys(condition).join() !== 'exists' || typeof condition.exists !== 'boolean')
    throw new Error(`the test evaluator does not know ${JSON.stringify(condition)}`);
  return condition.exists === (attribute !== undefined);
}

function valuesOf(attribute: Attribute | undefined): string[] {
  if (attribute === undefined) return [];
  if (attribute.DataType === 'String') return [attribute.StringValue];
  return (JSON.parse(attribute.StringValue) as unknown[]).filter(
    (v): v is string => typeof v === 'string',
  );
}

describe('the filter evaluator', () => {
  const withSeverity = (severity: string): Attributes => ({
    severity: { DataType: 'String', StringValue: severity },
  });
  it('matches exact strings, ORed within a key, ANDed across keys', () => {
    expect(filterAccepts({ severity: ['warning', 'critical'] }, withSeverity('critical'))).toBe(
      true,
    );
    expect(filterAccepts({ severity: ['warning', 'critical'] }, withSeverity('info'))).toBe(false);
    expect(
      filterAccepts({ severity: ['critical'], rule: ['soc-shortfall'] }, withSeverity('critical')),
    ).toBe(false);
  });
  it('matches a String.Array attribute when any element matches', () => {
    const attributes: Attributes = {
      event: { DataType: 'String.Array', StringValue: '["opened","resolved"]' },
    };
    expect(filterAccepts({ event: ['resolved'] }, attributes)).toBe(true);
    expect(filterAccepts({ event: ['escalated'] }, attributes)).toBe(false);
  });
  it('matches on a key present or absent, but never a message without attributes', () => {
    expect(filterAccepts({ severity: [{ exists: true }] }, withSeverity('info'))).toBe(true);
    expect(filterAccepts({ rule: [{ exists: false }] }, withSeverity('info'))).toBe(true);
    expect(filterAccepts({ severity: [{ exists: false }] }, withSeverity('info'))).toBe(false);
    expect(filterAccepts({ severity: [{ exists: false }] }, {})).toBe(false);
    expect(filterAccepts(undefined, {})).toBe(true);
  });
});

const SEVERITIES = ['info', 'warning', 'critical'] as const;
type Severity = (typeof SEVERITIES)[number];
const EMAILS: { address: string; minSeverity: Severity }[] = [
  { address: 'everything@example.com', minSeverity: 'info' },
  { address: 'depot-engineers@example.com', minSeverity: 'warning' },
  { address: 'night-shift@example.com', minSeverity: 'critical' },
];

type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Resource[];

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  const flags = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
  const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-filter-'));
  // Email only, no Slack: the deployment that must still hear that scanning stopped.
  const { app, stack } = buildApp(new App({ context: { ...flags, alertEmails: EMAILS }, outdir }));
  app.synth();
  resources = Object.values(
    Template.fromStack(stack).toJSON().Resources as Record<string, Resource>,
  );
});

const ofType = (type: string) => resources.filter((r) => r.Type === type);

/** Whether a message published to the topic (by logical id) reaches the email address. */
function delivered(address: string, topicId: string, attributes: Attributes): boolean {
  return ofType('AWS::SNS::Subscription').some(({ Properties: p }) => {
    if (p.Protocol !== 'email' || p.Endpoint !== address) return false;
    if ((p.TopicArn as { Ref?: string }).Ref !== topicId) return false;
    expect(p.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
    return filterAccepts(p.FilterPolicy as FilterPolicy | undefined, attributes);
  });
}

describe('alert delivery to email', () => {
  it('brings every watchdog alarm, which carries no message attributes, to every address', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      const [action] = alarm.Properties.AlarmActions as { Ref: string }[];
      for (const { address } of EMAILS) {
        expect({ alarm: alarm.Properties.AlarmDescription, address, delivered: true }).toEqual({
          alarm: alarm.Properties.AlarmDescription,
          address,
          delivered: delivered(address, action?.Ref ?? '', {}),
        });
      }
    }
  });

  it("brings the scan's alerts to each address exactly from its least severity up", () => {
    type Env = { Variables?: Record<string, { Ref?: string }> };
    const alertTopics = ofType('AWS::Lambda::Function').flatMap((f) => {
      const topic = (f.Properties.Environment as Env | undefined)?.Variables?.DEPOT_WATCH_ALERTS;
      return topic?.Ref ? [topic.Ref] : [];
    });
    expect(alertTopics).toHaveLength(1);
    const alertTopic = alertTopics[0] ?? '';
    expect(alertTopic).toMatch(/^AlertsTopic/);
    for (const severity of SEVERITIES) {
      const attributes: Attributes = {
        severity: { DataType: 'String', StringValue: severity },
        event: { DataType: 'String.Array', StringValue: '["opened"]' },
        rule: { DataType: 'String.Array', StringValue: '["soc-shortfall","slow-charge"]' },
      };
      for (const { address, minSeverity } of EMAILS) {
        const expected = SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(minSeverity);
        expect({
          severity,
          address,
          delivered: delivered(address, alertTopic, attributes),
        }).toEqual({ severity, address, delivered: expected });
      }
    }
  });
});
