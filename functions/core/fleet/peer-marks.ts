import type { Finding } from '../finding.ts';
import {
  type ConnectorIncidentState,
  copyOf,
  emptyIncidentState,
} from '../incidents/connector-incidents.ts';
import type { PeerMark } from '../incidents/drift.ts';
import type { IncidentSettings } from '../incidents/settings.ts';
import type { SessionFacts } from '../session-facts.ts';
import type { ReportOrigin } from '../session-report.ts';
import type { FleetSessions } from './attribution.ts';
import {
  companionFired,
  emptyPeerDriftState,
  observePeerGroups,
  PEER_DRIFT_METRICS,
  type PeerDriftState,
  type PeerFleet,
  type PeerSession,
} from './peer-drift.ts';

/** Each marked connector (`chargerId` U+001F `connectorId`) and the drift rules its sisters mark. */
export type PeerMarks = Record<string, string[]>;

/** A connector whose sisters now say it drifts in a figure (`mark`), or no longer do. */
export interface PeerChange {
  origin: ReportOrigin;
  /** The connector's own drift rule (`converter-efficiency-drift`). */
  rule: string;
  mark?: PeerMark;
}

/** One run's drift against sister connectors: the figures kept, the marks, what changed. */
export interface PeerStep {
  state: PeerDriftState | undefined;
  marks: PeerMarks;
  changes: PeerChange[];
}

/**
 * Compares each connector read with its sister connectors (see `observePeers`) and says which
 * connectors' own records must learn that their sisters see them drift, or no longer do. The
 * verdict goes to the connector's own drift baseline, so a drift its sisters see and one its
 * own past shows are one finding of one rule, and one incident. A connector is unmarked only
 * when a session of its own with the figure was judged without drift.
 */
export function peerStep(
  previous: { peers?: PeerDriftState; peerMarks?: PeerMarks } | undefined,
  sessions: FleetSessions,
  fleet: PeerFleet,
  drift: IncidentSettings['drift'],
  /** Values for a depot that has none yet. Default: a plain, empty state. */
  none: () => PeerDriftState = emptyPeerDriftState,
): PeerStep {
  const marks = previous?.peerMarks ?? {};
  if (!drift.enabled || !drift.peers.enabled) return unmarkAll(previous, marks);
  // Sessions held in a list anyway (the backtest) are gone through once, not on every pass.
  const groups = peerGroups(sessions);
  const read = Array.isArray(sessions) ? [...groups] : groups;
  if (isEmpty(read)) return { state: previous?.peers, marks, changes: [] };
  const marked = (origin: ReportOrigin, peerRule: string) =>
    (marks[keyOf(origin)] ?? []).includes(ownRuleOf(peerRule) ?? '');
  const observed = observePeerGroups(previous?.peers ?? none(), read, fleet, drift, marked);
  const drifting = new Map<string, Finding>();
  // A session whose fixed-threshold rule fired for a figure is that rule's to tell: it never
  // feeds the figure (see `withoutTold`), so no drift finding lands on it.
  for (const finding of observed.findings) {
    const origin = { chargerId: finding.chargerId, connectorId: finding.connectorId };
    const own = ownRuleOf(finding.rule);
    if (own) drifting.set(`${keyOf(origin)}\u001f${own}`, finding);
  }
  const cleared = new Set(
    observed.cleared.map(({ origin, rule }) => `${keyOf(origin)}\u001f${ownRuleOf(rule)}`),
  );
  const next: PeerMarks = { ...marks };
  const changes: PeerChange[] = [];
  for (const group of read) {
    const origin = (group[0] as PeerSession).origin;
    const connector = keyOf(origin);
    const had = new Set(marks[connector] ?? []);
    for (const metric of PEER_DRIFT_METRICS) {
      const own = metric.ownRule;
      const finding = drifting.get(`${connector}\u001f${own}`);
      if (finding && !had.has(own)) {
        changes.push({ origin, rule: own, mark: markOf(finding) });
        had.add(own);
      } else if (!finding && cleared.has(`${connector}\u001f${own}`) && had.has(own)) {
        changes.push({ origin, rule: own });
        had.delete(own);
      }
    }
    if (had.size > 0) next[connector] = [...had].sort();
    else delete next[connector];
  }
  return { state: observed.state, marks: next, changes };
}

/**
 * The run's sessions with figures, as peer drift reads them, connector by connector: made
 * anew on each pass rather than kept.
 */
function peerGroups(sessions: FleetSessions): Iterable<PeerSession[]> {
  return {
    *[Symbol.iterator]() {
      for (const { origin, sessions: read } of sessions) {
        const group: PeerSession[] = [];
        for (const session of read) {
          if (!session.facts) continue;
          const rules = new Set(session.findings.map((f) => f.rule));
          group.push({
            origin,
            key: session.key,
            sessionId: session.sessionId,
            at: session.at,
            ...(session.vehicleId !== undefined ? { vehicleId: session.vehicleId } : {}),
            facts: withoutTold(session.facts, rules),
          });
        }
        if (group.length > 0) yield group;
      }
    },
  };
}

function isEmpty(groups: Iterable<unknown>): boolean {
  for (const _ of groups) return false;
  return true;
}

/**
 * A session's figures without those its fixed-threshold rule already told: as for the own
 * baseline, a derated session's peak power must not pull the connector's median down once the
 * fault is over, nor a sister's.
 */
function withoutTold(facts: SessionFacts, fired: ReadonlySet<string>): SessionFacts {
  let kept = facts;
  for (const metric of PEER_DRIFT_METRICS) {
    if (!companionFired(metric.rule, fired) || kept[metric.fact] === undefined) continue;
    kept = { ...kept };
    delete kept[metric.fact];
  }
  return kept;
}

/** With peer drift off, every mark is taken back so no connector stays held by it. */
function unmarkAll(previous: { peers?: PeerDriftState } | undefined, marks: PeerMarks): PeerStep {
  const changes = Object.entries(marks).flatMap(([connector, rules]) =>
    rules.map((rule) => ({ origin: originOf(connector), rule })),
  );
  return { state: previous?.peers, marks: {}, changes };
}

/** A connector's own record with its sisters' verdicts written into its drift baselines. Pure. */
export function applyPeerChanges(
  record: ConnectorIncidentState | undefined,
  origin: ReportOrigin,
  changes: readonly PeerChange[],
): ConnectorIncidentState {
  const state = copyOf(record ?? emptyIncidentState(origin));
  const drift = { ...(state.drift ?? {}) };
  for (const { rule, mark } of changes) {
    const baseline = drift[rule] ?? { days: [], recent: [], drifting: false };
    const next = { ...baseline };
    if (mark) next.peers = mark;
    else delete next.peers;
    drift[rule] = next;
  }
  state.drift = drift;
  return state;
}

function markOf(finding: Finding): PeerMark {
  return { title: finding.title, message: finding.message, evidence: finding.evidence };
}

function ownRuleOf(peerRule: string): string | undefined {
  return PEER_DRIFT_METRICS.find((m) => m.rule === peerRule)?.ownRule;
}

function keyOf(origin: ReportOrigin): string {
  return `${origin.chargerId}\u001f${origin.connectorId}`;
}

function originOf(connector: string): ReportOrigin {
  const at = connector.indexOf('\u001f');
  return { chargerId: connector.slice(0, at), connectorId: connector.slice(at + 1) };
}
