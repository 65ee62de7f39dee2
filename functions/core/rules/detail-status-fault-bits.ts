import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { enabledSchema, finding, type Rule, severitySchema } from './rule.ts';

const hexWord = z
  .string()
  .check(z.regex(/^0x[0-9a-fA-F]{1,8}$/, 'must be a 32-bit hex word like 0x0000FFFF'));

/**
 * Catches fault bits in the charger's 32-bit status words (`detailStatus`). The vendor does not
 * publish what each bit means, so which bits count as faults is site knowledge: a mask per
 * status key. By default every bit of `systemStatus` counts and other words are not read.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Status key → mask of the bits that mean a fault. */
  masks: z.record(z.string().check(z.minLength(1)), hexWord),
  severity: severitySchema,
});

export type DetailStatusFaultBitsThresholds = z.infer<typeof schema>;

export const detailStatusFaultBits: Rule<DetailStatusFaultBitsThresholds> = {
  id: 'detail-status-fault-bits',
  summary: 'A status word of the charger had fault bits set during the session.',
  schema,
  confirm: STANDARD_CONFIRM,
  defaults: { enabled: true, masks: { systemStatus: '0xFFFFFFFF' }, severity: 'warning' },
  evaluate(report, t, origin) {
    // Made for the first word with fault bits set: most reports have none.
    let seen: Map<string, FaultWord> | undefined;
    const masks = masksOf(t);
    for (const { key, value, eventTimestamp } of report.detailStatus ?? []) {
      const mask = maskOf(masks, key);
      if (mask === undefined) continue;
      // Zero words (the usual case) are settled by the arithmetic; only set bits need the format check.
      const bits = (Number.parseInt(value, 16) & Number.parseInt(mask, 16)) >>> 0;
      if (bits === 0 || !/^0x[0-9a-f]{1,8}$/i.test(value)) continue;
      seen ??= new Map();
      const earlier = seen.get(key);
      seen.set(key, {
        bits: ((earlier?.bits ?? 0) | bits) >>> 0,
        value: earlier?.value ?? value,
        mask,
        at: earlier ? earlier.at : eventTimestamp,
      });
    }
    if (seen === undefined) return [];
    return [...seen].map(([key, { bits, value, mask, at }]) =>
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `${key} fault bits ${hex(bits)}`,
        message:
          `${key} reported ${value}${at ? ` at ${at}` : ''}; bits ${bitList(bits)} are set under the fault mask ${mask}. ` +
          "Look the bits up in the charger vendor's status documentation and the charger's event log.",
        evidence: { key, value, mask, faultBits: hex(bits) },
        discriminator: key,
      }),
    );
  },
};

/** The fault bits one status word showed in a session, from its first report on. */
interface FaultWord {
  bits: number;
  value: string;
  mask: string;
  at: string | undefined;
}

/**
 * The configured mask of a status key. The key is vendor data, so only the config's own entries
 * count: a word named `constructor` or `toString` must not pick up Object.prototype's member,
 * whose text ("function …") parses as the hex digit f and raised false fault bits.
 */
function maskOf(masks: readonly [string, string][], key: string): string | undefined {
  // A config names a mask or two: comparing the key with each beats hashing it.
  for (const [masked, mask] of masks) if (masked === key) return mask;
  return undefined;
}

/** The config's own masks as a list, made once per thresholds object. */
function masksOf(t: DetailStatusFaultBitsThresholds): [string, string][] {
  let masks = maskLists.get(t);
  if (!masks) {
    masks = Object.entries(t.masks);
    maskLists.set(t, masks);
  }
  return masks;
}

const maskLists = new WeakMap<DetailStatusFaultBitsThresholds, [string, string][]>();

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
}

function bitList(bits: number): string {
  return Array.from({ length: 32 }, (_, i) => i)
    .filter((i) => (bits >>> i) & 1)
    .join(', ');
}
