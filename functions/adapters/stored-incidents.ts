import type { S3Client } from '@aws-sdk/client-s3';
import type { AttributionState } from '../core/fleet/attribution-state.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { Incident } from '../core/incidents/incident.ts';
import { stateFrom } from './from-config.ts';
import { documentsUnder } from './stored-documents.ts';

/**
 * Every incident in a state store (folder or `s3://`): the connectors' and the depot's own
 * records, and the fleet's record of faults attributed to a vehicle, a charger or a connector
 * across the fleet. Read from the state document; a state not yet converted to one is read in
 * its per-connector layout.
 */
export async function storedIncidents(
  state: string,
  baseDir: string,
  s3?: S3Client,
): Promise<Incident[]> {
  const store = stateFrom(state, { baseDir, ...(s3 ? { s3 } : {}) });
  const stored = await store.loadDocument();
  if (stored)
    return incidentsOf(Object.values(stored.document.incidents), stored.document.attribution);
  const texts = await documentsUnder(state, 'incidents/', '.json', baseDir, s3);
  const fleet = await documentsUnder(state, 'fleet/', 'attribution.json', baseDir, s3);
  return incidentsOf(
    texts.map((text) => JSON.parse(text) as ConnectorIncidentState),
    ...fleet.map((text) => JSON.parse(text) as AttributionState),
  );
}

function incidentsOf(
  records: readonly ConnectorIncidentState[],
  ...fleet: (AttributionState | undefined)[]
): Incident[] {
  return [
    ...records.flatMap((record) => record.incidents ?? []),
    ...fleet.flatMap((record) =>
      Object.values(record?.subjects ?? {}).flatMap((subject) => subject.incidents ?? []),
    ),
  ];
}
