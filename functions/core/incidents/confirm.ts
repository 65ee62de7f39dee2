import * as z from 'zod/mini';
import type { Severity } from '../finding.ts';

/**
 * When a finding is told: once `sessions` sessions of its connector have it, counted within the
 * last `withinSessions` sessions and, if set, within `withinHours` of the latest. `{ sessions: 1 }`
 * tells at once.
 */
export const confirmSchema = z.strictObject({
  sessions: z.int().check(z.minimum(1), z.maximum(50)),
  withinSessions: z.optional(z.int().check(z.minimum(1), z.maximum(50))),
  withinHours: z.optional(z.number().check(z.positive(), z.maximum(24 * 14))),
});

export type Confirm = z.infer<typeof confirmSchema>;

/** A rule's confirmation policy by the severity of its finding. */
export const ruleConfirmSchema = z.strictObject({
  info: z.optional(confirmSchema),
  warning: z.optional(confirmSchema),
  critical: z.optional(confirmSchema),
});

export type RuleConfirm = z.infer<typeof ruleConfirmSchema>;

/** Told at once. */
export const AT_ONCE: Confirm = { sessions: 1 };

/**
 * What most rules default to: a critical finding is told by the run that fetched it; a warning
 * or info waits for a second session with the fault among the connector's last five, so one
 * odd session never pages anybody.
 */
export const STANDARD_CONFIRM: Required<RuleConfirm> = {
  info: { sessions: 2, withinSessions: 5 },
  warning: { sessions: 2, withinSessions: 5 },
  critical: AT_ONCE,
};

/** Whether a policy tells the first finding. */
export function toldAtOnce(confirm: Confirm): boolean {
  return confirm.sessions <= 1;
}

/** The policy in words, for `config check`: "at once", "after 2 sessions within 5 sessions". */
export function describeConfirm(confirm: Confirm): string {
  if (toldAtOnce(confirm)) return 'at once';
  const within = [
    confirm.withinSessions !== undefined ? `${confirm.withinSessions} sessions` : '',
    confirm.withinHours !== undefined ? `${confirm.withinHours} h` : '',
  ].filter(Boolean);
  return `after ${confirm.sessions} sessions with it${within.length ? ` within ${within.join(' and ')}` : ''}`;
}

/** Severities a rule's confirmation speaks of, most severe first. */
export const CONFIRM_SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];
