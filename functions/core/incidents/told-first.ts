import { type ConnectorIncidentState, copyOf } from './connector-incidents.ts';

/** A connector incident to close because the fleet attributed its fault elsewhere. */
export interface Explanation {
  /** The incident key (rule) on this connector. */
  key: string;
  /** The vehicle's or charger's incident that explains it. */
  by: string;
  at: string;
}

/**
 * Closes the connector incidents a vehicle's or charger's incident now explains: they end
 * without a resolve notice, as the `attributed` notice told both audiences. Pure.
 */
export function closeExplained(
  previous: ConnectorIncidentState,
  explanations: readonly Explanation[],
): ConnectorIncidentState {
  const live = (e: Explanation) =>
    previous.incidents.some((i) => i.key === e.key && i.status !== 'resolved');
  if (!explanations.some(live)) return previous;
  const state = copyOf(previous);
  for (const { key, by, at } of explanations) {
    for (const incident of state.incidents) {
      if (incident.key !== key || incident.status === 'resolved') continue;
      incident.status = 'resolved';
      incident.resolvedAt = at;
      incident.explainedBy = by;
    }
  }
  return state;
}
