import * as z from 'zod/mini';
import '../zod-messages.ts';
import type { Incident } from './incident.ts';
import type { SilencedAt } from './notices.ts';

/** Whether text is an ISO date-time (`2026-12-01T06:00:00Z`), as people write one in a config. */
export function isInstant(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text));
}

const instant = z
  .string()
  .check(z.refine(isInstant, { message: 'must be an ISO date-time such as 2026-12-01T06:00:00Z' }));

/**
 * A silence: notices about matching incidents wait from `from` until `until`. Findings are
 * still archived, counted and join their incidents; only the telling waits.
 */
export const silenceSchema = z
  .strictObject({
    /** Set when stored by `depot-watch silence add`; config silences are named by position. */
    id: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    chargerId: z.string().check(z.minLength(1), z.maxLength(128)),
    /** Every connector of the charger when absent. */
    connectorId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    /** Every rule when absent. */
    rules: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    from: instant,
    until: instant,
    reason: z.string().check(z.minLength(1), z.maxLength(500)),
    /** Who set it (`user@host` for the CLI). */
    createdBy: z.optional(z.string().check(z.maxLength(200))),
  })
  .check(
    z.refine((s) => Date.parse(s.until) > Date.parse(s.from), {
      message: 'until must be after from',
      path: ['until'],
    }),
  );

export type Silence = z.infer<typeof silenceSchema>;

/**
 * The silences in what a store holds: the entries that read as silences, and those that do not
 * (a hand edit gone wrong), which are kept as they are but never silence anything.
 */
export function readStoredSilences(stored: unknown): {
  silences: Silence[];
  unreadable: unknown[];
} {
  const silences: Silence[] = [];
  const unreadable: unknown[] = [];
  for (const entry of Array.isArray(stored) ? stored : stored === undefined ? [] : [stored]) {
    const parsed = silenceSchema.safeParse(entry);
    if (parsed.success) silences.push(parsed.data);
    else unreadable.push(entry);
  }
  return { silences, unreadable };
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];
const clock = z
  .string()
  .check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time of day such as 22:00' }));

/**
 * A recurring maintenance window: on the given days from `start` to `end` local time in
 * `timeZone` (an IANA name, so daylight saving moves with the depot). An `end` before `start`
 * runs past midnight into the next day. Without `chargerId` it covers the whole depot.
 */
export const maintenanceWindowSchema = z
  .strictObject({
    chargerId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    connectorId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    rules: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    days: z.array(z.enum(DAYS)).check(z.minLength(1)),
    start: clock,
    end: clock,
    timeZone: z.string().check(
      z.refine(isTimeZone, {
        message: 'must be an IANA time zone such as Europe/Berlin',
      }),
    ),
    reason: z.optional(z.string().check(z.maxLength(500))),
  })
  .check(
    z.refine((w) => w.start !== w.end, { message: 'start and end must differ', path: ['end'] }),
    z.refine((w) => w.connectorId === undefined || w.chargerId !== undefined, {
      message: 'a connector needs its chargerId',
      path: ['connectorId'],
    }),
  );

export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

/** Which incidents a silence or window covers: by charger, connector and rule. */
interface Scope {
  chargerId?: string | undefined;
  connectorId?: string | undefined;
  rules?: string[] | undefined;
}

function covers(scope: Scope, incident: Incident): boolean {
  return (
    (scope.chargerId === undefined || scope.chargerId === incident.chargerId) &&
    (scope.connectorId === undefined || scope.connectorId === incident.connectorId) &&
    (scope.rules === undefined || scope.rules.includes(incident.rule))
  );
}

/** Whether a silence is in force at `at` (ISO). */
export function silenceActive(silence: Silence, at: string): boolean {
  const t = Date.parse(at);
  return Date.parse(silence.from) <= t && t < Date.parse(silence.until);
}

/** Whether a maintenance window is open at `at` (ISO), in the window's own time zone. */
export function windowOpen(window: MaintenanceWindow, at: string): boolean {
  const { day, minutes } = localTime(at, window.timeZone);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const days: readonly Day[] = window.days;
  if (start < end) return days.includes(day) && start <= minutes && minutes < end;
  // Past midnight: from start on a listed day, or before end on the day after one.
  const yesterday = DAYS[(DAYS.indexOf(day) + 6) % 7] as Day;
  return (days.includes(day) && minutes >= start) || (days.includes(yesterday) && minutes < end);
}

/** The question notices ask before they go out: is this incident silenced at this moment? */
export function silencer(
  silences: readonly Silence[],
  windows: readonly MaintenanceWindow[],
): SilencedAt {
  if (silences.length === 0 && windows.length === 0) return () => false;
  return (incident, at) =>
    silences.some((s) => covers(s, incident) && silenceActive(s, at)) ||
    windows.some((w) => covers(w, incident) && windowOpen(w, at));
}

const formats = new Map<string, Intl.DateTimeFormat>();

function localTime(at: string, timeZone: string): { day: Day; minutes: number } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(at)).map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return {
    day: (parts.weekday ?? 'Sun').toLowerCase().slice(0, 3) as Day,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function minutesOf(clockTime: string): number {
  const [hours, minutes] = clockTime.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
