import { type Finding, fingerprintOf } from '../finding.ts';
import { DRIFT_METRICS, type DriftMetric } from '../incidents/drift.ts';
import { round1 } from '../rules/rule.ts';
import type { ReportOrigin } from '../session-report.ts';

/** A drift figure judged against the sister connectors, under a rule id of its own. */
export interface PeerDriftMetric extends DriftMetric {
  /** The drift rule that judges the same figure against the connector's own past. */
  ownRule: string;
}

/**
 * The figures judged against peers. Device error counts are left out: a healthy connector
 * counts none, so the sisters' median is 0 with no spread, and the comparison would only
 * repeat, as a fixed count, what the error-counter rule and the connector's own drift tell.
 */
export const PEER_DRIFT_METRICS: readonly PeerDriftMetric[] = DRIFT_METRICS.filter(
  (m) => m.fact !== 'deviceErrors',
).map((m) => ({ ...m, rule: m.rule.replace(/-drift$/, '-peer-drift'), ownRule: m.rule }));

/** One value a connector gave: `[sessionKey, at, value]`, `at` when the session ended (ISO). */
export type PeerValue = readonly [sessionKey: string, at: string, value: number];

/** What judging a connector against its sisters found, in the figure's unit. */
export interface PeerJudgement {
  /** The median of the connector's recent values. */
  own: number;
  /** The median of the sisters' medians over the same span. */
  peers: number;
  /** 1.4826 × the MAD of the sisters' medians. */
  spread: number;
  peerCount: number;
  /** The gap, positive the worse way. */
  change: number;
  /** The larger of `minChange` and the spread times the MAD factor. */
  threshold: number;
  minChange: number;
  /** The span of the recent values: the first and last session's end. */
  from: string;
  to: string;
  recent: readonly PeerValue[];
}

/** The warning for a connector that drifted from its sisters, on one of its sessions. */
export function peerDriftFinding(
  metric: PeerDriftMetric,
  session: { origin: ReportOrigin; sessionId: string; vehicleId?: string },
  judged: PeerJudgement,
): Finding {
  const { chargerId, connectorId } = session.origin;
  const fmt = (n: number) => `${round1(n)}${metric.unit}`;
  const points = metric.unit === '%' ? ' points' : '';
  return {
    rule: metric.rule,
    severity: 'warning',
    chargerId,
    connectorId,
    sessionId: session.sessionId,
    ...(session.vehicleId !== undefined ? { vehicleId: session.vehicleId } : {}),
    title: `Drifting ${metric.label} against its sister connectors: ${fmt(judged.own)} against their ${fmt(judged.peers)}`,
    message:
      `Over its last ${judged.recent.length} sessions (${judged.from} to ${judged.to}) the connector's ` +
      `${metric.label} (median ${fmt(judged.own)}) is ${round1(judged.change)}${points} ` +
      `${metric.worse === 'lower' ? 'under' : 'over'} the median of ${judged.peerCount} sister connectors ` +
      `over the same time (${fmt(judged.peers)}, robust spread ${round1(judged.spread)}${points}), ` +
      `more than the ${round1(judged.threshold)}${points} that counts as drift. ${metric.advice}`,
    evidence: {
      current: round1(judged.own),
      peers: round1(judged.peers),
      peerSpread: round1(judged.spread),
      peerCount: judged.peerCount,
      change: round1(judged.change),
      threshold: round1(judged.threshold),
      minChange: judged.minChange,
      from: judged.from,
      to: judged.to,
      sessions: judged.recent.map(([key]) => key).join(', '),
    },
    fingerprint: fingerprintOf(metric.rule, chargerId, connectorId, session.sessionId),
  };
}
