import type { S3Client } from '@aws-sdk/client-s3';
import type { AttributionState } from '../core/fleet/attribution-state.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { Incident } from '../core/incidents/incident.ts';
import { documentsUnder } from './stored-documents.ts';

/**
 * Every incident in a state store (folder or `s3://`): the per-connector records, and the
 * fleet's record of faults attributed to a vehicle, a charger or a connector across the fleet.
 */
export async function storedIncidents(
  state: string,
  baseDir: string,
  s3?: S3Client,
): Promise<Incident[]> {
  const texts = await documentsUnder(state, 'incidents/', '.json', baseDir, s3);
  const fleet = await documentsUnder(state, 'fleet/', 'attribution.json', baseDir, s3);
  return [
    ...texts.flatMap((text) => (JSON.parse(text) as ConnectorIncidentState).incidents ?? []),
    ...fleet.flatMap((text) =>
      Object.values((JSON.parse(text) as AttributionState).subjects ?? {}).flatMap(
        (record) => record.incidents ?? [],
      ),
    ),
  ];
}
