import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { runFailed, type ScanSummary } from '../scan/summary.ts';
import { SCAN_METRIC } from './metric-names.ts';

/**
 * The metrics a run emits, and only those: each metric name × dimension set is a custom
 * metric billed every month whether anything reads it, so a metric earns its place only when
 * an alarm (infra/constructs/watchdog.ts) watches it. `ScanSucceeded` is the heartbeat the "no
 * successful scan" alarm watches, `NotConfigured` keeps the heartbeat quiet while the
 * credentials secret still holds its placeholder.
 * Everything else a run counts is in its log lines, which Logs Insights and Athena query for
 * the price of the bytes: the "scan finished" line holds the totals (reports fetched, archived,
 * quarantined, duplicates, findings, `findingsByRule`, notices, open incidents) with the run id,
 * and this record adds the connectors that failed, the API retries and the duration. A run
 * with a failed connector fails its invocation, so Lambda's own `Errors` metric (free) is what
 * the error alarm watches; the names are in `metric-names.ts`.
 */

/**
 * Records one run as one CloudWatch embedded-metric-format line (no API calls): the heartbeat
 * metric, and the run id, number of failed connectors (`connectorFailures`; the "scan
 * incomplete" line names them, with their depots), API retries and duration as plain fields of the same line.
 */
export function recordScanMetrics(
  metrics: Metrics,
  summary: ScanSummary,
  apiRetries: number,
): void {
  metrics.addMetric(SCAN_METRIC.succeeded, MetricUnit.Count, runFailed(summary) ? 0 : 1);
  // EMF fields that are not metrics are log fields: queryable, not billed as metrics.
  metrics.addMetadata('connectorFailures', String(summary.failed.length));
  metrics.addMetadata('runId', summary.runId);
  metrics.addMetadata('apiRetries', String(apiRetries));
  metrics.addMetadata(
    'durationMs',
    String(Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)),
  );
  metrics.publishStoredMetrics();
}

/**
 * Records a run that failed before it had a summary (a bad config, unreadable credentials):
 * the heartbeat reads 0 and the stored metrics are flushed, as Powertools' middleware does in
 * its error path, so nothing recorded so far is lost with the invocation.
 */
export function recordFailedRun(metrics: Metrics, apiRetries: number): void {
  metrics.addMetric(SCAN_METRIC.succeeded, MetricUnit.Count, 0);
  metrics.addMetadata('apiRetries', String(apiRetries));
  metrics.publishStoredMetrics();
}

/**
 * Records a run that had nothing to scan yet (see `notConfiguredYet`): `NotConfigured` 1 and no
 * `ScanSucceeded`, so the run counts neither as a success nor as a failure.
 */
export function recordNotConfigured(metrics: Metrics): void {
  metrics.addMetric(SCAN_METRIC.notConfigured, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
