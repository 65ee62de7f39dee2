import { mapWithConcurrency } from '../core/concurrency.ts';
import { evaluateReport } from '../core/evaluate.ts';
import type { Finding } from '../core/finding.ts';
import { type ReportOrigin, validateSessionReport } from '../core/session-report.ts';
import type { Thresholds } from '../core/thresholds.ts';
import { CredentialsRefusedError } from '../depot/errors.ts';
import type { AlertSink, Log, ReportArchive, ReportSource, ScanState } from './ports.ts';
import { type ConnectorResult, emptyCounts } from './summary.ts';

/** Everything one connector's scan needs. */
export interface ConnectorScan {
  origin: ReportOrigin;
  /** The end of this run's window: the run's start time. */
  to: string;
  /** How far the first run of a connector looks back. */
  initialLookbackHours: number;
  /** How far each window reaches back before the cursor. */
  overlapMinutes: number;
  /** A cursor younger than this is not rewritten: the window only widens a little. */
  cursorRefreshMinutes: number;
  source: ReportSource;
  archive: ReportArchive;
  state: ScanState;
  alerts: AlertSink;
  thresholds: Thresholds;
  log: Log;
  now: () => number;
  /** Archive writes in flight per page. */
  writeConcurrency: number;
  ledgerRetentionDays: number;
}

/**
 * Scans one connector's window: fetch every page, archive or quarantine every item, run the
 * rules, alert what the ledger has not seen, and only then move the cursor. The order is what
 * keeps the invariants: a crash before the cursor moves means the window is read again, the
 * archive says `exists`, and the ledger keeps already-sent alerts from going out twice.
 */
export async function scanConnector(scan: ConnectorScan): Promise<ConnectorResult> {
  const { origin } = scan;
  const window = { from: scan.to, to: scan.to };
  const counts = emptyCounts();
  const findingsByRule: Record<string, number> = {};
  const result = (status: ConnectorResult['status'], error?: string): ConnectorResult => ({
    ...origin,
    ...counts,
    status,
    window,
    findingsByRule,
    ...(error !== undefined ? { error } : {}),
  });

  try {
    // Both reads are independent: one round trip's wait instead of two.
    const [cursor, ledger] = await Promise.all([
      scan.state.loadCursor(origin),
      scan.state.loadLedger(origin),
    ]);
    window.from = cursor
      ? new Date(Date.parse(cursor.fetchedUntil) - scan.overlapMinutes * 60_000).toISOString()
      : new Date(Date.parse(scan.to) - scan.initialLookbackHours * 3_600_000).toISOString();
    const pending = new Map<string, Finding>();

    for await (const page of scan.source.pages({ ...origin, ...window })) {
      counts.pages++;
      counts.fetched += page.items.length;
      await mapWithConcurrency(page.items, scan.writeConcurrency, async ({ json: body, value }) => {
        const validation = validateSessionReport(value);
        if (!validation.ok) {
          await scan.archive.putQuarantined(origin, body, validation.reason);
          counts.quarantined++;
          scan.log.warn('report quarantined', { ...origin, reason: validation.reason });
          return;
        }
        const { report, sessionDate } = validation;
        const outcome = await scan.archive.putReport(
          origin,
          sessionDate,
          String(report.sessionId),
          body,
        );
        counts[outcome === 'created' ? 'archived' : 'alreadyArchived']++;
        const { findings, ruleErrors } = evaluateReport(report, scan.thresholds, origin);
        counts.ruleErrors += ruleErrors.length;
        for (const failure of ruleErrors) {
          scan.log.error('rule failed on a report', {
            ...origin,
            sessionId: report.sessionId,
            ...failure,
          });
        }
        for (const finding of findings) {
          counts.findings++;
          findingsByRule[finding.rule] = (findingsByRule[finding.rule] ?? 0) + 1;
          if (ledger.has(finding.fingerprint)) counts.suppressed++;
          else pending.set(finding.fingerprint, finding);
        }
      });
    }

    const toPublish = [...pending.values()];
    if (toPublish.length > 0) {
      const outcome = await scan.alerts.publish(toPublish);
      counts.alerted += outcome.accepted.length;
      const at = new Date(scan.now()).toISOString();
      ledger.record(outcome.accepted, at);
      ledger.prune(new Date(scan.now() - scan.ledgerRetentionDays * 86_400_000).toISOString());
      await scan.state.saveLedger(origin, ledger);
      if (outcome.failed.length > 0) {
        // The cursor stays, so the next run reads this window again and retries these alerts.
        const first = outcome.failed[0]?.error ?? 'unknown error';
        return result('failed', `${outcome.failed.length} alert(s) not published: ${first}`);
      }
    }

    // A fresh cursor is left as it is: reading a little more next time costs less than a write
    // per connector per run, and the archive and ledger already make re-reads harmless.
    const age = cursor
      ? Date.parse(window.to) - Date.parse(cursor.fetchedUntil)
      : Number.POSITIVE_INFINITY;
    if (age >= scan.cursorRefreshMinutes * 60_000) {
      await scan.state.saveCursor({
        ...origin,
        fetchedUntil: window.to,
        updatedAt: new Date(scan.now()).toISOString(),
      });
    }
    return result('ok');
  } catch (error) {
    const failed = result('failed', error instanceof Error ? error.message : String(error));
    if (error instanceof CredentialsRefusedError) failed.credentialsRefused = true;
    return failed;
  }
}
