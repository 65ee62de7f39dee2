import { quarantineKey, reportKey } from '../core/archive-layout.ts';
import type { DailyConnectorKpi } from '../core/fleet/daily-kpis.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import { noticeAsText } from '../core/incidents/notice-text.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { PackedDocument } from '../scan/document-text.ts';
import type {
  AlertSink,
  LegacyState,
  PublishOutcome,
  PutOutcome,
  ReportArchive,
  StateStore,
  TextPieces,
} from '../scan/ports.ts';
import type { StateDocument, StoredDocument } from '../scan/state-document.ts';
import { linesOf } from './text-lines.ts';

/** How every line a dry run prints starts, so it is never mistaken for a real run's output. */
export const DRY_RUN_MARK = '[dry run]';

/**
 * An archive that stores nothing and says what it would have stored. It cannot know what the
 * real archive holds, so every report counts as new: a real run may find some already there.
 */
export class DryRunArchive implements ReportArchive {
  constructor(
    /** The real archive's location, for the summary and the notices that name it. */
    readonly location: string,
    private readonly write: (text: string) => void,
    private readonly real?: ReportArchive,
  ) {}

  async putReport(
    origin: ReportOrigin,
    sessionDate: string,
    sessionId: string,
    _body: string,
  ): Promise<PutOutcome> {
    this.write(`${DRY_RUN_MARK} would archive ${reportKey(origin, sessionDate, sessionId)}\n`);
    return 'created';
  }

  async putQuarantined(origin: ReportOrigin, body: string, reason: string): Promise<PutOutcome> {
    this.write(`${DRY_RUN_MARK} would quarantine ${quarantineKey(origin, body)}: ${reason}\n`);
    return 'created';
  }

  async putIncidentHistory(day: string, name: string, jsonLines: TextPieces): Promise<PutOutcome> {
    let lines = 0;
    for (const _ of linesOf(jsonLines)) lines++;
    this.write(
      `${DRY_RUN_MARK} would add ${lines} notice(s) to the incident history (incidents/date=${day}/${name}.jsonl)\n`,
    );
    return 'created';
  }

  /** What the real archive's history lists: an earlier run's receipt, read for real. */
  incidentHistoryIds(day: string, name: string): Promise<Set<string>> {
    return this.real?.incidentHistoryIds(day, name) ?? Promise.resolve(new Set());
  }
}

/**
 * The configured state, read but never written: the run sees the windows, incidents, silences
 * and KPI rows a real run would, and its commit keeps nothing. No lock is taken: a lock file is
 * a write, and a dry run may run beside the scheduled scan.
 */
export class ReadOnlyState implements StateStore {
  constructor(private readonly real: StateStore) {}

  get location(): string {
    return this.real.location;
  }

  get legacy(): LegacyState {
    return this.real.legacy;
  }

  loadDocument(): Promise<StoredDocument | undefined> {
    return this.real.loadDocument();
  }

  async commitDocument(document: StateDocument | PackedDocument): Promise<string> {
    return `dry-run-${document.seq}`;
  }

  loadDailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    return this.real.loadDailyKpis(day);
  }

  loadKpiPartition(day: string): Promise<DailyConnectorKpi[]> {
    return this.real.loadKpiPartition(day);
  }

  async saveDailyKpis(): Promise<void> {}

  async loadSilences(): Promise<unknown> {
    return this.real.loadSilences?.();
  }
}

/** An alert sink that prints each notice as it would have gone out, marked, and sends nothing. */
export class DryRunAlerts implements AlertSink {
  /** Every notice the run would have sent, counted as it is printed. */
  noticesToSend = 0;

  constructor(private readonly write: (text: string) => void) {}

  async publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome> {
    this.noticesToSend += notices.length;
    for (const notice of notices)
      this.write(`${DRY_RUN_MARK} would send:\n${noticeAsText(notice)}\n\n`);
    // Accepted, so the run's counts and incident lifecycle are those of a real run.
    return { accepted: notices.map((n) => n.id), failed: [] };
  }
}

/** The adapters of a dry run over the configured state: nothing written, nothing sent. */
export function dryRunAdapters(
  real: { state: StateStore; archive: ReportArchive },
  write: (text: string) => void,
): { archive: ReportArchive; state: StateStore; alerts: DryRunAlerts } {
  return {
    archive: new DryRunArchive(real.archive.location, write, real.archive),
    state: new ReadOnlyState(real.state),
    alerts: new DryRunAlerts(write),
  };
}
