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

export const ocppFaulted: Rule<OcppFaultedThresholds> = {
  id: 'ocpp-faulted',
  summary: 'The connector reported the OCPP status Faulted during the session.',
  schema,
  // A Faulted connector is told the run it is fetched.
  confirm: STANDARD_CONFIRM,
  defaults: { enabled: true, severity: 'critical' },
  evaluate(report, t, origin) {
    const faults = (report.ocppStatus ?? []).filter(
      (s) => s.value.trim().toLowerCase() === 'faulted',
    );
    if (faults.length === 0) return [];
    const first = faults[0]?.eventTimestamp;
    return [
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `Connector Faulted ${faults.length}× during session`,
        message:
          `The connector reported OCPP status Faulted ${faults.length} time(s)${first ? `, first at ${first}` : ''}. ` +
          "Read the charger's error log for that moment and check whether the vehicle finished charging.",
        evidence: { faultedCount: faults.length, ...(first ? { firstFaultedAt: first } : {}) },
      }),
    ];
  },
};
