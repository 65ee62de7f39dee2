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
type Condition = string | { exists: boolean } | { 'anything-but': string[] };
type FilterPolicy = Record<string, Condition[]>;

/**
 * SNS attribute filtering, as far as depot-watch uses it: keys ANDed, each key's conditions
 * ORed; a String.Array attribute matches an exact string when any element does, and matches
 * `anything-but` only when none of its elements is listed (SNS's string-value-matching page:
 * "For String.Array type attributes, it matches if none of the array elements are listed in
 * the policy property"); `anything-but` needs the attribute present. A message without any
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
  if ('anything-but' in condition) {
    if (Object.keys(condition).length !== 1 || !Array.isArray(condition['anything-but']))
      throw new Error(`the test evaluator does not know ${JSON.stringify(condition)}`);
    const values = valuesOf(attribute);
    return values.length > 0 && values.every((v) => !condition['anything-but'].includes(v));
  }
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
  it('matches anything-but only when no element of a String.Array is listed', () => {
    const subjects = (...values: string[]): Attributes => ({
      subject: { DataType: 'String.Array', StringValue: JSON.stringify(values) },
    });
    const policy: FilterPolicy = { subject: [{ 'anything-but': ['vehicle'] }] };
    expect(filterAccepts(policy, subjects('connector'))).toBe(true);
    expect(filterAccepts(policy, subjects('vehicle'))).toBe(false);
    expect(filterAccepts(policy, subjects('connector', 'vehicle'))).toBe(false);
    expect(filterAccepts(policy, withSeverity('info'))).toBe(false);
    expect(filterAccepts({ severity: [{ 'anything-but': ['info'] }] }, withSeverity('info'))).toBe(
      false,
    );
    expect(
      filterAccepts({ severity: [{ 'anything-but': ['info'] }] }, withSeverity('critical')),
    ).toBe(true);
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

/** The resources of the stack synthesized with these deployment settings (no Slack). */
function synthesize(context: Record<string, unknown>): Resource[] {
  process.env.CDK_VALIDATION = 'false';
  const flags = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
  const outdir = mkdtempSync(join(tmpdir(), 'depot-watch-filter-'));
  const { app, stack } = buildApp(new App({ context: { ...flags, ...context }, outdir }));
  app.synth();
  return Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>);
}

beforeAll(() => {
  // Email only, no Slack: the deployment that must still hear that scanning stopped.
  resources = synthesize({ alertEmails: EMAILS });
});

const ofType = (type: string, from = resources) => from.filter((r) => r.Type === type);

/** Whether a message published to the topic (by logical id) reaches the email address. */
function delivered(
  address: string,
  topicId: string,
  attributes: Attributes,
  from = resources,
): boolean {
  return ofType('AWS::SNS::Subscription', from).some(({ Properties: p }) => {
    if (p.Protocol !== 'email' || p.Endpoint !== address) return false;
    if ((p.TopicArn as { Ref?: string }).Ref !== topicId) return false;
    expect(p.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
    return filterAccepts(p.FilterPolicy as FilterPolicy | undefined, attributes);
  });
}

/** The topic the scan function publishes its alerts to, by logical id. */
function alertTopicOf(from = resources): string {
  type Env = { Variables?: Record<string, { Ref?: string }> };
  const alertTopics = ofType('AWS::Lambda::Function', from).flatMap((f) => {
    const topic = (f.Properties.Environment as Env | undefined)?.Variables?.DEPOT_WATCH_ALERTS;
    return topic?.Ref ? [topic.Ref] : [];
  });
  expect(alertTopics).toHaveLength(1);
  return alertTopics[0] ?? '';
}

/** The attributes the scan puts on a message, written out by hand (not by the adapter). */
function message(severity: Severity, subjects: string[]): Attributes {
  return {
    severity: { DataType: 'String', StringValue: severity },
    chargerId: { DataType: 'String', StringValue: 'HPC-007' },
    event: { DataType: 'String.Array', StringValue: '["open"]' },
    rule: { DataType: 'String.Array', StringValue: '["battery-misalignment"]' },
    subject: { DataType: 'String.Array', StringValue: JSON.stringify(subjects) },
  };
}

const atLeast = (severity: Severity, min: Severity) =>
  SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);

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
    const alertTopic = alertTopicOf();
    expect(alertTopic).toMatch(/^AlertsTopic/);
    for (const severity of SEVERITIES) {
      const attributes: Attributes = {
        severity: { DataType: 'String', StringValue: severity },
        event: { DataType: 'String.Array', StringValue: '["opened"]' },
        rule: { DataType: 'String.Array', StringValue: '["soc-shortfall","slow-charge"]' },
      };
      for (const { address, minSeverity } of EMAILS) {
        const expected = atLeast(severity, minSeverity);
        expect({
          severity,
          address,
          delivered: delivered(address, alertTopic, attributes),
        }).toEqual({ severity, address, delivered: expected });
      }
    }
  });

  it('brings vehicle incidents to every technician from their least severity up while no vehicle team is set', () => {
    const alertTopic = alertTopicOf();
    for (const severity of SEVERITIES) {
      for (const { address, minSeverity } of EMAILS) {
        expect({
          severity,
          address,
          delivered: delivered(address, alertTopic, message(severity, ['vehicle'])),
        }).toEqual({ severity, address, delivered: atLeast(severity, minSeverity) });
      }
    }
  });
});

describe('alert delivery with a vehicle maintenance team', () => {
  const VEHICLE_EMAILS: { address: string; minSeverity: Severity }[] = [
    { address: 'fleet-maintenance@example.com', minSeverity: 'warning' },
    { address: 'workshop-lead@example.com', minSeverity: 'critical' },
  ];
  const EVERYONE = [...EMAILS, ...VEHICLE_EMAILS];
  let withTeam: Resource[];
  beforeAll(() => {
    withTeam = synthesize({ alertEmails: EMAILS, vehicleEmails: VEHICLE_EMAILS });
  });

  /** Who receives a message with these attributes on the alert topic. */
  const recipients = (attributes: Attributes) =>
    EVERYONE.map((e) => e.address).filter((address) =>
      delivered(address, alertTopicOf(withTeam), attributes, withTeam),
    );

  it('brings vehicle incidents to the vehicle team from each least severity up, and to no technician', () => {
    for (const severity of SEVERITIES) {
      expect({ severity, to: recipients(message(severity, ['vehicle'])) }).toEqual({
        severity,
        to: VEHICLE_EMAILS.filter((e) => atLeast(severity, e.minSeverity)).map((e) => e.address),
      });
    }
  });

  it('keeps connector, charger and depot incidents with the technicians, away from the vehicle team', () => {
    for (const severity of SEVERITIES) {
      for (const subject of ['connector', 'charger', 'depot']) {
        expect({ severity, subject, to: recipients(message(severity, [subject])) }).toEqual({
          severity,
          subject,
          to: EMAILS.filter((e) => atLeast(severity, e.minSeverity)).map((e) => e.address),
        });
      }
    }
  });

  it('brings a message that mixes a vehicle with a connector to both', () => {
    expect(recipients(message('critical', ['connector', 'vehicle']))).toEqual(
      EVERYONE.map((e) => e.address),
    );
  });

  it('brings every watchdog alarm to every technician and every vehicle address', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm', withTeam);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      const [action] = alarm.Properties.AlarmActions as { Ref: string }[];
      const heard = EVERYONE.map((e) => e.address).filter((address) =>
        delivered(address, action?.Ref ?? '', {}, withTeam),
      );
      expect({ alarm: alarm.Properties.AlarmDescription, heard }).toEqual({
        alarm: alarm.Properties.AlarmDescription,
        heard: EVERYONE.map((e) => e.address),
      });
    }
  });

  it('fails synth when one address is on both lists, naming it', () => {
    expect(() =>
      synthesize({
        alertEmails: EMAILS,
        vehicleEmails: [{ address: 'Night-Shift@example.com', minSeverity: 'info' }],
      }),
    ).toThrow(/vehicleEmails: Night-Shift@example.com also in alertEmails/);
  });

  it('fails synth on a malformed vehicle address, naming the key', () => {
    expect(() => synthesize({ vehicleEmails: [{ address: 'fleet' }] })).toThrow(
      'vehicleEmails.0.address',
    );
  });
});
