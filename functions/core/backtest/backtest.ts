import {
  attributionStep,
  type ConnectorSessions,
  markAttributionDelivered,
} from '../fleet/attribution.ts';
import type { AttributionState } from '../fleet/attribution-state.ts';
import { withFleetHistory } from '../fleet/history-note.ts';
import type { ConnectorIncidentState } from '../incidents/connector-incidents.ts';
import type { IncidentNotification, JudgedSession } from '../incidents/incident.ts';
import { incidentStep } from '../incidents/incident-step.ts';
import { markDelivered, type SilencedAt } from '../incidents/notices.ts';
import type { IncidentSettings } from '../incidents/settings.ts';
import type { ReportOrigin } from '../session-report.ts';

/** A judged session and the connector it came from. */
export interface HistoricSession {
  origin: ReportOrigin;
  session: JudgedSession;
  /** When the vendor's API first served its report (ISO). @default the session's end */
  availableAt?: string;
}

/** How a backtest runs: the schedule, and the settings and silences of a config. */
export interface BacktestOptions {
  /** Minutes between simulated runs. */
  everyMinutes: number;
  /** Incident settings for a connector (overrides applied). */
  settingsFor: (origin: ReportOrigin) => IncidentSettings;
  /** The site-wide incident settings: attribution and the policy of vehicles and chargers. */
  site: IncidentSettings;
  /** The fleet as the config lists it. Default: the chargers and connectors in the history. */
  fleet?: readonly { chargerId: string; connectors: readonly string[] }[];
  silenced?: SilencedAt;
  /**
   * Runs whose sessions each run reads again, as the scan's overlapping window does; the
   * engine must make nothing of them. @default 0
   */
  rereadRuns?: number;
}

/** What a backtest heard: every notice, in the order the runs would have sent them. */
export interface BacktestResult {
  notices: IncidentNotification[];
  /** The simulated runs, first and last (ISO), and how many. */
  firstRun?: string;
  lastRun?: string;
  runs: number;
  /**
   * The records the last run left behind: the fleet's attribution record (absent when
   * attribution is off) and each connector's incident record, as a scan would store them.
   */
  final?: { attribution?: AttributionState; connectors: ConnectorIncidentState[] };
}

/**
 * Replays a history as the scheduled scan would have seen it: a run every `everyMinutes`, each
 * seeing the sessions that had ended by then, driving the same incident step the scan uses —
 * only the clock is simulated and every notice counts as delivered. The history ends at the
 * run after the last session, so connectors that stopped early go silent as they would have.
 */
export function backtest(
  history: readonly HistoricSession[],
  options: BacktestOptions,
): BacktestResult {
  const everyMs = options.everyMinutes * 60_000;
  // Runs are numbered (the run at n × everyMs is run n): small integers make cheaper map keys
  // than the epoch milliseconds, looked up for every connector in every run.
  const runOf = (at: string) => Math.ceil(Date.parse(at) / everyMs);
  const byConnector = new Map<
    string,
    { origin: ReportOrigin; runs: Map<number, JudgedSession[]> }
  >();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { origin, session, availableAt } of history) {
    const key = keyOf(origin);
    const connector = byConnector.get(key) ?? { origin, runs: new Map() };
    byConnector.set(key, connector);
    const run = runOf(availableAt ?? session.at);
    connector.runs.set(run, [...(connector.runs.get(run) ?? []), session]);
    first = Math.min(first, run);
    last = Math.max(last, run);
  }
  if (byConnector.size === 0) return { notices: [], runs: 0 };

  const notices: IncidentNotification[] = [];
  const connectors = [...byConnector.values()].map((c) => {
    // The runs with sessions in order, walked with a cursor as the runs go by.
    const runs = [...c.runs].sort(([a], [b]) => a - b);
    const start = (runs[0] as [number, JudgedSession[]])[0];
    return {
      origin: c.origin,
      runs,
      next: 0,
      // The run of the next sessions, kept beside the cursor: every connector is asked in
      // every run, and most have nothing due.
      nextRun: start as number | undefined,
      settings: options.settingsFor(c.origin),
      start,
      state: undefined as ConnectorIncidentState | undefined,
    };
  });
  const fleet = options.fleet ?? fleetOf(connectors.map((c) => c.origin));
  const byOrigin = new Map(connectors.map((c) => [keyOf(c.origin), c]));
  const rereadRuns = options.rereadRuns ?? 0;
  let attribution: AttributionState | undefined;
  for (let run = first; run <= last; run++) {
    const now = new Date(run * everyMs).toISOString();
    const read: ConnectorSessions[] = [];
    for (const connector of connectors) {
      if (run < connector.start) continue;
      let sessions: JudgedSession[] = [];
      if (connector.nextRun === run) {
        sessions = (connector.runs[connector.next] as [number, JudgedSession[]])[1];
        connector.next++;
        connector.nextRun = connector.runs[connector.next]?.[0];
        // The run that first fetches a session is when it is seen.
        if (sessions[0]?.seenAt !== now)
          sessions = sessions.map((session) => ({ ...session, seenAt: now }));
      }
      if (rereadRuns > 0) sessions = [...rereadOf(connector, run, rereadRuns), ...sessions];
      // A plain literal: spreading an optional `silenced` in cost a slow object copy per step.
      const told =
        attribution && sessions.length > 0
          ? withFleetHistory(sessions, connector.origin, attribution.failures)
          : sessions;
      const step = incidentStep(connector.state, connector.origin, told, {
        now,
        settings: connector.settings,
        readInFull: true,
        silenced: options.silenced,
      });
      notices.push(...step.notices);
      connector.state = markDelivered(step.state, step.notices, options.silenced);
      if (sessions.length > 0) read.push({ origin: connector.origin, sessions });
    }
    if (!options.site.attribution.enabled) continue;
    const fleetRun = {
      now,
      settings: options.site,
      settingsFor: options.settingsFor,
      fleet,
      ...(options.silenced ? { silenced: options.silenced } : {}),
      // Only the latest record is kept: the step may update it rather than copy it every run.
      inPlace: true,
      connectorRecord: (origin: ReportOrigin) => byOrigin.get(keyOf(origin))?.state,
    };
    const step = attributionStep(attribution, read, fleetRun);
    for (const closed of step.closed) {
      const connector = byOrigin.get(keyOf(closed));
      if (connector) connector.state = markDelivered(closed, [], options.silenced);
    }
    notices.push(...step.notices);
    attribution = markAttributionDelivered(step.state, step.notices, fleetRun);
  }
  // Stable: within a run, the order the run sends them (an open before its resolve).
  notices.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    notices,
    firstRun: new Date(first * everyMs).toISOString(),
    lastRun: new Date(last * everyMs).toISOString(),
    runs: last - first + 1,
    final: {
      ...(attribution ? { attribution } : {}),
      connectors: connectors.flatMap((c) => (c.state ? [c.state] : [])),
    },
  };
}

/** The sessions of the runs before `run`, within `runs` of it, that a connector read already. */
function rereadOf(
  connector: { runs: [number, JudgedSession[]][]; next: number },
  run: number,
  runs: number,
): JudgedSession[] {
  const again: JudgedSession[] = [];
  // `next` has moved past this run's sessions when it had any: look from before them.
  for (let i = connector.next - 1; i >= 0; i--) {
    const [at, sessions] = connector.runs[i] as [number, JudgedSession[]];
    if (at >= run) continue;
    if (at < run - runs) break;
    again.push(...sessions);
  }
  return again;
}

function keyOf(origin: ReportOrigin): string {
  return `${origin.chargerId}\u001f${origin.connectorId}`;
}

/** The chargers and their connectors, as a config would list them. */
function fleetOf(origins: readonly ReportOrigin[]): { chargerId: string; connectors: string[] }[] {
  const chargers = new Map<string, string[]>();
  for (const { chargerId, connectorId } of origins)
    chargers.set(chargerId, [...(chargers.get(chargerId) ?? []), connectorId]);
  return [...chargers].map(([chargerId, connectors]) => ({ chargerId, connectors }));
}
