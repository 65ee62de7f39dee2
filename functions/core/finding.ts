import * as crypto from 'node:crypto';

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
  const fault = [rule, chargerId, connectorId, sessionId, discriminator].join('\u001f');
  return sha256Hex(fault).slice(0, 32);
}

/** `crypto.hash` (Node 20.12 on) digests in one call, without a Hash object per fingerprint. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text)
    : (text) => crypto.createHash('sha256').update(text).digest('hex');
