import { mapWithConcurrency } from '../core/concurrency.ts';
import type { Severity } from '../core/finding.ts';
import type { SessionMark } from '../core/fleet/attribution-state.ts';
import { withFleetHistory } from '../core/fleet/history-note.ts';
import { fleetFindings } from '../core/incidents/attributable.ts';
import {
  type ConnectorIncidentState,
  emptyIncidentState,
} from '../core/incidents/connector-incidents.ts';
import type { JudgedSession } from '../core/incidents/incident.ts';
import { incidentStep } from '../core/incidents/incident-step.ts';
import { markDelivered, type SilencedAt } from '../core/incidents/notices.ts';
import type { IncidentSettings } from '../core/incidents/settings.ts';
import { judgeSession } from '../core/judge-session.ts';
import { type ReportOrigin, validateSessionReport } from '../core/session-report.ts';
import type { Thresholds } from '../core/thresholds.ts';
import { messageOf } from './error-message.ts';
import {
  CredentialsRefused,
  DeadlineReached,
  type Log,
  type NoticeOutbox,
  type RawItem,
  type ReportArchive,
  type ReportSource,
  type ScanProgress,
  type ScanState,
  UnstorableReportError,
} from './ports.ts';
import { type ConnectorResult, connectorResult, emptyCounts } from './summary.ts';

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
  /** Where the notices the connector's incidents call for go, to be sent after the commit. */
  outbox: NoticeOutbox;
  thresholds: Thresholds;
  incidents: IncidentSettings;
  /** Whether notices about an incident must wait (silences, maintenance windows). */
  silenced?: SilencedAt;
  log: Log;
  now: () => number;
  /** Archive writes in flight per page. */
  writeConcurrency: number;
  /** After this (epoch ms) no new page is read: what was read is finished and the rest waits. */
  deadline?: number;
  /** Told of each page's reports as they arrive. Default: none. */
  progress?: ScanProgress;
  /** The fleet's record of recent failures, quoted in the first notice of a fault. Default: none. */
  fleetHistory?: readonly SessionMark[];
}

/**
 * A session read, as the fleet-wide steps need it after the connector is done: its findings
 * the fleet attributes, and the severity of every finding (for the daily KPIs). A run holds
 * these for every connector until its end: the rest of each finding is not kept.
 */
export interface ReadSession {
  session: JudgedSession;
  severities: Severity[];
}

/** A connector's scan: its counts and status, and the sessions read. */
export interface ConnectorOutcome {
  result: ConnectorResult;
  /** Every valid session read, for the fleet's attribution and daily KPIs. */
  sessions: ReadSession[];
}

/**
 * Scans one connector's window: fetch every page, archive or quarantine every item, run the
 * rules, feed the sessions to the connector's incidents, send the notices they call for,
 * record what was sent, and only then move the cursor. The order keeps the invariants: a
 * crash before the incident record is saved means the window is read again, the archive says
 * `exists`, and the same sessions give the same notices (sent at least once); a crash after
 * it finds every session already applied, so nothing is sent twice.
 *
 * The same order lets the record spare the archive: see `archivedBefore`.
 */
export async function scanConnector(scan: ConnectorScan): Promise<ConnectorOutcome> {
  const { origin } = scan;
  const window = { from: scan.to, to: scan.to };
  const counts = emptyCounts();
  const findingsByRule: Record<string, number> = {};
  const sessions: JudgedSession[] = [];
  const result = (status: ConnectorResult['status'], error?: string): ConnectorOutcome => ({
    result: connectorResult(origin, counts, status, window, findingsByRule, error),
    sessions: sessions.map((session) => ({
      session: { ...session, findings: fleetFindings(session.findings) },
      severities: session.findings.map((f) => f.severity),
    })),
  });

  try {
    // Both reads are independent: one round trip's wait instead of two.
    const [cursor, incidents] = await Promise.all([
      scan.state.loadCursor(origin),
      scan.state.loadIncidents(origin),
    ]);
    window.from = cursor
      ? new Date(Date.parse(cursor.fetchedUntil) - scan.overlapMinutes * 60_000).toISOString()
      : new Date(Date.parse(scan.to) - scan.initialLookbackHours * 3_600_000).toISOString();
    let cutShort = false;
    const archived = archivedBefore(incidents);

    const fileItem = async (item: RawItem): Promise<void> => {
      const filed = await archiveItem(scan, item, counts, archived);
      if (!filed) return;
      const { report, sessionDate } = filed;
      const { session, ruleErrors } = judgeSession(report, sessionDate, scan.thresholds, origin);
      counts.ruleErrors += ruleErrors.length;
      for (const failure of ruleErrors) {
        scan.log.error('rule failed on a report', {
          ...origin,
          sessionId: report.sessionId,
          ...failure,
        });
      }
      for (const finding of session.findings) {
        counts.findings++;
        findingsByRule[finding.rule] = (findingsByRule[finding.rule] ?? 0) + 1;
      }
      // Re-read sessions are skipped by the record, so the first fetch's time is the one kept.
      sessions.push({ ...session, seenAt: scan.to });
    };

    // A window that cannot be read to its end still has its first pages' faults alerted.
    let readError: unknown;
    try {
      for await (const page of scan.source.pages({ ...origin, ...window })) {
        counts.pages++;
        counts.fetched += page.items.length;
        scan.progress?.reportsRead(page.items.length);
        await mapWithConcurrency(page.items, scan.writeConcurrency, fileItem);
        if (scan.deadline !== undefined && scan.now() >= scan.deadline) {
          cutShort = true;
          break;
        }
      }
    } catch (error) {
      // A request the deadline aborted in flight ends the read as the deadline between pages does.
      if (error instanceof DeadlineReached) cutShort = true;
      else readError = error;
    }

    const now = new Date(scan.now()).toISOString();
    const before = incidents ?? emptyIncidentState(origin);
    const told = withFleetHistory(sessions, origin, scan.fleetHistory ?? []);
    const step = incidentStep(before, origin, told, {
      now,
      settings: scan.incidents,
      readInFull: readError === undefined && !cutShort,
      ...(scan.silenced ? { silenced: scan.silenced } : {}),
    });
    // Decided notices count as told: the outbox keeps them until they are delivered.
    scan.outbox.add(step.notices);
    const next = markDelivered(step.state, step.notices, scan.silenced);
    if (next !== before) await scan.state.saveIncidents(next);
    counts.openIncidents = next.incidents.filter((i) => i.status === 'open').length;
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
    if (error instanceof CredentialsRefused) failed.result.credentialsRefused = true;
    return failed;
  }
}

/**
 * The sessions of a connector known to be in the archive already: those its incident record
 * has applied. A session only reaches the record after its report was archived (archive,
 * judge, save the record, move the cursor), and every new session changes the record, clean
 * ones too, so the record is saved on every run that archives anything: the overlap's
 * re-read reports are found here without a request to the archive, where the cursor, written
 * only every `cursorRefreshMinutes`, would need a write of its own to know them. A crash
 * after the archive but before the record is saved leaves those sessions out of it, so the
 * next run asks the archive, which answers `exists`: never archived twice, never lost.
 * The record keeps 8 days of sessions, more than any overlap; what it has forgotten is asked.
 * Records of an attributed subject keep no sessions, so they spare nothing.
 */
function archivedBefore(record: ConnectorIncidentState | undefined): Set<string> {
  if (!record || record.subject !== undefined) return new Set();
  return new Set(record.seen.map(([key]) => key));
}

/**
 * A session's key as `judgeSession` gives it and the incident record keeps it: its id and
 * day, the two parts of its archive key besides its connector's.
 */
function sessionKeyOf(sessionId: string, sessionDate: string): string {
  return `${sessionId}@${sessionDate}`;
}

/**
 * Validates one item and files it: a valid report in the archive, anything else in quarantine
 * with its reason. Whatever is wrong with one report stays with that report — it is quarantined
 * and the connector goes on — while a failing store fails the connector, so its window is read
 * again. A report of a session in `archived` is not sent to the archive again: it counts as
 * already archived, as the archive would have said. Returns the report and its day when it was
 * archived (now or before), for the rules.
 */
async function archiveItem(
  scan: ConnectorScan,
  item: RawItem,
  counts: ReturnType<typeof emptyCounts>,
  archived: Set<string>,
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
  const sessionId = String(report.sessionId);
  const key = sessionKeyOf(sessionId, sessionDate);
  if (archived.has(key)) {
    counts.alreadyArchived++;
    return { report, sessionDate };
  }
  try {
    const outcome = await scan.archive.putReport(scan.origin, sessionDate, sessionId, item.json);
    counts[outcome === 'created' ? 'archived' : 'alreadyArchived']++;
    // A session can come twice in one read (pages shift as sessions arrive): once is enough.
    archived.add(key);
  } catch (error) {
    if (!(error instanceof UnstorableReportError)) throw error;
    await quarantine(`the archive cannot store this report: ${error.message}`);
    return undefined;
  }
  return { report, sessionDate };
}
