import * as z from 'zod';
import type { Severity } from '../finding.ts';
import { finding, type Rule } from './rule.ts';

/**
 * Catches power electronics that keep tripping over the same error during a session: a
 * converter module (or another power device) whose error counter climbs is derating or close
 * to dropping out, long before a vehicle fails to charge. The level in front of the code
 * (`ERR`, `WARN`, `INFO`) decides the severity; each level has its own count threshold.
 */
const thresholds = z.object({
  enabled: z.boolean().default(true),
  /** Devices whose counters are read. Default: Converter. */
  devices: z.array(z.string().min(1)).default(['Converter']),
  /** An ERR/FAULT code counted this often or more is critical. Default: 1. */
  errorCount: z.number().int().min(1).default(1),
  /** A WARN code (or one without a level) counted this often or more is a warning. Default: 10. */
  warningCount: z.number().int().min(1).default(10),
});

export type ConverterErrorCounterThresholds = z.infer<typeof thresholds>;

type Level = 'error' | 'warning' | 'info';

/** Reads the level prefix of a vendor error code, e.g. `WARN: converter : ...`. */
export function levelOf(errorCode: string): Level {
  const match = /^\s*(err(?:or)?|fault|fatal|crit(?:ical)?|warn(?:ing)?|info)\b/i.exec(errorCode);
  const word = match?.[1]?.toLowerCase() ?? 'warn';
  if (word.startsWith('info')) return 'info';
  if (word.startsWith('warn')) return 'warning';
  return 'error';
}

export const converterErrorCounter: Rule<ConverterErrorCounterThresholds> = {
  id: 'converter-error-counter',
  summary: 'A power device (converter) counted an error or warning code too often in one session.',
  thresholds,
  evaluate(report, t, origin) {
    const devices = new Set(t.devices.map((d) => d.toLowerCase()));
    return (report.deviceStatus ?? []).flatMap((device) => {
      if (!devices.has(device.deviceId.toLowerCase())) return [];
      return (device.errorCodes ?? []).flatMap(({ errorCode, errorCounter }) => {
        const level = levelOf(errorCode);
        if (level === 'info') return [];
        const threshold = level === 'error' ? t.errorCount : t.warningCount;
        if (errorCounter < threshold) return [];
        const severity: Severity = level === 'error' ? 'critical' : 'warning';
        return [
          finding(this.id, report, origin, {
            severity,
            title: `${device.deviceId} ${level} counted ${errorCounter}×`,
            message:
              `${device.deviceId} reported "${errorCode.trim()}" ${errorCounter} times in one session ` +
              `(${severity} at ${threshold} or more). Check the converter module named in the code ` +
              'for derating, cooling and contactor faults before the next charge.',
            evidence: {
              errorCode: errorCode.trim(),
              errorCounter,
              threshold,
              device: device.deviceId,
            },
            discriminator: `${device.deviceId}\u001f${errorCode.trim()}`,
          }),
        ];
      });
    });
  },
};
