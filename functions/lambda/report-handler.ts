import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Context } from 'aws-lambda';
import { s3Client, snsClient } from '../adapters/aws-clients.ts';
import { perProtocolMessage } from '../adapters/sns-message.ts';
import { renderHealthReport } from '../health-report/html/render-report.ts';
import { loadReportInput } from '../health-report/load-report-input.ts';
import { buildHealthReport } from '../health-report/model/health-report.ts';
import type { HealthReportInput, ReportPeriod } from '../health-report/model/report-input.ts';
import { StoredReportSources } from '../health-report/report-sources.ts';
import { reportMessage } from './report-message.ts';
import { reportSettingsFrom } from './report-settings.ts';

/**
 * What the scheduler sends: the stack sets `scheduledTime` from the scheduler's context, so a
 * retried or late invocation still reports the week it was scheduled for.
 */
export interface ReportEvent {
  scheduledTime?: string;
}

/** What one run made: where the report is, its link, and its period. */
export interface ReportRun {
  period: ReportPeriod;
  key: string;
  location: string;
  link: string;
  linkExpiresAt: string;
  messageId: string | undefined;
}

/** What the handler is built from; tests pass local stand-ins. */
export interface ReportHandlerDependencies {
  env: NodeJS.ProcessEnv;
  s3: S3Client;
  sns: SNSClient;
  logger: Logger;
  now?: () => number;
  /** Renders the page; the default is the report's own renderer. */
  render?: (input: HealthReportInput) => Promise<string>;
}

/**
 * Builds the weekly report function: reads the last 7 complete UTC days (and the 7 before, to
 * compare) from the state and archive prefixes, writes the page to `health-reports/`, and
 * publishes one notice with its headline and a presigned link to the reports topic. The state
 * prefix is the scan's (`DEPOT_WATCH_STATE`); the depots of a several-depot config each keep
 * theirs in a `depot=<name>` folder under it, which the sources find by listing, so the
 * report covers every depot the scan wrote without reading the scan's config.
 *
 * The link is signed for 7 days, the most SigV4 allows, but a presigned URL works only while
 * the credentials that signed it are valid, and a Lambda role's are temporary (hours). So the
 * notice also names the object's `s3://` location, which anyone with read access can fetch.
 */
export function createReportHandler(deps: ReportHandlerDependencies) {
  const now = deps.now ?? Date.now;
  const render = deps.render ?? renderHealthReport;

  return async function reportHandler(event?: ReportEvent, context?: Context): Promise<ReportRun> {
    if (context) deps.logger.addContext(context);
    const settings = reportSettingsFrom(deps.env);
    const at = reportTime(event, now());
    const { bucket } = settings;
    const sources = new StoredReportSources(
      {
        state: `s3://${bucket}/${settings.statePrefix}`,
        archive: `s3://${bucket}/${settings.archivePrefix}`,
      },
      { baseDir: '/', s3: deps.s3 },
    );
    const input = await loadReportInput(sources, { depot: settings.depot, now: at });
    const html = await render(input);
    const { period } = input;
    const key = `${settings.reportsPrefix}/${period.from}_${period.to}.html`;
    const location = `s3://${bucket}/${key}`;
    // No encryption header: the bucket's default encryption applies, as to everything in it.
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: html,
        ContentType: 'text/html; charset=utf-8',
      }),
    );
    const signedAt = now();
    const link = await getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: settings.linkExpiresSeconds,
      signingDate: new Date(signedAt),
    });
    const linkExpiresAt = new Date(signedAt + settings.linkExpiresSeconds * 1000).toISOString();
    const message = reportMessage({
      depot: settings.depot,
      ...(input.depots ? { depots: input.depots } : {}),
      period,
      previous: input.previous,
      headline: buildHealthReport(input).headline,
      location,
      key,
      link,
      linkExpiresAt,
    });
    const published = await deps.sns.send(
      new PublishCommand({ TopicArn: settings.topicArn, ...perProtocolMessage(message) }),
    );
    deps.logger.info('health report published', {
      period,
      ...(input.depots ? { depots: input.depots } : {}),
      key,
      bytes: Buffer.byteLength(html),
      messageId: published.MessageId,
    });
    return { period, key, location, link, linkExpiresAt, messageId: published.MessageId };
  };
}

/** The instant the report is for: the scheduled time when the event carries a valid one. */
function reportTime(event: ReportEvent | undefined, fallback: number): number {
  const scheduled = Date.parse(event?.scheduledTime ?? '');
  return Number.isFinite(scheduled) ? scheduled : fallback;
}

/** The Lambda entry point (EventBridge Scheduler invokes it weekly). */
export const handler = createReportHandler({
  env: process.env,
  // The default chain, which the Lambda bundle narrows to the environment, where Lambda puts
  // the role's credentials (an esbuild alias, infra/bundling.ts).
  s3: s3Client(),
  sns: snsClient(),
  logger: new Logger({ serviceName: 'depot-watch-report' }),
});
