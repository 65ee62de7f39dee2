import type { AlertSink, Log, ScanProgress } from '../scan/ports.ts';

/**
 * What an invocation counts for the dashboard beyond the scan's own summary, as log lines
 * (Logs Insights reads them for the price of the bytes; a metric would cost $0.30 a month
 * each): API retries, and how many of them were the API's 429s; and one line per notice
 * delivered, with its event and severity.
 */
export class RunTelemetry {
  /** API requests tried again, for any reason. */
  retries = 0;
  /** Of those, the ones the API throttled (HTTP 429). */
  throttled = 0;

  /** Hears the scan's retries; wired as the scan's `progress`. */
  readonly progress: ScanProgress = {
    started: () => {},
    reportsRead: () => {},
    connectorDone: () => {},
    retrying: (wait) => {
      if (wait.reason.startsWith('HTTP 429')) this.throttled++;
    },
  };

  /** Counts a retry; wired as the scan's `onRetry`. */
  readonly onRetry = (): void => {
    this.retries++;
  };

  /** The counts so far, as fields of a log line. */
  fields(): { apiRetries: number; apiThrottled: number } {
    return { apiRetries: this.retries, apiThrottled: this.throttled };
  }
}

/**
 * An alert sink that logs a `notice sent` line for each notice the channel accepted: event,
 * severity, rule, incident and where, never the text (it may quote a vehicle's data at length).
 */
export function loggingNotices(alerts: AlertSink, log: Log): AlertSink {
  return {
    async publish(notices) {
      const outcome = await alerts.publish(notices);
      const accepted = new Set(outcome.accepted);
      for (const notice of notices) {
        if (!accepted.has(notice.id)) continue;
        log.info('notice sent', {
          event: notice.event,
          severity: notice.severity,
          rule: notice.rule,
          incident: notice.incident,
          subject: notice.subject,
          chargerId: notice.chargerId,
          connectorId: notice.connectorId,
          ...(notice.depot !== undefined ? { depot: notice.depot } : {}),
        });
      }
      return outcome;
    },
  };
}
