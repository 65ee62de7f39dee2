import type { Finding } from '../finding.ts';
import { median } from '../incidents/drift.ts';
import type { IncidentSettings } from '../incidents/settings.ts';
import type { SessionFacts } from '../session-facts.ts';
import type { ReportOrigin } from '../session-report.ts';
import { type EntryTable, entriesOf, heldBy, readThrough, type Table } from './entry-table.ts';
import {
  PEER_DRIFT_METRICS,
  type PeerDriftMetric,
  type PeerJudgement,
  type PeerValue,
  peerDriftFinding,
} from './peer-drift-finding.ts';

export { PEER_DRIFT_METRICS, type PeerDriftMetric, type PeerValue } from './peer-drift-finding.ts';

/**
 * The depot's latest values, by connector key (`${chargerId}/${connectorId}`) and peer drift
 * rule id, oldest first. Bounded whatever the history: the last `peers.days` days, and at
 * most {@link KEPT_PER_WINDOW} × `recentSessions` values per connector and figure.
 */
export interface PeerDriftState {
  connectors: Table<Record<string, PeerValue[]>>;
  /** The depot's latest session end, and the day old values were last dropped on. */
  latest?: string;
  forgotOn?: string;
}

/** A session read by a run, as peer drift sees it. */
export interface PeerSession {
  origin: ReportOrigin;
  /** Session id and UTC day: the same session always has the same key. */
  key: string;
  sessionId: string;
  /** When the session ended, ISO. */
  at: string;
  vehicleId?: string;
  facts: SessionFacts;
}

/** The connectors of the depot, every one, whether it had sessions or not. */
export type PeerFleet = readonly { chargerId: string; connectors: readonly string[] }[];

/** Values kept per figure, in recent windows: enough for a busy sister to span a quiet connector's window. */
export const KEPT_PER_WINDOW = 4;

/** Connectors' lists kept parsed while judging, for a table kept in a file. */
const JUDGED_LISTS_KEPT = 64;

/** Sister connectors a connector is compared with at most. */
export const MAX_SISTERS = 12;

/** Scales a MAD to a standard deviation's size for normally spread values. */
const MAD_TO_SIGMA = 1.4826;

/** A depot with nothing kept yet. */
export function emptyPeerDriftState(): PeerDriftState {
  return { connectors: {} };
}

/** The key a connector's values are kept under. */
export function connectorKey(chargerId: string, connectorId: string): string {
  return `${chargerId}/${connectorId}`;
}

/**
 * Whether the fixed-threshold rule for a peer drift rule's figure fired in a session, given
 * the rule ids that fired there. The caller drops a peer drift finding on such a session:
 * that rule tells the fault on its own, and one fault must not make two incidents. Its values
 * still feed the medians: they are what the connector really gave, and the median of the
 * sisters shrugs off one that is failing.
 */
export function companionFired(rule: string, fired: ReadonlySet<string>): boolean {
  const metric = PEER_DRIFT_METRICS.find((m) => m.rule === rule);
  return metric !== undefined && fired.has(metric.companion);
}

/**
 * Keeps the run's sessions (each once, however often re-read) and judges every connector
 * that had new ones against its sister connectors: per figure, the median of its latest
 * `recentSessions` values against the median of the sisters' medians over the same span of
 * time. At least `peers.minPeers` (never under 2) sisters with enough values in that span
 * are needed: with one, there is no telling which of the two moved. Drifting when the gap,
 * the worse way, reaches both the figure's `minChange` and `peers.madFactor` robust spreads
 * (1.4826 × MAD) of the sisters' medians. One warning per drifting connector and figure, on
 * its latest session of the run that gave the figure. Pure: the input state stays as it was.
 */
export function observePeers(
  state: PeerDriftState,
  sessions: readonly PeerSession[],
  fleet: PeerFleet,
  settings: IncidentSettings['drift'],
  drifting: (origin: ReportOrigin, rule: string) => boolean = () => false,
): PeerObservation {
  const groups = new Map<string, PeerSession[]>();
  for (const s of sessions) {
    const key = connectorKey(s.origin.chargerId, s.origin.connectorId);
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  return observePeerGroups(state, [...groups.values()], fleet, settings, drifting);
}

/**
 * `observePeers` over the sessions connector by connector, each group one connector's: gone
 * through twice (first for the latest end), and never held whole, so a run's sessions can
 * come from a file. What it keeps of a session is the little a warning on it needs.
 */
export function observePeerGroups(
  state: PeerDriftState,
  groups: Iterable<readonly PeerSession[]>,
  fleet: PeerFleet,
  settings: IncidentSettings['drift'],
  /**
   * Whether a connector is already told to drift in a figure (by peer drift rule id): it stays
   * drifting until its gap falls under half the threshold, so a gap near the line does not
   * open and resolve the incident over and over. Default: none is.
   */
  drifting: (origin: ReportOrigin, rule: string) => boolean = () => false,
): PeerObservation {
  if (!settings.enabled || !settings.peers.enabled) return { state, findings: [], cleared: [] };
  const metrics = PEER_DRIFT_METRICS.flatMap((metric) => {
    const minChange = minChangeOf(metric, settings);
    return minChange > 0 ? [{ metric, minChange }] : [];
  });
  // The depot is the fleet's connectors and any a session came from (one added since the
  // fleet was listed); connectors that left it leave the state too. The latest end known is
  // kept beside the values so that the old are dropped once a day, not by walking the whole
  // depot in every run; a value older than the days kept never joins.
  let depot = depotOf(fleet);
  let newest = state.latest ?? '';
  for (const group of groups)
    for (const s of group) {
      const key = connectorKey(s.origin.chargerId, s.origin.connectorId);
      if (!holds(depot, key)) depot = withKey(depot, key);
      const at = instantOf(s);
      if (at > newest) newest = at;
    }
  // A plain object is copied (the caller's state stays as it was); a connector's lists are
  // copied only when a session joins them. A table kept in a file is the run's own.
  const kept = entriesOf(state.connectors, true);
  if (kept.size > depot.length || state.forgotOn === undefined)
    for (const key of [...kept.keys()]) if (!holds(depot, key)) kept.delete(key);

  const cap = KEPT_PER_WINDOW * settings.recentSessions;
  const today = newest.slice(0, 10);
  const oldest = newest
    ? new Date(Date.parse(newest) - settings.peers.days * 86_400_000).toISOString()
    : '';
  // The latest new session per connector and figure, where its finding would go: only what
  // a warning names of it.
  const fed = new Map<string, FedSlot[]>();
  for (const group of groups) {
    const ordered = group.map((session) => ({ session, at: instantOf(session) }));
    ordered.sort((a, b) => compare(a.at, b.at));
    // A group is one connector's: its lists are read once, copied, and written back once.
    let key: string | undefined;
    let lists: Record<string, PeerValue[]> | undefined;
    const copied = new Set<string>();
    // Each figure of the connector that took a new value, first fed first.
    const slots: FedSlot[] = [];
    for (const { session, at } of ordered) {
      if (at < oldest) continue;
      key ??= connectorKey(session.origin.chargerId, session.origin.connectorId);
      let named: FedSession | undefined;
      for (let m = 0; m < metrics.length; m++) {
        const { metric } = metrics[m] as (typeof metrics)[number];
        const value = session.facts[metric.fact];
        if (value === undefined || !Number.isFinite(value)) continue;
        lists ??= { ...(kept.get(key) ?? {}) };
        let values = lists[metric.rule] ?? [];
        if (!copied.has(metric.rule)) {
          values = [...values];
          copied.add(metric.rule);
        }
        lists[metric.rule] = values;
        if (!keep(values, [session.key, at, value], cap)) continue;
        named ??= fedSession(session);
        const slot = slots.find((s) => s.metric === m);
        if (slot) slot.session = named;
        else slots.push({ metric: m, session: named });
      }
    }
    if (key !== undefined && lists) kept.set(key, lists);
    // Only what can be judged waits for the judging. A late re-read of a session too old to
    // keep was never fed; nor is every other session, chosen by its key (a drift moves over
    // days, and the backtest judges a large depot's every run); nor a figure whose list is
    // still shorter than the recent sessions a judgement reads (every connector of a first run).
    const judgeable = slots.filter(
      ({ metric: m, session }) =>
        judgedOn(session.key) &&
        (lists?.[(metrics[m] as (typeof metrics)[number]).metric.rule]?.length ?? 0) >=
          settings.recentSessions,
    );
    if (key !== undefined && judgeable.length > 0) fed.set(key, judgeable);
  }
  if (today !== state.forgotOn) forgetOld(kept, oldest);

  const sisters = sistersOf(depot);
  // Sisters are the nearest connectors: a connector judged reads the lists its neighbour just did.
  const listsOf = readThrough(kept, JUDGED_LISTS_KEPT);
  const findings: Finding[] = [];
  const cleared: PeerObservation['cleared'] = [];
  for (const [key, slots] of fed)
    for (const { metric: m, session } of slots) {
      const { metric, minChange } = metrics[m] as (typeof metrics)[number];
      const held = drifting(session.origin, metric.rule);
      const judged = judge(listsOf, key, sisters, metric, minChange, settings, held ? 0.5 : 1);
      if (judged) findings.push(peerDriftFinding(metric, session, judged));
      else cleared.push({ origin: session.origin, rule: metric.rule });
    }
  return {
    state: { connectors: heldBy(kept), ...(newest ? { latest: newest, forgotOn: today } : {}) },
    findings,
    cleared,
  };
}

/** What one run's comparison with the sister connectors found. */
export interface PeerObservation {
  state: PeerDriftState;
  findings: Finding[];
  /**
   * The connectors and peer drift rules judged this run and found not drifting (or with too
   * few sisters left to say so). Only these take back a mark: a session that was not judged
   * (every other one is) says nothing either way.
   */
  cleared: { origin: ReportOrigin; rule: string }[];
}

/** What a warning names of the session it is on. */
type FedSession = Pick<PeerSession, 'origin' | 'key' | 'sessionId' | 'vehicleId'>;

/** A figure (its index among the metrics judged) that took a new value, and the latest session that gave one. */
interface FedSlot {
  metric: number;
  session: FedSession;
}

function fedSession({ origin, key, sessionId, vehicleId }: PeerSession): FedSession {
  return { origin, key, sessionId, ...(vehicleId !== undefined ? { vehicleId } : {}) };
}

/**
 * A depot's connector keys, sorted and each once: found by halving, and already in the order
 * sisters are chosen in. A set of them beside the sorted list held every key twice.
 */
type Depot = readonly string[];

/** The fleet's connector keys, worked out once per fleet list (a backtest passes the same one). */
function depotOf(fleet: PeerFleet): Depot {
  let keys = depots.get(fleet);
  if (!keys) {
    const sorted = fleet.flatMap((c) => c.connectors.map((id) => connectorKey(c.chargerId, id)));
    sorted.sort();
    keys = sorted.filter((key, i) => i === 0 || key !== sorted[i - 1]);
    depots.set(fleet, keys);
  }
  return keys;
}

const depots = new WeakMap<PeerFleet, Depot>();

/** Where a key is in the depot, or would go. */
function placeOf(depot: Depot, key: string): number {
  let low = 0;
  let high = depot.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((depot[mid] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

function holds(depot: Depot, key: string): boolean {
  return depot[placeOf(depot, key)] === key;
}

/** The depot with a connector the fleet does not list (one added since), in its place. */
function withKey(depot: Depot, key: string): Depot {
  const at = placeOf(depot, key);
  return [...depot.slice(0, at), key, ...depot.slice(at)];
}

/** A figure's least change: the config's for the peer rule, else for its own drift rule, else the default. */
function minChangeOf(metric: PeerDriftMetric, settings: IncidentSettings['drift']): number {
  for (const rule of [metric.rule, metric.ownRule])
    if (Object.hasOwn(settings.minChange, rule)) return settings.minChange[rule] as number;
  return metric.minChange;
}

/** When a session ended, as a canonical ISO instant that sorts as text; its day if unreadable. */
function instantOf(session: PeerSession): string {
  const ms = Date.parse(session.at);
  return new Date(Number.isFinite(ms) ? ms : Date.parse(session.facts.day)).toISOString();
}

/** Adds a value in time order unless held already; drops the oldest past the cap. Whether it was added. */
function keep(values: PeerValue[], value: PeerValue, cap: number): boolean {
  if (values.some(([key]) => key === value[0])) return false;
  const first = values[0];
  // A full list would drop it at once: re-reads of sessions dropped before stay dropped.
  if (first && values.length >= cap && value[1] <= first[1]) return false;
  let at = values.length;
  while (at > 0 && (values[at - 1] as PeerValue)[1] > value[1]) at--;
  values.splice(at, 0, value);
  if (values.length > cap) values.splice(0, values.length - cap);
  return true;
}

/**
 * Drops values from more than `days` days before the latest session of the depot, and lists
 * left empty; returns the oldest instant kept.
 */
function forgetOld(connectors: EntryTable<Record<string, PeerValue[]>>, oldest: string): void {
  for (const key of [...connectors.keys()]) {
    const read = connectors.get(key) as Record<string, PeerValue[]>;
    let stale = false;
    for (const rule in read) if (((read[rule] as PeerValue[])[0]?.[1] ?? '') < oldest) stale = true;
    if (!stale) continue;
    const lists = { ...read };
    for (const rule in lists) {
      const values = lists[rule] as PeerValue[];
      const from = values.findIndex(([, at]) => at >= oldest);
      if (from < 0) delete lists[rule];
      else if (from > 0) lists[rule] = values.slice(from);
    }
    if (Object.keys(lists).length === 0) connectors.delete(key);
    else connectors.set(key, lists);
  }
}

/**
 * The sister connectors a connector is compared with: every other one in a depot of up to
 * {@link MAX_SISTERS} + 1, else the {@link MAX_SISTERS} nearest in the fleet's order (its own
 * charger's first). A median of a dozen is as robust as one of hundreds, and judging each
 * session against every connector of a 400-connector depot cost the backtest hours.
 */
function sistersOf(depot: Depot): (key: string) => readonly string[] {
  let known = sisterCache.get(depot);
  if (!known) {
    known = new Map();
    sisterCache.set(depot, known);
  }
  const cached = known;
  return (key) => {
    let sisters = cached.get(key);
    if (!sisters) {
      const at = placeOf(depot, key);
      sisters = nearestOf(depot, depot[at] === key ? at : -1, key);
      cached.set(key, sisters);
    }
    return sisters;
  };
}

const sisterCache = new WeakMap<Depot, Map<string, readonly string[]>>();

/** The connectors nearest `key` in sorted order, on both sides and round the end. */
function nearestOf(keys: readonly string[], at: number, key: string): readonly string[] {
  if (keys.length <= MAX_SISTERS + 1) return keys.filter((k) => k !== key);
  const nearest: string[] = [];
  for (let step = 1; nearest.length < MAX_SISTERS; step++) {
    for (const i of [at + step, at - step]) {
      const k = keys[(i + keys.length) % keys.length] as string;
      if (k !== key && !nearest.includes(k) && nearest.length < MAX_SISTERS) nearest.push(k);
    }
  }
  return nearest;
}

function judge(
  listsOf: (key: string) => Record<string, PeerValue[]> | undefined,
  key: string,
  sistersOfKey: (key: string) => readonly string[],
  metric: PeerDriftMetric,
  minChange: number,
  settings: IncidentSettings['drift'],
  share: number,
): PeerJudgement | undefined {
  const recent = listsOf(key)?.[metric.rule]?.slice(-settings.recentSessions) ?? [];
  if (recent.length < settings.recentSessions) return undefined;
  // Looked up only now: a first run of a large depot judges nobody yet.
  const sisters = sistersOfKey(key);
  const from = (recent[0] as PeerValue)[1];
  const to = (recent.at(-1) as PeerValue)[1];
  // The sisters over the same span of time, so that a change of the whole depot in time
  // cancels out. Half a window is enough: a quieter sister still has a fair median.
  const needed = Math.ceil(settings.recentSessions / 2);
  const peerMedians: number[] = [];
  for (const other of sisters) {
    const values = listsOf(other)?.[metric.rule];
    if (!values) continue;
    const first = firstAtOrAfter(values, from);
    let end = first;
    while (end < values.length && (values[end] as PeerValue)[1] <= to) end++;
    if (end - first >= needed) peerMedians.push(medianOfValues(values, first, end));
  }
  if (peerMedians.length < Math.max(2, settings.peers.minPeers)) return undefined;
  const own = medianOfValues(recent, 0, recent.length);
  const peers = median(peerMedians);
  const spread = MAD_TO_SIGMA * median(peerMedians.map((m) => Math.abs(m - peers)));
  // A whole-depot shift (weather, grid, a new vehicle mix) moves every connector with its
  // sisters: the gap stays small, so it is no connector's drift.
  const change = metric.worse === 'lower' ? peers - own : own - peers;
  const threshold = Math.max(minChange, settings.peers.madFactor * spread);
  if (change < threshold * share) return undefined;
  const peerCount = peerMedians.length;
  return { own, peers, spread, peerCount, change, threshold, minChange, from, to, recent };
}

/** Whether a session is one of the half the sisters are judged on: the same on every run. */
function judgedOn(sessionKey: string): boolean {
  let hash = 0;
  for (let i = 0; i < sessionKey.length; i++) hash = (hash * 31 + sessionKey.charCodeAt(i)) | 0;
  return (hash & 1) === 0;
}

/** The median of the figures of kept values `from` to `end` (not included). */
function medianOfValues(values: readonly PeerValue[], from: number, end: number): number {
  const figures = new Array<number>(end - from);
  for (let i = from; i < end; i++) figures[i - from] = (values[i] as PeerValue)[2];
  figures.sort((a, b) => a - b);
  const mid = figures.length >> 1;
  return figures.length % 2
    ? (figures[mid] as number)
    : ((figures[mid - 1] as number) + (figures[mid] as number)) / 2;
}

function firstAtOrAfter(values: readonly PeerValue[], at: string): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((values[mid] as PeerValue)[1] < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
