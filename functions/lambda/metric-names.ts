/**
 * The names of the scan's own CloudWatch metrics, in one place: the handler writes them, the
 * stack's alarms and dashboard read them (infra/constructs/scan-function.ts `metric...()`).
 */

/** The namespace of depot-watch's metrics. */
export const METRICS_NAMESPACE = 'DepotWatch';
/** The service, Powertools' one default dimension (`service`) on every metric. */
export const METRICS_SERVICE = 'depot-watch';

/** The scan's metrics. */
export const SCAN_METRIC = {
  /** 1 for a run that scanned every connector, 0 for one that did not: the heartbeat. */
  succeeded: 'ScanSucceeded',
  /**
   * 1 for a run that found its credentials secret still holding the placeholder: not a failed
   * run, nothing to scan yet. Written only then, so it costs nothing once the secret is set
   * (CloudWatch bills a custom metric by the hours it receives data).
   */
  notConfigured: 'NotConfigured',
} as const;
