import type { ConnectorIncidentState } from '../incidents/connector-incidents.ts';
import type { Incident } from '../incidents/incident.ts';
import { closeExplained, type Explanation } from '../incidents/told-first.ts';
import type { ReportOrigin } from '../session-report.ts';
import type { AttributionState } from './attribution-state.ts';
import { applyPeerChanges, type PeerChange } from './peer-marks.ts';
import { originOf } from './tabulation.ts';

/** Connector incidents a vehicle's or charger's incident lists at most, the latest. */
const KEPT_JOINS = 20;

/**
 * Bounds what an incident remembers of the connector incidents it joined: those people were
 * told of leave first, so a bus failing for weeks keeps a record of a fixed size.
 */
function keepRecentJoins(incident: Incident): void {
  const joins = incident.explains ?? [];
  const told = incident.notified.joined ?? 0;
  const drop = Math.min(told, joins.length - KEPT_JOINS);
  if (drop <= 0) return;
  incident.explains = joins.slice(drop);
  incident.notified.joined = told - drop;
}

/** A connector's own incident record, when the caller has it. */
export type ConnectorRecord = (origin: ReportOrigin) => ConnectorIncidentState | undefined;

/** A connector record the step changed: the incidents the fleet now explains are closed. */
export type ClosedRecords = ConnectorIncidentState[];

/** A connector incident told first, now attributed elsewhere: which record explains it. */
export interface Attributed {
  /** `chargerId` U+001F `connectorId`. */
  connector: string;
  /** The connector's incident key (rule and what it names). */
  key: string;
  sessionId: string;
  /** The vehicle's or charger's record. */
  record: string;
}
/**
 * Writes the sister connectors' verdicts into the connector records they change, on top of
 * the records the step already closed incidents in.
 */
export function withPeerChanges(
  closed: ClosedRecords,
  changes: readonly PeerChange[],
  connectorRecord: ConnectorRecord | undefined,
): ClosedRecords {
  if (changes.length === 0 || !connectorRecord) return closed;
  const records = new Map(closed.map((r) => [`${r.chargerId}\u001f${r.connectorId}`, r]));
  for (const change of changes) {
    const key = `${change.origin.chargerId}\u001f${change.origin.connectorId}`;
    const before = records.get(key) ?? connectorRecord(change.origin);
    records.set(key, applyPeerChanges(before, change.origin, [change]));
  }
  return [...records.values()];
}

/**
 * Closes the connector incidents told first whose fault the fleet attributed to a vehicle or a
 * whole charger, and lists each on the incident that explains it, so that incident's next
 * notice (`attributed`) tells both audiences. A connector incident is closed only when every
 * failed session it holds is explained: one that other vehicles also failed stays open.
 */
export function closeAttributed(
  attributed: readonly Attributed[],
  subjects: AttributionState['subjects'],
  connectorRecord: ConnectorRecord | undefined,
  now: string,
): ClosedRecords {
  if (attributed.length === 0 || !connectorRecord) return [];
  const closed: ClosedRecords = [];
  const byConnector = new Map<string, Attributed[]>();
  for (const a of attributed)
    byConnector.set(a.connector, [...(byConnector.get(a.connector) ?? []), a]);
  for (const [connector, mine] of byConnector) {
    const before = connectorRecord(originOf(connector));
    if (!before) continue;
    const explained = new Set(mine.map((a) => a.sessionId));
    const explanations: Explanation[] = [];
    for (const incident of before.incidents) {
      if (incident.status === 'resolved') continue;
      const a = mine.find((m) => m.key === incident.key);
      const subject = a ? subjects[a.record] : undefined;
      const by = subject?.incidents.find((i) => i.key === incident.key && i.status !== 'resolved');
      if (!a || !subject || !by || !incident.sessionIds.every((id) => explained.has(id))) continue;
      explanations.push({ key: incident.key, by: by.id, at: now });
      by.explains = [
        ...(by.explains ?? []),
        {
          incident: incident.id,
          chargerId: incident.chargerId,
          connectorId: incident.connectorId,
          rule: incident.rule,
          sessionIds: [...incident.sessionIds],
          ...(incident.firstSeenAt !== undefined ? { firstSeenAt: incident.firstSeenAt } : {}),
        },
      ];
      keepRecentJoins(by);
    }
    const after = closeExplained(before, explanations);
    if (after !== before) closed.push(after);
  }
  return closed;
}
