import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers a signed webhook request carries. */
export const SIGNATURE_HEADER = 'X-Depot-Watch-Signature';
export const TIMESTAMP_HEADER = 'X-Depot-Watch-Timestamp';

/**
 * `sha256=<hex>`: the HMAC-SHA256, under the channel's key, of the timestamp (Unix seconds), a
 * dot and the raw body. The timestamp is inside what is signed, so a receiver that refuses old
 * timestamps refuses a replayed request too (GitHub's and Stripe's webhooks work alike).
 */
export function signature(key: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does, in the few lines docs/notifiers.md shows: recompute the signature over
 * the raw body and compare in constant time, then refuse a timestamp older than `maxAgeSeconds`.
 */
export function verifySignature(
  key: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { nowSeconds?: number; maxAgeSeconds?: number } = {},
): boolean {
  const { signature: given, timestamp } = headers;
  if (!given || !timestamp || !/^\d+$/.test(timestamp)) return false;
  const expected = Buffer.from(signature(key, timestamp, body));
  const received = Buffer.from(given);
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  return Math.abs(now - Number(timestamp)) <= (options.maxAgeSeconds ?? 300);
}
