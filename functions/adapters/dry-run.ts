import { quarantineKey, reportKey } from '../core/archive-layout.ts';
import type { AttributionState } from '../core/fleet/attribution-state.ts';
import type { DailyConnectorKpi } from '../core/fleet/daily-kpis.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import { noticeAsText } from '../core/incidents/notice-text.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type {
  AlertSink,
  Cursor,
  PublishOutcome,
  PutOutcome,
  ReportArchive,
  ScanState,
} from '../scan/ports.ts';

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

  async putIncidentHistory(day: string, name: string, jsonLines: string): Promise<PutOutcome> {
    const lines = jsonLines.split('\n').filter((line) => line !== '').length;
    this.write(
      `${DRY_RUN_MARK} would add ${lines} notice(s) to the incident history (incidents/date=${day}/${name}.jsonl)\n`,
    );
    return 'created';
  }
}

/**
 * The configured state, read but never written: cursors, incidents, silences and KPI rows are
 * read from it, so the run sees the windows and incidents a real run would; what the run saves
 * is kept in memory for the rest of the run only. No lock is taken: a lock file is a write, and
 * a dry run may run beside the scheduled scan.
 */
export class ReadOnlyState implements ScanState {
  readonly #cursors = new Map<string, Cursor>();
  readonly #incidents = new Map<string, ConnectorIncidentState>();
  readonly #kpis = new Map<string, DailyConnectorKpi[]>();
  #attribution: AttributionState | undefined;

  constructor(private readonly real: ScanState) {}

  async loadCursor(origin: ReportOrigin): Promise<Cursor | undefined> {
    return this.#cursors.get(keyOf(origin)) ?? this.real.loadCursor(origin);
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    this.#cursors.set(keyOf(cursor), cursor);
  }

  async loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined> {
    return this.#incidents.get(keyOf(origin)) ?? this.real.loadIncidents(origin);
  }

  async saveIncidents(state: ConnectorIncidentState): Promise<void> {
    this.#incidents.set(keyOf(state), state);
  }

  async loadAttribution(): Promise<AttributionState | undefined> {
    return this.#attribution ?? this.real.loadAttribution();
  }

  async saveAttribution(state: AttributionState): Promise<void> {
    this.#attribution = state;
  }

  async loadDailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    return this.#kpis.get(day) ?? this.real.loadDailyKpis(day);
  }

  async updateDailyKpis(
    day: string,
    change: (rows: readonly DailyConnectorKpi[]) => DailyConnectorKpi[],
  ): Promise<void> {
    this.#kpis.set(day, change(await this.loadDailyKpis(day)));
  }

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
  real: { state: ScanState; archiveLocation: string },
  write: (text: string) => void,
): { archive: ReportArchive; state: ScanState; alerts: DryRunAlerts } {
  return {
    archive: new DryRunArchive(real.archiveLocation, write),
    state: new ReadOnlyState(real.state),
    alerts: new DryRunAlerts(write),
  };
}

function keyOf({ chargerId, connectorId }: ReportOrigin): string {
  return `${chargerId}\u001f${connectorId}`;
}
