import {
  attributionStep,
  type FleetSessions,
  markAttributionDelivered,
} from '../core/fleet/attribution.ts';
import type { AttributionState } from '../core/fleet/attribution-state.ts';
import { peerStep } from '../core/fleet/peer-marks.ts';
import { CONNECTOR_SEPARATOR } from '../core/fleet/tabulation.ts';
import { ATTRIBUTABLE_RULES } from '../core/incidents/attributable.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import { markDelivered, type SilencedAt } from '../core/incidents/notices.ts';
import type { IncidentSettingsBook } from '../core/incidents/settings.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { messageOf } from './error-message.ts';
import type { Log, NoticeOutbox, ScanState } from './ports.ts';
import { connectorKey } from './state-document.ts';

/** What the fleet-wide steps of a run need. */
export interface FleetStep {
  now: string;
  fleet: readonly { chargerId: string; connectors: readonly string[] }[];
  incidents: IncidentSettingsBook;
  silenced?: SilencedAt;
  state: ScanState;
  outbox: NoticeOutbox;
  log: Log;
}

/** What the attribution did: the incidents it holds open, and what failed. */
export interface AttributionOutcome {
  openIncidents: number;
  error?: string;
}

/**
 * Attributes the run's attributable findings to a vehicle, a charger or a connector and puts
 * what that calls for in the outbox: one read and at most one write of the fleet's record in
 * the run's state. A failure fails the run (so the alarm fires) and leaves the record as it was;
 * sessions read again within the overlap window are tabulated then.
 */
export async function attributeFleet(
  step: FleetStep,
  sessions: FleetSessions,
): Promise<AttributionOutcome> {
  const settings = step.incidents.site();
  if (!settings.attribution.enabled) return { openIncidents: 0 };
  try {
    const previous = await step.state.loadAttribution();
    // A depot's first record has its tables kept as a loaded one's are: out of memory.
    const record = previous?.version === 2 ? previous : step.state.newAttribution();
    // Worked out first: the connectors whose sisters' verdict changes are read with the rest.
    const peers = peerStep(record, sessions, step.fleet, settings.drift, () =>
      step.state.newPeerDrift(),
    );
    const records = await connectorRecords(step, record, [
      ...withAttributableFindings(sessions),
      ...peers.changes.map((c) => c.origin),
    ]);
    const run = {
      now: step.now,
      settings,
      settingsFor: (origin: { chargerId: string; connectorId: string }) =>
        step.incidents.for(origin),
      fleet: step.fleet,
      ...(step.silenced ? { silenced: step.silenced } : {}),
      connectorRecord: (origin: ReportOrigin) => records.get(connectorKey(origin)),
      peers,
    };
    const { state, notices, changed, closed } = attributionStep(record, sessions, run);
    // Closed (or marked by their sisters) before anything is sent: the attributed notice then
    // never meets a reminder of the connector incident it closed. Closed incidents leave the
    // record at once: nothing is left to tell of them.
    for (const record of closed)
      await step.state.saveIncidents(markDelivered(record, [], step.silenced));
    step.outbox.add(notices);
    const next = markAttributionDelivered(state, notices, run);
    // Most runs bring a session, so most runs write; a run that moved nothing writes nothing.
    if (record !== previous || changed || next !== state) await step.state.saveAttribution(next);
    const openIncidents = Object.values(next.subjects).reduce(
      (n, s) => n + s.incidents.filter((i) => i.status === 'open').length,
      0,
    );
    return { openIncidents };
  } catch (error) {
    step.log.error('fleet attribution not updated', { error: messageOf(error) });
    return {
      openIncidents: 0,
      error: `fleet attribution not updated: ${messageOf(error)}`,
    };
  }
}

/**
 * The connectors read with a finding of the fleet's to attribute: only such a finding can
 * close a connector's incident; the fixed-threshold findings carried along for peer drift
 * never do.
 */
function withAttributableFindings(sessions: FleetSessions): ReportOrigin[] {
  const origins: ReportOrigin[] = [];
  for (const { origin, sessions: read } of sessions)
    if (read.some((s) => s.findings.some((f) => ATTRIBUTABLE_RULES.has(f.rule))))
      origins.push(origin);
  return origins;
}

/**
 * The own records of the connectors the fleet may change this run: those with a finding still
 * waiting, those read with an attributable finding, those whose sisters' drift verdict
 * changed. Few: faults are rare.
 */
async function connectorRecords(
  step: FleetStep,
  previous: AttributionState | undefined,
  touched: readonly ReportOrigin[],
): Promise<Map<string, ConnectorIncidentState>> {
  const origins = new Map<string, ReportOrigin>();
  for (const mark of previous?.failures ?? []) {
    if (!mark.held) continue;
    const at = mark.c.indexOf(CONNECTOR_SEPARATOR);
    const origin = { chargerId: mark.c.slice(0, at), connectorId: mark.c.slice(at + 1) };
    origins.set(connectorKey(origin), origin);
  }
  for (const origin of touched) origins.set(connectorKey(origin), origin);
  const records = new Map<string, ConnectorIncidentState>();
  await Promise.all(
    [...origins].map(async ([key, origin]) => {
      const record = await step.state.loadIncidents(origin);
      if (record) records.set(key, record);
    }),
  );
  return records;
}
