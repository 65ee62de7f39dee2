import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { runFailed, type ScanSummary } from '../scan/summary.ts';

/**
 * Records one run as CloudWatch embedded-metric-format lines (no API calls): the counts,
 * findings per rule, API retries, failed connectors, duration, and `ScanSucceeded` — the
 * heartbeat the "no successful scan" alarm watches.
 */
export function recordScanMetrics(
  metrics: Metrics,
  summary: ScanSummary,
  apiRetries: number,
): void {
  const t = summary.totals;
  metrics.addMetric('ReportsFetched', MetricUnit.Count, t.fetched);
  metrics.addMetric('ReportsArchived', MetricUnit.Count, t.archived);
  metrics.addMetric('ReportsQuarantined', MetricUnit.Count, t.quarantined);
  metrics.addMetric('DuplicatesSkipped', MetricUnit.Count, t.alreadyArchived);
  metrics.addMetric('Findings', MetricUnit.Count, t.findings);
  metrics.addMetric('NoticesPublished', MetricUnit.Count, t.alerted);
  metrics.addMetric('IncidentsOpen', MetricUnit.Count, t.openIncidents);
  metrics.addMetric('ApiRetries', MetricUnit.Count, apiRetries);
  metrics.addMetric('ConnectorFailures', MetricUnit.Count, summary.failed.length);
  metrics.addMetric('ScanSucceeded', MetricUnit.Count, runFailed(summary) ? 0 : 1);
  metrics.addMetric(
    'ScanDuration',
    MetricUnit.Milliseconds,
    Date.parse(summary.finishedAt) - Date.parse(summary.startedAt),
  );
  for (const [rule, count] of Object.entries(t.findingsByRule)) {
    const single = metrics.singleMetric();
    single.addDimension('rule', rule);
    single.addMetric('FindingsByRule', MetricUnit.Count, count);
  }
  metrics.publishStoredMetrics();
}

/**
 * Records a run that failed before it had a summary (a bad config, unreadable credentials):
 * the heartbeat reads 0 and the stored metrics are flushed, as Powertools' middleware does in
 * its error path, so nothing recorded so far is lost with the invocation.
 */
export function recordFailedRun(metrics: Metrics, apiRetries: number): void {
  metrics.addMetric('ApiRetries', MetricUnit.Count, apiRetries);
  metrics.addMetric('ScanSucceeded', MetricUnit.Count, 0);
  metrics.publishStoredMetrics();
}
