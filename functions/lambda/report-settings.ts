import { ConfigError } from '../config/config.ts';

/** The environment variables the report function reads; the stack sets them from these names. */
export const REPORT_ENV = {
  /** The archive bucket: state, archive and health reports all live in it. */
  bucket: 'DEPOT_WATCH_REPORT_BUCKET',
  /** The reports topic's ARN. */
  topic: 'DEPOT_WATCH_REPORT_TOPIC',
  /** What the report calls the depot (config text, shown to people). */
  depot: 'DEPOT_WATCH_DEPOT_NAME',
} as const;

/** Where things are in the bucket, and how long a link lives; the stack grants exactly these. */
export const REPORT_DEFAULTS = {
  /** The scan's state prefix: KPI rollups, incident records. */
  statePrefix: 'state',
  /** The scan's archive prefix: the incident history under `incidents/`. */
  archivePrefix: 'archive',
  /** Where rendered reports go: `health-reports/<from>_<to>.html`. */
  reportsPrefix: 'health-reports',
  /**
   * Seven days, the longest a SigV4 presigned URL may be valid. A URL signed with temporary
   * credentials (a Lambda role's) stops working when they expire, usually within hours.
   */
  linkExpiresSeconds: 7 * 24 * 3600,
  /** The depot's name when the stack names none. */
  depot: 'depot',
} as const;

/** The report function's settings, read once per container. */
export interface ReportSettings {
  bucket: string;
  topicArn: string;
  depot: string;
  statePrefix: string;
  archivePrefix: string;
  reportsPrefix: string;
  linkExpiresSeconds: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** The settings from the environment; a missing or malformed one is a ConfigError naming it. */
export function reportSettingsFrom(env: NodeJS.ProcessEnv): ReportSettings {
  const bucket = env[REPORT_ENV.bucket] ?? '';
  if (!BUCKET_NAME.test(bucket))
    throw new ConfigError(`set ${REPORT_ENV.bucket} to the archive bucket's name`);
  const topicArn = env[REPORT_ENV.topic] ?? '';
  if (!SNS_ARN.test(topicArn))
    throw new ConfigError(`set ${REPORT_ENV.topic} to the reports topic's ARN`);
  return {
    bucket,
    topicArn,
    depot: env[REPORT_ENV.depot]?.trim() || REPORT_DEFAULTS.depot,
    statePrefix: REPORT_DEFAULTS.statePrefix,
    archivePrefix: REPORT_DEFAULTS.archivePrefix,
    reportsPrefix: REPORT_DEFAULTS.reportsPrefix,
    linkExpiresSeconds: REPORT_DEFAULTS.linkExpiresSeconds,
  };
}
