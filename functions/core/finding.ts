import { createHash } from 'node:crypto';

/** How urgently a person should look: `critical` pages someone, `info` is for the record. */
export type Severity = 'info' | 'warning' | 'critical';

/** One anomaly found in one session report, ready to be rendered as an alert. */
export interface Finding {
  rule: string;
  severity: Severity;
  chargerId: string;
  connectorId: string;
  sessionId: string;
  vehicleId?: string;
  sessionTimeStart?: string;
  title: string;
  message: string;
  /** The numbers that triggered the rule, with the threshold they crossed. */
  evidence: Record<string, number | string | boolean>;
  /** Tells apart several faults of one rule in one session (an error code); part of the incident key. */
  discriminator?: string;
  /** Stable for the same fault in the same session (rule, where, session day and id, discriminator). */
  fingerprint: string;
}

/**
 * The fingerprint of a fault: rule, where, which session, and what within the session
 * (an error code, say). Counts and severities stay out so that a re-read never looks new.
 */
export function fingerprintOf(
  rule: string,
  chargerId: string,
  connectorId: string,
  sessionId: string,
  discriminator = '',
): string {
  return createHash('sha256')
    .update([rule, chargerId, connectorId, sessionId, discriminator].join('\u001f'))
    .digest('hex')
    .slice(0, 32);
}
