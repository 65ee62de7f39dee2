import {
  attributionStep,
  type FleetSessions,
  markAttributionDelivered,
} from '../core/fleet/attribution.ts';
import { peerStep } from '../core/fleet/peer-marks.ts';
import { markDelivered, type SilencedAt } from '../core/incidents/notices.ts';
import type { IncidentSettingsBook } from '../core/incidents/settings.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { messageOf } from './error-message.ts';
import type { Log, NoticeOutbox, ScanState } from './ports.ts';

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
    const run = {
      now: step.now,
      settings,
      settingsFor: (origin: { chargerId: string; connectorId: string }) =>
        step.incidents.for(origin),
      fleet: step.fleet,
      ...(step.silenced ? { silenced: step.silenced } : {}),
      // Read when the fleet closes or marks one: few, and each from the run's copy at once.
      connectorRecord: (origin: ReportOrigin) => step.state.readIncidents(origin),
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
