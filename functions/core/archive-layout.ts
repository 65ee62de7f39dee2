import { createHash } from 'node:crypto';
import type { ReportOrigin } from './session-report.ts';

/**
 * Where reports live in the archive, the same for S3 and a local folder, Hive-style so that
 * Athena reads `charger`, `connector` and `date` as partitions:
 * `reports/charger=<id>/connector=<id>/date=<YYYY-MM-DD>/<sessionId>.json`. A config of several
 * depots puts a `depot=<name>` partition first; a config of one fleet keeps the layout above.
 */
export function reportKey(
  origin: ReportOrigin,
  sessionDate: string,
  sessionId: string,
  depot?: string,
): string {
  return `reports/${partitions(origin, depot)}/date=${sessionDate}/${encodeKeySegment(sessionId)}.json`;
}

/** The folder of a depot's reports (or the one-fleet archive's) under an archive location. */
export function reportsFolder(archiveLocation: string, depot?: string): string {
  const root = `${archiveLocation.replace(/[/\\]+$/, '')}/reports/`;
  return depot === undefined ? root : `${root}depot=${encodeKeySegment(depot)}/`;
}

/**
 * The S3 console page of an `s3://bucket/prefix` folder, which opens in a browser, a mail client
 * or a chat, where the URI opens nowhere; undefined for any other location (a local folder).
 */
export function s3ConsoleUrl(location: string, region?: string): string | undefined {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!s3) return undefined;
  const [, bucket = '', prefix = ''] = s3;
  const query = new URLSearchParams({ prefix, showversions: 'false' });
  if (region) query.set('region', region);
  return `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(bucket)}?${query}`;
}

/**
 * Where an invalid report is kept: named by a hash of its bytes, so a re-read of the same
 * report lands on the same key. The reason sits beside it in `<name>.reason.json`.
 */
export function quarantineKey(origin: ReportOrigin, body: string, depot?: string): string {
  const contentHash = createHash('sha256').update(body).digest('hex').slice(0, 32);
  return `quarantine/${partitions(origin, depot)}/${contentHash}.json`;
}

/** The key of the reason file beside a quarantined report. */
export function reasonKey(quarantinedKey: string): string {
  return quarantinedKey.replace(/\.json$/, '.reason.json');
}

/**
 * Encodes an id for one key segment: letters, digits, `_`, `-` and `.` stay; every other
 * byte of its UTF-8 form becomes `%XX`. No id can add a `/`, and `.`/`..` alone are encoded,
 * so none escapes its prefix on S3 or on disk.
 */
export function encodeKeySegment(id: string): string {
  // Almost every id is plain (HPC-001, 2, 123456789): keep those without a byte-by-byte pass.
  if (/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(id)) return id;
  const encoded = Array.from(new TextEncoder().encode(id), (byte) => {
    const ch = String.fromCharCode(byte);
    return /[A-Za-z0-9_.-]/.test(ch) && byte < 0x80
      ? ch
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return /^\.*$/.test(encoded) ? encoded.replaceAll('.', '%2E') : encoded;
}

/**
 * The longest id, once encoded, that a key segment may hold: a file name has 255 bytes, and the
 * local archive adds `.json` and a temporary `.<uuid>.tmp` suffix while it writes. S3's
 * 1,024-byte key limit is then never reached either.
 */
export const MAX_ENCODED_ID_BYTES = 200;
/** The longest id in characters, whatever its encoding. */
export const MAX_ID_CHARACTERS = 128;

/**
 * Why an id (session, charger or connector) cannot name a file or an S3 key, or undefined when
 * it can: too long, or holding control characters that no person could read back.
 */
export function unfilableIdReason(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_CHARACTERS)
    return `must be at most ${MAX_ID_CHARACTERS} characters to be filed (got ${id.length})`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(id)) return 'must not contain control characters';
  const bytes = encodeKeySegment(id).length;
  if (bytes > MAX_ENCODED_ID_BYTES)
    return `is too long to be filed: ${bytes} bytes once encoded for a file name or S3 key, at most ${MAX_ENCODED_ID_BYTES}`;
  return undefined;
}

/** Reverses `encodeKeySegment`. */
export function decodeKeySegment(segment: string): string {
  return decodeURIComponent(segment);
}

/** Reads charger and connector back from a key or path in the archive layout, if it has them. */
export function originFromKey(key: string): ReportOrigin | undefined {
  const charger = /(?:^|[/\\])charger=([^/\\]+)/.exec(key)?.[1];
  const connector = /(?:^|[/\\])connector=([^/\\]+)/.exec(key)?.[1];
  if (charger === undefined || connector === undefined) return undefined;
  try {
    return { chargerId: decodeKeySegment(charger), connectorId: decodeKeySegment(connector) };
  } catch {
    return undefined;
  }
}

function partitions(origin: ReportOrigin, depot: string | undefined): string {
  const first = depot === undefined ? '' : `depot=${encodeKeySegment(depot)}/`;
  return `${first}charger=${encodeKeySegment(origin.chargerId)}/connector=${encodeKeySegment(origin.connectorId)}`;
}
