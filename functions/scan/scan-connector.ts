import { mapWithConcurrency } from '../core/concurrency.ts';
import { evaluateReport } from '../core/evaluate.ts';
import type { Finding } from '../core/finding.ts';
import { type ReportOrigin, validateSessionReport } from '../core/session-report.ts';
import type { Thresholds } from '../core/thresholds.ts';
import { CredentialsRefusedError } from '../depot/errors.ts';
import {
  type AlertSink,
  type Log,
  type RawItem,
  type ReportArchive,
  type ReportSource,
  type ScanState,
  UnstorableReportError,
} from './ports.ts';
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
  /** After this (epoch ms) no new page is read: what was read is finished and the rest waits. */
  deadline?: number;
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
    let cutShort = false;

    const fileItem = async (item: RawItem): Promise<void> => {
      const report = await archiveItem(scan, item, counts);
      if (!report) return;
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
    };

    // A window that cannot be read to its end still has its first pages' faults alerted.
    let readError: unknown;
    try {
      for await (const page of scan.source.pages({ ...origin, ...window })) {
        counts.pages++;
        counts.fetched += page.items.length;
        await mapWithConcurrency(page.items, scan.writeConcurrency, fileItem);
        if (scan.deadline !== undefined && scan.now() >= scan.deadline) {
          cutShort = true;
          break;
        }
      }
    } catch (error) {
      readError = error;
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
    if (readError !== undefined) throw readError;
    if (cutShort) {
      // What was read is archived and alerted; the cursor stays so the next run reads the rest.
      return result(
        'failed',
        `the run's deadline came after ${counts.pages} page(s); the rest of the window is read next run`,
      );
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

/**
 * Validates one item and files it: a valid report in the archive, anything else in quarantine
 * with its reason. Whatever is wrong with one report stays with that report — it is quarantined
 * and the connector goes on — while a failing store fails the connector, so its window is read
 * again. Returns the report when it was archived (now or before) and its rules should run.
 */
async function archiveItem(
  scan: ConnectorScan,
  item: RawItem,
  counts: ReturnType<typeof emptyCounts>,
) {
  const quarantine = async (reason: string) => {
    await scan.archive.putQuarantined(scan.origin, item.json, reason);
    counts.quarantined++;
    scan.log.warn('report quarantined', { ...scan.origin, reason });
  };
  let validation: ReturnType<typeof validateSessionReport>;
  try {
    validation = validateSessionReport(item.value);
  } catch (error) {
    validation = { ok: false, reason: `the report could not be validated: ${messageOf(error)}` };
  }
  if (!validation.ok) {
    await quarantine(validation.reason);
    return undefined;
  }
  const { report, sessionDate } = validation;
  try {
    const outcome = await scan.archive.putReport(
      scan.origin,
      sessionDate,
      String(report.sessionId),
      item.json,
    );
    counts[outcome === 'created' ? 'archived' : 'alreadyArchived']++;
  } catch (error) {
    if (!(error instanceof UnstorableReportError)) throw error;
    await quarantine(`the archive cannot store this report: ${error.message}`);
    return undefined;
  }
  return report;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
