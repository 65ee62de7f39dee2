import {
  attributionStep,
  type FleetSession,
  markAttributionDelivered,
} from '../fleet/attribution.ts';
import type { AttributionState } from '../fleet/attribution-state.ts';
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
  /** The site-wide incident settings: attribution and the policy of vehicles and chargers. */
  site: IncidentSettings;
  /** The fleet as the config lists it. Default: the chargers and connectors in the history. */
  fleet?: readonly { chargerId: string; connectors: readonly string[] }[];
  silenced?: SilencedAt;
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
  let attribution: AttributionState | undefined;
  for (let run = first; run <= last; run++) {
    const now = new Date(run * everyMs).toISOString();
    const read: FleetSession[] = [];
    for (const connector of connectors) {
      if (run < connector.start) continue;
      let sessions: JudgedSession[] = [];
      if (connector.nextRun === run) {
        sessions = (connector.runs[connector.next] as [number, JudgedSession[]])[1];
        connector.next++;
        connector.nextRun = connector.runs[connector.next]?.[0];
      }
      // A plain literal: spreading an optional `silenced` in cost a slow object copy per step.
      const step = incidentStep(connector.state, connector.origin, sessions, {
        now,
        settings: connector.settings,
        readInFull: true,
        silenced: options.silenced,
      });
      notices.push(...step.notices);
      connector.state = markDelivered(step.state, step.notices, options.silenced);
      for (const session of sessions) read.push({ origin: connector.origin, session });
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
    };
    const step = attributionStep(attribution, read, fleetRun);
    notices.push(...step.notices);
    attribution = markAttributionDelivered(step.state, step.notices, fleetRun);
  }
  notices.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
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

/** The chargers and their connectors, as a config would list them. */
function fleetOf(origins: readonly ReportOrigin[]): { chargerId: string; connectors: string[] }[] {
  const chargers = new Map<string, string[]>();
  for (const { chargerId, connectorId } of origins)
    chargers.set(chargerId, [...(chargers.get(chargerId) ?? []), connectorId]);
  return [...chargers].map(([chargerId, connectors]) => ({ chargerId, connectors }));
}
