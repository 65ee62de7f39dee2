import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { enabledSchema, finding, type Rule, severitySchema } from './rule.ts';

/**
 * Catches power electronics that keep tripping over the same error during a session: a
 * converter module (or another power device) whose error counter climbs is derating or close
 * to dropping out, long before a vehicle fails to charge. The level in front of the code
 * (`ERR`/`FAULT`, `WARN`, `INFO`) picks the count threshold and the severity.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Devices whose counters are read (case-insensitive). */
  devices: z.array(z.string().check(z.minLength(1))),
  /** An ERR/FAULT code counted this often or more raises a finding. */
  errorCount: z.int().check(z.minimum(1)),
  errorSeverity: severitySchema,
  /** A WARN code (or one without a level) counted this often or more raises a finding. */
  warningCount: z.int().check(z.minimum(1)),
  warningSeverity: severitySchema,
  /** An INFO code counted this often or more raises a finding; 0 ignores INFO codes. */
  infoCount: z.int().check(z.minimum(0)),
  infoSeverity: severitySchema,
});

export type ConverterErrorCounterThresholds = z.infer<typeof schema>;

type Level = 'error' | 'warning' | 'info';

/** Reads the level prefix of a vendor error code, e.g. `WARN: converter : ...`. */
export function levelOf(errorCode: string): Level {
  if (ERROR_LEVEL.test(errorCode)) return 'error';
  if (INFO_LEVEL.test(errorCode)) return 'info';
  return 'warning';
}

// Tested rather than matched: no match array for each counted code.
const ERROR_LEVEL = /^\s*(?:err(?:or)?|fault|fatal|crit(?:ical)?)\b/i;
const INFO_LEVEL = /^\s*info\b/i;

export const converterErrorCounter: Rule<ConverterErrorCounterThresholds> = {
  id: 'converter-error-counter',
  summary: 'A power device (converter) counted an error or warning code too often in one session.',
  schema,
  // ERR counts are told at once; WARN counts wait for a second session within five.
  confirm: STANDARD_CONFIRM,
  defaults: {
    enabled: true,
    devices: ['Converter'],
    errorCount: 1,
    errorSeverity: 'critical',
    warningCount: 10,
    warningSeverity: 'warning',
    infoCount: 0,
    infoSeverity: 'info',
  },
  evaluate(report, t, origin) {
    const findings = [];
    for (const device of report.deviceStatus ?? []) {
      if (!device.errorCodes) continue;
      let watched: boolean | undefined;
      for (const { errorCode, errorCounter } of device.errorCodes) {
        // Most counters are small: skip the device and the text of codes no level alerts on.
        if (
          errorCounter < Math.min(t.errorCount, t.warningCount) &&
          (t.infoCount === 0 || errorCounter < t.infoCount)
        )
          continue;
        watched ??= watchedDevices(t).has(device.deviceId.toLowerCase());
        if (!watched) break;
        const level = levelOf(errorCode);
        const threshold =
          level === 'error' ? t.errorCount : level === 'warning' ? t.warningCount : t.infoCount;
        if (threshold === 0 || errorCounter < threshold) continue;
        const severity =
          level === 'error'
            ? t.errorSeverity
            : level === 'warning'
              ? t.warningSeverity
              : t.infoSeverity;
        const code = errorCode.trim();
        findings.push(
          finding(this.id, report, origin, {
            severity,
            title: `${device.deviceId} ${level} counted ${errorCounter}×`,
            message:
              `${device.deviceId} reported "${code}" ${errorCounter} times in one session ` +
              `(${level} codes alert at ${threshold} or more). Check the module named in the code ` +
              'for derating, cooling and contactor faults before its next charge.',
            evidence: { errorCode: code, errorCounter, threshold, device: device.deviceId },
            discriminator: `${device.deviceId}\u001f${code}`,
          }),
        );
      }
    }
    return findings;
  },
};

const deviceSets = new WeakMap<ConverterErrorCounterThresholds, Set<string>>();

/** The watched device ids in lower case, worked out once per thresholds object. */
function watchedDevices(t: ConverterErrorCounterThresholds): Set<string> {
  let devices = deviceSets.get(t);
  if (!devices) {
    devices = new Set(t.devices.map((d) => d.toLowerCase()));
    deviceSets.set(t, devices);
  }
  return devices;
}
