import type { Finding } from '../finding.ts';
import { type ConnectorIncidentState, copyOf, emptyIncidentState } from './connector-incidents.ts';

/** The rule id of the incident a depot gets when no connector at all could be read. */
export const API_UNREACHABLE = 'api-unreachable';

/**
 * Where the depot's own incidents are kept in the state store. Charger ids never start with
 * an underscore in a valid config, so this cannot meet a real connector.
 */
export const DEPOT_ORIGIN = { chargerId: '_depot', connectorId: '_api' } as const;

/**
 * One incident for an outage that fails every connector, instead of one per connector: opened
 * by a run in which no connector could be read, counted on every further such run (for
 * reminders), and resolved by the first run that reads any connector again.
 */
export function depotOutage(
  previous: ConnectorIncidentState | undefined,
  run: { now: string; everyConnectorFailed: boolean; reason: string; failed: number },
): ConnectorIncidentState {
  const state = copyOf(previous ?? emptyIncidentState(DEPOT_ORIGIN));
  const open = state.incidents.find((i) => i.rule === API_UNREACHABLE && i.status === 'open');
  if (!run.everyConnectorFailed) {
    if (open) {
      open.status = 'resolved';
      open.resolvedAt = run.now;
      open.cleanSessions = [];
    }
    return state;
  }
  if (open) {
    open.failedSinceNoticeCount++;
    open.lastFindingAt = run.now;
    return state;
  }
  const finding: Finding = {
    rule: API_UNREACHABLE,
    severity: 'critical',
    chargerId: DEPOT_ORIGIN.chargerId,
    connectorId: DEPOT_ORIGIN.connectorId,
    sessionId: '',
    title: `DepotFinity unreachable: no connector could be read (${run.failed})`,
    message:
      `No connector of the depot could be read in this run: ${run.reason.replace(/\.\s*$/, '')}. ` +
      'Until it is back, no fault on any charger can be seen. Check the credentials secret, the API host in the config, and the vendor status.',
    evidence: { failedConnectors: run.failed },
    fingerprint: '',
  };
  state.incidents.push({
    id: `inc-depot-${Date.parse(run.now).toString(36)}`,
    key: API_UNREACHABLE,
    rule: API_UNREACHABLE,
    subject: 'depot',
    chargerId: DEPOT_ORIGIN.chargerId,
    connectorId: DEPOT_ORIGIN.connectorId,
    status: 'open',
    severity: 'critical',
    occurrence: 1,
    escalated: false,
    firstFindingAt: run.now,
    lastFindingAt: run.now,
    openedAt: run.now,
    sessionIds: [],
    failedSinceNotice: [],
    failedSinceNoticeCount: 0,
    cleanSessions: [],
    latest: finding,
    context: [],
    notified: {},
  });
  return state;
}
