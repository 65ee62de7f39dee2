import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { enabledSchema, finding, type Rule, severitySchema } from './rule.ts';

/**
 * Catches a connector that reported the OCPP status `Faulted` during the session: the charger
 * itself declared a fault, whatever the session's energy figures say.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  severity: severitySchema,
});

export type OcppFaultedThresholds = z.infer<typeof schema>;

/**
 * `value.trim().toLowerCase() === 'faulted'` without two new strings per status: `\s` is what
 * `trim` removes, and only ASCII letters lower-case to the letters of `faulted`.
 */
const FAULTED = /^\s*faulted\s*$/i;

export const ocppFaulted: Rule<OcppFaultedThresholds> = {
  id: 'ocpp-faulted',
  summary: 'The connector reported the OCPP status Faulted during the session.',
  schema,
  // A Faulted connector is told the run it is fetched.
  confirm: STANDARD_CONFIRM,
  defaults: { enabled: true, severity: 'critical' },
  evaluate(report, t, origin) {
    let count = 0;
    let first: string | undefined;
    for (const status of report.ocppStatus ?? []) {
      if (!FAULTED.test(status.value)) continue;
      if (count++ === 0) first = status.eventTimestamp;
    }
    if (count === 0) return [];
    return [
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `Connector Faulted ${count}× during session`,
        message:
          `The connector reported OCPP status Faulted ${count} time(s)${first ? `, first at ${first}` : ''}. ` +
          "Read the charger's error log for that moment and check whether the vehicle finished charging.",
        evidence: { faultedCount: count, ...(first ? { firstFaultedAt: first } : {}) },
      }),
    ];
  },
};
