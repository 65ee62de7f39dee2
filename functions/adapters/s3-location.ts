import { ConfigError } from '../config/config.ts';

/** A bucket and a key prefix, from an `s3://bucket/prefix` URI. */
export interface S3Location {
  bucket: string;
  /** Empty, or ending in `/`. */
  prefix: string;
}

/** Reads `s3://bucket/optional/prefix`; a malformed URI is a ConfigError naming the field. */
export function parseS3Uri(uri: string, field: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match?.[1]) throw new ConfigError(`${field}: "${uri}" is not an s3://bucket/prefix URI`);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1], prefix: prefix ? `${prefix}/` : '' };
}
