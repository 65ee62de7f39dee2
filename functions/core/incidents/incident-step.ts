import {
  applySessions,
  type ConnectorIncidentState,
  emptyIncidentState,
} from './connector-incidents.ts';
import type { IncidentNotification, JudgedSession } from './incident.ts';
import { dueNotifications, type SilencedAt } from './notices.ts';
import type { IncidentSettings } from './settings.ts';
import { checkSilence } from './silent-connector.ts';

/** What one run does to one connector's incidents, before anything is sent. */
export interface IncidentStep {
  state: ConnectorIncidentState;
  notices: IncidentNotification[];
}

/**
 * One scheduled run's incident work for one connector, shared by the scan and the backtest:
 * apply the sessions read, check for silence (only when the whole window was read), and derive
 * the notices due at `now`. What was delivered is recorded afterwards with `markDelivered`.
 */
export function incidentStep(
  previous: ConnectorIncidentState | undefined,
  origin: { chargerId: string; connectorId: string },
  sessions: readonly JudgedSession[],
  run: { now: string; settings: IncidentSettings; silenced?: SilencedAt; readInFull: boolean },
): IncidentStep {
  let state = applySessions(previous ?? emptyIncidentState(origin), sessions, run.settings);
  if (run.readInFull) state = checkSilence(state, run.now, run.settings);
  return { state, notices: dueNotifications(state, run.now, run.settings, run.silenced) };
}
