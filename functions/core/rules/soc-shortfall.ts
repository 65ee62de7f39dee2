import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { sessionMinutes } from './energy.ts';
import { enabledSchema, finding, type Rule, round1, severitySchema } from './rule.ts';

/**
 * Catches a vehicle that left short of charge: the session ended below the target state of
 * charge, or the state of charge rose too slowly for a session long enough to judge (a stalled
 * or heavily derated charge). Either means a bus that may not finish its next block.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Sessions ending below this state of charge are flagged. */
  targetSocPercent: z.number().check(z.minimum(0), z.maximum(100)),
  /** Below this gain per hour the charge counts as stalled. */
  minSocGainPerHour: z.number().check(z.minimum(0)),
  /** Shorter sessions are not judged for a stall. */
  minDurationMinutes: z.number().check(z.minimum(0)),
  severity: severitySchema,
});

export type SocShortfallThresholds = z.infer<typeof schema>;

export const socShortfall: Rule<SocShortfallThresholds> = {
  id: 'soc-shortfall',
  summary: 'The vehicle left below its target state of charge, or charged too slowly.',
  schema,
  confirm: STANDARD_CONFIRM,
  defaults: {
    enabled: true,
    targetSocPercent: 80,
    minSocGainPerHour: 10,
    minDurationMinutes: 30,
    severity: 'warning',
  },
  evaluate(report, t, origin) {
    const { energySocStart: start, energySocEnd: end } = report;
    if (start === undefined || end === undefined) return [];
    const findings = [];
    if (end < t.targetSocPercent) {
      findings.push(
        finding(this.id, report, origin, {
          severity: t.severity,
          title: `Left at ${end}% SoC, target ${t.targetSocPercent}%`,
          message:
            `The session ended at ${end}% state of charge (started at ${start}%), below the ${t.targetSocPercent}% target. ` +
            'Check whether the vehicle was unplugged early or the charge was stopped by a fault, and whether it can run its next block.',
          evidence: { socStart: start, socEnd: end, targetSocPercent: t.targetSocPercent },
          discriminator: 'target',
        }),
      );
    }
    const minutes = sessionMinutes(report);
    const hours = minutes ? minutes / 60 : undefined;
    if (hours !== undefined && hours * 60 >= t.minDurationMinutes && start < t.targetSocPercent) {
      const gainPerHour = (end - start) / hours;
      if (gainPerHour < t.minSocGainPerHour) {
        findings.push(
          finding(this.id, report, origin, {
            severity: t.severity,
            title: `Charge stalled: ${round1(gainPerHour)} %/h`,
            message:
              `State of charge rose ${round1(end - start)} points in ${round1(hours * 60)} min (${round1(gainPerHour)} %/h, ` +
              `below ${t.minSocGainPerHour} %/h). Check for derating (converter temperature, grid limit) and the power the vehicle requested.`,
            evidence: {
              socStart: start,
              socEnd: end,
              durationMinutes: round1(hours * 60),
              socGainPerHour: round1(gainPerHour),
              minSocGainPerHour: t.minSocGainPerHour,
            },
            discriminator: 'stall',
          }),
        );
      }
    }
    return findings;
  },
};
