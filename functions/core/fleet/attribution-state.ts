import type { Finding } from '../finding.ts';
import type { ConnectorIncidentState } from '../incidents/connector-incidents.ts';
import type { Table } from './entry-table.ts';
import type { PeerDriftState } from './peer-drift.ts';
import type { PeerMarks } from './peer-marks.ts';

/**
 * A failed session as the bus-or-charger tabulation keeps it, for the attribution window: who
 * charged where, when, and which attributable rules it failed. Short field names: a depot's
 * two weeks of failures are kept in one document.
 */
export interface SessionMark {
  /** Session key (id and UTC day). */
  k: string;
  /** Connector, as `chargerId` U+001F `connectorId`. */
  c: string;
  /** Vehicle id, when the report names one. */
  v?: string;
  /** When the session ended, ISO. */
  t: string;
  /** Attributable rules it failed. */
  f: string[];
  /** Findings not yet attributed (held until the evidence says bus, charger or the pair). */
  held?: Finding[];
}

/** A clean session, as the latest of one counterpart: `[vehicle or connector, end time]`. */
export type CleanSession = [string, string];

/**
 * The fleet-wide record behind "the bus or the charger", bounded by the fleet, not by the
 * history or the number of sessions:
 * - the window's failed sessions (few: faults are rare);
 * - for each connector, its latest clean session with each of its two most recent vehicles,
 *   and for each vehicle, with each of its two most recent connectors — enough to answer
 *   "did it charge someone else (somewhere else) cleanly within the window";
 * - the sessions already tabulated, per connector, for as long as they can be read again;
 * - the incidents of the subjects the faults were routed to.
 */
export interface AttributionState {
  version: 2;
  failures: SessionMark[];
  cleanByConnector: Table<CleanSession[]>;
  cleanByVehicle: Table<CleanSession[]>;
  /** Per connector: `[session key, end time]` of the sessions tabulated, oldest first. */
  seen: Table<[string, string][]>;
  /** Incident records per subject: `vehicle:<id>`, `connector:<charger>\u001f<connector>`, `charger:<id>`. */
  subjects: Record<string, ConnectorIncidentState>;
  /** Each connector's latest figures, for drift against its sister connectors. */
  peers?: PeerDriftState;
  /** The connectors whose own records carry their sisters' drift verdict, and for which rules. */
  peerMarks?: PeerMarks;
}
