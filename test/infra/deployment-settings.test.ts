import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { scheduleProblem } from '../../infra/schedule-expression.ts';

/**
 * What an operator sees when a context value is wrong: `cdk synth` runs the app with the context
 * in CDK_CONTEXT_JSON, and the app must stop with one line that names the key, before
 * anything is bundled or deployed.
 */

const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;

/** Runs the CDK app as the CLI does (cdk.json's `app` command), with the given context. */
async function runApp(context: Record<string, unknown>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/app.ts'],
      {
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ ...FLAGS, ...context }),
          CDK_OUTDIR: '/nonexistent/never-written',
          CDK_VALIDATION: 'false',
        },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('cdk synth with a wrong context value', () => {
  it.each([
    ['reportSchedule', { reportSchedule: 'cron(99 99 ? * FOO *)' }, /minutes field "99"/],
    ['reportSchedule', { reportSchedule: 'cron(0 6 ? * FOO *)' }, /day-of-week field "FOO"/],
    ['scheduleMinutes', { scheduleMinutes: 'every 15' }, /whole number of minutes/],
    ['scheduleMinutes', { scheduleMinutes: '0' }, /at least 1 minute/],
    ['alertEmails', { alertEmails: '[{"address":"ops-at-example.com"}]' }, /email address/],
    ['vehicleEmails', { vehicleEmails: [{ address: 'fleet@' }] }, /email address/],
    [
      'alertEmails',
      { alertEmails: 'ops@example.com' },
      /must be a JSON list such as \[\{"address"/,
    ],
    [
      'alertEmails',
      { alertEmails: '["ops@example.com"]' },
      /must be \{"address": "\.\.\.", "minSeverity"/,
    ],
  ])(
    'stops with one line naming %s',
    async (key, context, reason) => {
      const { code, stdout, stderr } = await runApp(context);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^depot-watch: invalid CDK context: ${key}(\\.\\d+(\\.address)?)?: `),
      );
      expect(lines[0]).toMatch(reason);
    },
    60_000,
  );

  it('stops with one line naming a context key nothing reads', async () => {
    const { code, stderr } = await runApp({ reportScheduel: 'cron(0 6 ? * MON *)' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^depot-watch: unknown CDK context key "reportScheduel": nothing reads it/,
      ),
    ]);
  }, 60_000);
});

describe('EventBridge Scheduler expressions', () => {
  it.each([
    'cron(0 6 ? * MON *)',
    'cron(0/15 8-17 ? JAN-MAR MON-FRI *)',
    'cron(30 5 1,15 * ? 2027-2030)',
    'cron(0 6 L * ? *)',
    'cron(0 6 LW * ? *)',
    'cron(0 6 15W * ? *)',
    'cron(0 6 ? * 2#1 *)',
    'cron(0 6 ? * 6L *)',
    'cron(0 6 ? * mon *)',
    'cron(0 6 * * ? *)',
    'rate(1 day)',
    'rate(7 days)',
    'rate(90 minutes)',
  ])('accepts %s', (expression) => {
    expect(scheduleProblem(expression)).toBeUndefined();
  });

  it.each([
    ['cron(99 99 ? * FOO *)', 'the minutes field "99" has 99, outside 0-59'],
    ['cron(0 24 ? * MON *)', 'the hours field "24" has 24, outside 0-23'],
    ['cron(0 6 32 * ? *)', 'the day-of-month field "32" has 32, outside 1-31'],
    ['cron(0 6 ? FOO MON *)', 'the month field "FOO" has "FOO", which is not 1-12 or JAN-DEC'],
    ['cron(0 6 ? * FOO *)', 'the day-of-week field "FOO" has "FOO", which is not 1-7 or SUN-SAT'],
    ['cron(0 6 ? * MON 1969)', 'the year field "1969" has 1969, outside 1970-2199'],
    ['cron(0 6 ? * MON#6 *)', 'the day-of-week field "MON#6" asks for a week past the fifth'],
    ['cron(0/x 6 ? * MON *)', 'the minutes field "0/x" has a step "x" that is not a number'],
    ['cron(? 6 ? * MON *)', 'the minutes field "?" cannot be "?": only the day fields can'],
    ['cron(0 6 * * MON *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 6 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 6 * * MON)', 'cron(...) takes six fields'],
    ['rate(0 days)', 'the rate must be at least 1'],
    ['rate(1 week)', 'rate(...) takes a whole number and minutes, hours or days'],
    ['at(2027-01-04T06:00:00)', 'at(...) is a one-time schedule; this one must recur'],
    ['every monday at 6', 'it is neither cron(...) nor rate(...)'],
  ])('refuses %s: %s', (expression, problem) => {
    expect(scheduleProblem(expression)).toContain(problem);
  });
});
