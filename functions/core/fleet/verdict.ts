import type { Finding } from '../finding.ts';
import type { IncidentSubject } from '../incidents/incident.ts';
import type { SessionMark } from './attribution-state.ts';
import { CONNECTOR_SEPARATOR, chargerOf, connectorLabel, type Tabulation } from './tabulation.ts';

/** Whose fault a finding is, and the words and evidence that say why. */
export interface Verdict {
  subject: IncidentSubject;
  /** Key of the record the finding joins: `vehicle:…`, `charger:…` or `connector:…`. */
  record: string;
  finding: Finding;
}

/** What deciding needs besides the tabulation. */
export interface VerdictContext {
  now: number;
  holdMs: number;
  /** The connectors of each charger, as the config lists them. */
  connectorsOf: (chargerId: string) => readonly string[];
}

/**
 * Decides whose fault one finding is, or returns undefined to wait for more sessions:
 * - the vehicle's, when it failed on two or more chargers that charge other vehicles cleanly;
 * - the charger's, when every connector of a charger with several fails vehicles that charge
 *   cleanly elsewhere; the connector's, when it alone does (two or more such vehicles);
 * - the pair's (a connector incident naming the vehicle), when this vehicle failed here twice
 *   yet charges cleanly elsewhere, on a connector that charges others cleanly;
 * - past the hold, the pair's too, said to be undecided: no fault waits forever.
 */
export function decide(
  mark: SessionMark,
  finding: Finding,
  table: Tabulation,
  context: VerdictContext,
): Verdict | undefined {
  const rule = finding.rule;
  const vehicle = mark.v;
  const connectorRecord = { subject: 'connector' as const, record: `connector:${mark.c}` };
  if (vehicle === undefined)
    return {
      ...connectorRecord,
      finding: noted(
        finding,
        'The report names no vehicle, so the fault stays with the connector.',
      ),
    };

  const onConnectors = table.vehicleEvidence(vehicle, rule);
  const chargers = new Set(onConnectors.map(chargerOf));
  if (chargers.size >= 2) {
    return {
      subject: 'vehicle',
      record: `vehicle:${vehicle}`,
      finding: {
        ...noted(
          finding,
          `The same fault followed ${vehicle} on ${chargers.size} chargers (${onConnectors.map(connectorLabel).join(', ')}) ` +
            'that charge other vehicles cleanly: it is the vehicle, not the chargers. Send it to vehicle maintenance.',
        ),
        // Rule titles end with the connector; the vehicle's says how many chargers instead.
        title: `${vehicle}: ${finding.title.replace(/ — [^—]*$/, '')} on ${chargers.size} chargers`,
        evidence: {
          ...finding.evidence,
          attributedTo: 'vehicle',
          failedOn: onConnectors.map(connectorLabel).join(', '),
        },
      },
    };
  }

  const vehicles = table.connectorEvidence(mark.c, rule);
  if (vehicles.length >= 2) {
    const chargerId = chargerOf(mark.c);
    const siblings = context.connectorsOf(chargerId);
    const wholeCharger =
      siblings.length >= 2 &&
      siblings.every(
        (k) => table.connectorEvidence(`${chargerId}${CONNECTOR_SEPARATOR}${k}`, rule).length >= 2,
      );
    const where = wholeCharger ? `every connector of ${chargerId}` : connectorLabel(mark.c);
    return {
      ...(wholeCharger
        ? { subject: 'charger' as const, record: `charger:${chargerId}` }
        : connectorRecord),
      finding: {
        ...noted(
          finding,
          `${vehicles.length} vehicles (${vehicles.join(', ')}) that charge cleanly elsewhere failed on ${where}: ` +
            'it is the charger, not the vehicles.',
        ),
        evidence: {
          ...finding.evidence,
          attributedTo: wholeCharger ? 'charger' : 'connector',
          vehicles: vehicles.join(', '),
        },
      },
    };
  }

  const pair =
    table.pairFailures(vehicle, mark.c, rule) >= 2 &&
    table.cleanElsewhere(vehicle, rule, mark.c) &&
    table.cleanWithOthers(mark.c, rule, vehicle);
  const expired = context.now - Date.parse(mark.t) >= context.holdMs;
  if (!pair && !expired) return undefined;
  return {
    ...connectorRecord,
    finding: {
      ...noted(
        finding,
        pair
          ? `Only ${vehicle} fails here, and it charges cleanly elsewhere, on a connector that charges other vehicles cleanly: ` +
              'check this pairing (cable, vehicle inlet, communication).'
          : `Not attributed: within the hold there was too little evidence to tell ${vehicle} from the charger.`,
      ),
      evidence: { ...finding.evidence, attributedTo: pair ? 'pair' : 'undecided' },
    },
  };
}

function noted(finding: Finding, note: string): Finding {
  return { ...finding, message: `${finding.message} ${note}` };
}
