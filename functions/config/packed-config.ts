import { gunzipSync, gzipSync } from 'node:zlib';

const PREFIX = 'gzip:';

/**
 * Packs a config for an SSM parameter (8 KB at most). A fleet list is highly repetitive, so
 * gzip shrinks it about tenfold: a 200-charger depot's 9 KB of JSON fits with room to spare.
 * Small configs stay plain JSON, readable in the console.
 */
export function packConfig(json: string, plainUpTo = 4_000): string {
  return json.length <= plainUpTo ? json : PREFIX + gzipSync(json, { level: 9 }).toString('base64');
}

/** Reads a value written by `packConfig` (plain JSON passes through). */
export function unpackConfig(value: string): string {
  return value.startsWith(PREFIX)
    ? gunzipSync(Buffer.from(value.slice(PREFIX.length), 'base64')).toString('utf8')
    : value;
}
