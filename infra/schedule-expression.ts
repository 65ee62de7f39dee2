/**
 * Checks EventBridge Scheduler expressions at synth, field by field, so that a typo such as
 * `cron(99 99 ? * FOO *)` fails `cdk synth` with the reason instead of failing the deploy
 * half-way (CloudFormation only hears about it from the Scheduler API).
 */

/** One field of a cron expression: its name, its range, and the names it accepts for numbers. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS },
  { name: 'year', min: 1970, max: 2199 },
];
const [, , DAY_OF_MONTH, , DAY_OF_WEEK] = FIELDS as [
  CronField,
  CronField,
  CronField,
  CronField,
  CronField,
];

/**
 * Why an expression is not a recurring EventBridge Scheduler schedule, or undefined when it is
 * one: `cron(minutes hours day-of-month month day-of-week year)` or `rate(<n> <unit>)`.
 * One-time `at(...)` schedules are refused: a schedule here must recur.
 */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return rateProblem(rate[1] ?? '');
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronProblem(cron[1] ?? '');
  if (expression.startsWith('at(')) return 'at(...) is a one-time schedule; this one must recur';
  return 'it is neither cron(...) nor rate(...)';
}

function rateProblem(body: string): string | undefined {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!match) return 'rate(...) takes a whole number and minutes, hours or days';
  if (Number(match[1]) < 1) return 'the rate must be at least 1';
  return undefined;
}

function cronProblem(body: string): string | undefined {
  const parts = body.split(' ');
  if (parts.length !== 6 || parts.some((p) => p === ''))
    return `cron(...) takes six fields separated by single spaces (minutes hours day-of-month month day-of-week year), not ${parts.filter(Boolean).length}`;
  const [dayOfMonth, dayOfWeek] = [parts[2], parts[4]];
  // Scheduler cannot combine both day fields: one of them says "any" with '?'.
  if ((dayOfMonth === '?') === (dayOfWeek === '?'))
    return 'exactly one of day-of-month and day-of-week must be "?"';
  for (const [index, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[index] as string, field);
    if (problem) return `the ${field.name} field "${parts[index]}" ${problem}`;
  }
  return undefined;
}

/** Why one cron field is wrong, or undefined. */
function fieldProblem(text: string, field: CronField): string | undefined {
  if (text === '?') {
    return field === DAY_OF_MONTH || field === DAY_OF_WEEK
      ? undefined
      : 'cannot be "?": only the day fields can';
  }
  if (field === DAY_OF_MONTH && /^(L|LW|\d{1,2}W)$/.test(text)) {
    return text.endsWith('W') && text !== 'LW' ? valueProblem(text.slice(0, -1), field) : undefined;
  }
  if (field === DAY_OF_WEEK) {
    const nth = /^(\w+)#(\d+)$/.exec(text);
    if (nth) {
      const day = valueProblem(nth[1] as string, field);
      return (
        day ?? (/^[1-5]$/.test(nth[2] as string) ? undefined : 'asks for a week past the fifth')
      );
    }
    if (text === 'L') return undefined;
    if (/^\w+L$/.test(text)) return valueProblem(text.slice(0, -1), field);
  }
  for (const item of text.split(',')) {
    const problem = itemProblem(item, field);
    if (problem) return problem;
  }
  return undefined;
}

/** One comma-separated item: `*`, a value or a range, optionally stepped with `/n`. */
function itemProblem(item: string, field: CronField): string | undefined {
  const [base = '', step, ...rest] = item.split('/');
  if (rest.length > 0) return 'has more than one "/"';
  if (step !== undefined && !/^\d+$/.test(step)) return `has a step "${step}" that is not a number`;
  if (step !== undefined && Number(step) < 1) return 'has a step of 0';
  // Ranges are not checked for order: whether Scheduler wraps a range like 22-2 is its call.
  if (base === '*') return undefined;
  const [from = '', to, ...more] = base.split('-');
  if (more.length > 0) return `has a range "${base}" with more than one "-"`;
  const problem =
    valueProblem(from, field) ?? (to === undefined ? undefined : valueProblem(to, field));
  return problem;
}

function valueProblem(text: string, field: CronField): string | undefined {
  const value = fieldValue(text, field);
  if (Number.isNaN(value)) {
    const names = field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : '';
    return `has "${text}", which is not ${field.min}-${field.max}${names}`;
  }
  if (value < field.min || value > field.max)
    return `has ${value}, outside ${field.min}-${field.max}`;
  return undefined;
}

/** A field value as a number: digits, or a month or weekday name (JAN = 1, SUN = 1). */
function fieldValue(text: string, field: CronField): number {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + 1 : Number.NaN;
}
