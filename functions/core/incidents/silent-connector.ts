import type { Finding } from '../finding.ts';
import {
  CONNECTOR_SILENT,
  type ConnectorIncidentState,
  copyOf,
  newIncident,
  openIncident,
} from './connector-incidents.ts';
import { runTimeMs } from './run-time.ts';
import type { IncidentSettings } from './settings.ts';

/**
 * Opens `connector-silent` when a connector that had sessions has had none for
 * `silentAfterHours`. Only call it for a connector whose window was read in full: during an
 * API outage no one can tell a silent connector from an unreachable one.
 */
export function checkSilence(
  previous: ConnectorIncidentState,
  now: string,
  settings: IncidentSettings,
): ConnectorIncidentState {
  const hours = settings.silentAfterHours;
  const last = previous.lastSessionAt;
  if (hours <= 0 || !last) return previous;
  if (runTimeMs(now) - Date.parse(last) < hours * 3_600_000) return previous;
  if (previous.incidents.some((i) => i.rule === CONNECTOR_SILENT && i.status !== 'resolved'))
    return previous;
  const state = copyOf(previous);
  const finding: Finding = {
    rule: CONNECTOR_SILENT,
    severity: 'warning',
    chargerId: state.chargerId,
    connectorId: state.connectorId,
    sessionId: '',
    title: `No sessions for ${hours} h — ${state.chargerId}/${state.connectorId}`,
    message:
      `The connector had its last session end at ${last} and none since. ` +
      'Check whether it is out of service, blocked, or no longer reporting to DepotFinity.',
    evidence: { lastSessionAt: last, silentAfterHours: hours },
    fingerprint: '',
  };
  const incident = newIncident(
    CONNECTOR_SILENT,
    finding,
    { key: `silent@${last}`, sessionId: '', at: last, findings: [] },
    state,
  );
  incident.failedSinceNoticeCount = 0;
  state.incidents.push(incident);
  openIncident(state, incident, now, { occurrences: 0, withinDays: 1 });
  return state;
}
