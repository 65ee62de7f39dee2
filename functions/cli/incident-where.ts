import { plainText } from '../core/vendor-text.ts';

/** What an incident names, in every view alike. */
export interface IncidentPlace {
  subject: string;
  chargerId: string;
  connectorId: string;
  vehicleId?: string;
}

/**
 * What an incident is about, as every list and timeline shows it: a vehicle by its id, a
 * whole charger as `HPC-003/*`, a connector as `HPC-003/1`. `incidents` and `backtest` use
 * this one function, so the same incident reads the same in both.
 */
export function whereOf(place: IncidentPlace): string {
  if (place.subject === 'vehicle' && place.vehicleId) return plainText(place.vehicleId, 40);
  if (place.subject === 'charger') return `${place.chargerId}/*`;
  return `${place.chargerId}/${place.connectorId}`;
}
