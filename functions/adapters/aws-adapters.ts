import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ConfigError } from '../config/config.ts';
import type { AlertSink, ReportArchive, SilenceStore, StateStore } from '../scan/ports.ts';
import { S3Archive } from './s3-archive.ts';
import { parseS3Uri } from './s3-location.ts';
import { S3Objects } from './s3-objects.ts';
import { S3State } from './s3-state.ts';
import { SnsAlerts } from './sns-alerts.ts';
import { isSnsTopicArn } from './sns-arn.ts';

export { isSnsTopicArn };

/** The S3 archive at an `s3://bucket/prefix` URI. */
export function s3ArchiveAt(uri: string, s3: S3Client, depot?: string): ReportArchive {
  return new S3Archive(s3, parseS3Uri(uri, 'archive'), depot);
}

/** The S3 cursor and ledger store at an `s3://bucket/prefix` URI. */
export function s3StateAt(uri: string, s3: S3Client): StateStore & SilenceStore {
  return new S3State(s3, parseS3Uri(uri, 'state'));
}

/** The SNS alert sink of a topic ARN. */
export function snsAlertsTo(topicArn: string, archiveLocation: string, sns: SNSClient): AlertSink {
  return new SnsAlerts(sns, { topicArn, archiveLocation });
}

/**
 * The adapters of a deployed scan (of one depot, when `depot` is named), which only ever uses
 * S3 and SNS. Kept apart from the local
 * adapters so the Lambda bundle carries neither them nor their file-system code.
 */
export function awsAdapters(
  config: { archive: string; state: string; alerts: readonly unknown[] },
  clients: { s3: S3Client; sns: SNSClient },
  depot?: string,
): { archive: ReportArchive; state: StateStore; alerts: AlertSink } {
  const [topic, ...others] = config.alerts;
  if (typeof topic !== 'string' || others.length > 0 || !isSnsTopicArn(topic)) {
    throw new ConfigError(
      `alerts: the deployed function publishes to exactly one SNS topic ARN, got ${JSON.stringify(config.alerts)}`,
    );
  }
  for (const [field, uri] of [
    ['archive', config.archive],
    ['state', config.state],
  ] as const) {
    if (!uri.startsWith('s3://'))
      throw new ConfigError(
        `${field}: the deployed function needs an s3://bucket/prefix URI, got "${uri}"`,
      );
  }
  const archive = s3ArchiveAt(config.archive, clients.s3, depot);
  return {
    archive,
    state: s3StateAt(config.state, clients.s3),
    alerts: snsAlertsTo(topic, archive.location, clients.sns),
  };
}

/** The text of the object at an `s3://bucket/key` URI, or undefined when there is none. */
export async function readObjectText(s3: S3Client, uri: string): Promise<string | undefined> {
  const { bucket, prefix } = parseS3Uri(uri, 'config object');
  const { value } = await new S3Objects(s3, bucket).readText(prefix.replace(/\/$/, ''));
  return value;
}
