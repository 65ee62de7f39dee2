import type { Finding } from '../finding.ts';
import type { ConnectorIncidentState } from '../incidents/connector-incidents.ts';

/**
 * One session as the bus-or-charger tabulation keeps it, for the attribution window: who
 * charged where, when, and which attributable rules it failed. Short field names: a depot's
 * two weeks of sessions are kept in one document.
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
  f?: string[];
  /** Findings not yet attributed (held until the evidence says bus, charger or the pair). */
  held?: Finding[];
}

/**
 * The fleet-wide record behind "the bus or the charger": the window's session marks and the
 * incidents of the subjects the attributable faults were routed to (vehicles, connectors,
 * chargers). Bounded by the fleet and the window, never by the archive.
 */
export interface AttributionState {
  version: 1;
  marks: SessionMark[];
  /** Incident records per subject: `vehicle:<id>`, `connector:<charger>\u001f<connector>`, `charger:<id>`. */
  subjects: Record<string, ConnectorIncidentState>;
}
