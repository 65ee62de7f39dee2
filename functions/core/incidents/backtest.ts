import type { ReportOrigin } from '../session-report.ts';
import type { ConnectorIncidentState } from './connector-incidents.ts';
import type { IncidentNotification, JudgedSession } from './incident.ts';
import { incidentStep } from './incident-step.ts';
import { markDelivered, type SilencedAt } from './notices.ts';
import type { IncidentSettings } from './settings.ts';

/** A judged session and the connector it came from. */
export interface HistoricSession {
  origin: ReportOrigin;
  session: JudgedSession;
}

/** How a backtest runs: the schedule, and the settings and silences of a config. */
export interface BacktestOptions {
  /** Minutes between simulated runs. */
  everyMinutes: number;
  /** Incident settings for a connector (overrides applied). */
  settingsFor: (origin: ReportOrigin) => IncidentSettings;
  silenced?: SilencedAt;
}

/** What a backtest heard: every notice, in the order the runs would have sent them. */
export interface BacktestResult {
  notices: IncidentNotification[];
  /** The simulated runs, first and last (ISO), and how many. */
  firstRun?: string;
  lastRun?: string;
  runs: number;
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
  const runOf = (at: string) => Math.ceil(Date.parse(at) / everyMs) * everyMs;
  const byConnector = new Map<
    string,
    { origin: ReportOrigin; runs: Map<number, JudgedSession[]> }
  >();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { origin, session } of history) {
    const key = `${origin.chargerId}\u001f${origin.connectorId}`;
    const connector = byConnector.get(key) ?? { origin, runs: new Map() };
    byConnector.set(key, connector);
    const run = runOf(session.at);
    connector.runs.set(run, [...(connector.runs.get(run) ?? []), session]);
    first = Math.min(first, run);
    last = Math.max(last, run);
  }
  if (byConnector.size === 0) return { notices: [], runs: 0 };

  const notices: IncidentNotification[] = [];
  for (const { origin, runs } of byConnector.values()) {
    const settings = options.settingsFor(origin);
    let state: ConnectorIncidentState | undefined;
    const start = Math.min(...runs.keys());
    for (let run = start; run <= last; run += everyMs) {
      const now = new Date(run).toISOString();
      const step = incidentStep(state, origin, runs.get(run) ?? [], {
        now,
        settings,
        readInFull: true,
        ...(options.silenced ? { silenced: options.silenced } : {}),
      });
      notices.push(...step.notices);
      state = markDelivered(step.state, step.notices, options.silenced);
    }
  }
  notices.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  return {
    notices,
    firstRun: new Date(first).toISOString(),
    lastRun: new Date(last).toISOString(),
    runs: Math.round((last - first) / everyMs) + 1,
  };
}
