import { describe, expect, it } from 'vitest';
import type { Finding } from '../../functions/core/finding.ts';
import { byConnector, type FleetSession } from '../../functions/core/fleet/attribution.ts';
import {
  companionFired,
  emptyPeerDriftState,
  observePeers,
  type PeerDriftState,
  type PeerFleet,
  type PeerSession,
  type PeerValue,
} from '../../functions/core/fleet/peer-drift.ts';
import { peerStep } from '../../functions/core/fleet/peer-marks.ts';
import { type DriftState, observeDrift } from '../../functions/core/incidents/drift.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../functions/core/incidents/settings.ts';
import { SeededRandom } from '../../functions/simulator/random.ts';

const SETTINGS = {
  ...DEFAULT_INCIDENT_SETTINGS.drift,
  peers: { ...DEFAULT_INCIDENT_SETTINGS.drift.peers, enabled: true },
};
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One connector of the generated depot: how often it charges and what efficiency it gives. */
interface Connector {
  chargerId: string;
  connectorId: string;
  sessionsPerDay: number;
  /** Efficiency (%) at a time since T0 (ms), before noise. */
  efficiency: (ms: number) => number;
}

const steady = (value: number) => () => value;
/** A straight line from `start` at T0 to `end` at `days`, held after. */
const linear = (start: number, end: number, days: number) => (ms: number) =>
  start + (end - start) * Math.min(1, ms / (days * DAY));

/** A depot of one connector per charger, HPC-1 to HPC-n. */
function depot(...connectors: [number, (ms: number) => number][]): Connector[] {
  return connectors.map(([sessionsPerDay, efficiency], i) => ({
    chargerId: `HPC-${i + 1}`,
    connectorId: '1',
    sessionsPerDay,
    efficiency,
  }));
}

/** HPC-1 falls from 95 % to 91 % over ten days; HPC-2 to HPC-4 hold 95 % (±0.5). */
function slidingDepot(): Connector[] {
  return depot([4, linear(95, 91, 10)], [4, steady(95)], [4, steady(95)], [4, steady(95)]);
}

function fleetOf(connectors: readonly Connector[]): PeerFleet {
  return connectors.map((c) => ({ chargerId: c.chargerId, connectors: [c.connectorId] }));
}

/**
 * Every session of the depot over `days` days, in time order: each connector's sessions
 * spread evenly over the day, its efficiency with uniform noise of ±`noise` points.
 */
function sessionsOf(connectors: readonly Connector[], days: number, seed: number, noise = 0.5) {
  const rng = new SeededRandom('peer-drift', seed);
  const sessions: PeerSession[] = [];
  connectors.forEach((c, ci) => {
    const gap = DAY / c.sessionsPerDay;
    for (let n = 0; n < days * c.sessionsPerDay; n++) {
      const ms = n * gap + (ci + 1) * 7 * 60_000;
      const at = new Date(T0 + ms).toISOString();
      const day = at.slice(0, 10);
      const efficiencyPercent =
        Math.round((c.efficiency(ms) + rng.between(-noise, noise)) * 100) / 100;
      sessions.push({
        origin: { chargerId: c.chargerId, connectorId: c.connectorId },
        key: `${c.chargerId}-${c.connectorId}-s${n}@${day}`,
        sessionId: `${c.chargerId}-${c.connectorId}-s${n}`,
        at,
        facts: { day, efficiencyPercent, reachedTarget: true, faultedMinutes: 0 },
      });
    }
  });
  return sessions.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Runs scans every `everyHours`, each fed only the sessions that ended since the one before. */
function scan(
  sessions: readonly PeerSession[],
  fleet: PeerFleet,
  everyHours: number,
  state: PeerDriftState = emptyPeerDriftState(),
) {
  const runs: { at: string; findings: Finding[]; state: PeerDriftState }[] = [];
  const end = Date.parse(sessions.at(-1)?.at ?? '') + everyHours * HOUR;
  let from = T0;
  for (let now = T0 + everyHours * HOUR; now <= end; now += everyHours * HOUR) {
    const batch = sessions.filter((s) => Date.parse(s.at) > from && Date.parse(s.at) <= now);
    from = now;
    const result = observePeers(state, batch, fleet, SETTINGS);
    state = result.state;
    runs.push({ at: new Date(now).toISOString(), ...result });
  }
  return { runs, state, findings: runs.flatMap((r) => r.findings) };
}

describe('drift against the sister connectors', () => {
  it('catches a connector whose efficiency slides from its very first day, and none of its sisters', () => {
    const connectors = slidingDepot();
    const sessions = sessionsOf(connectors, 10, 1);
    const { runs, findings } = scan(sessions, fleetOf(connectors), 4);

    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => `${f.rule} ${f.chargerId}/${f.connectorId}`))).toEqual(
      new Set(['converter-efficiency-peer-drift HPC-1/1']),
    );
    // The run that read HPC-1's last session still finds it, once, on that session.
    const latest = sessions.findLast((s) => s.origin.chargerId === 'HPC-1');
    const last = runs.find((r) => r.findings.some((f) => f.sessionId === latest?.sessionId));
    expect(last?.findings).toHaveLength(1);
    const finding = last?.findings[0];
    expect(finding).toMatchObject({ severity: 'warning', chargerId: 'HPC-1', connectorId: '1' });
    // Its last eight sessions are n = 32..39 of 40: the line at n = 35.5 is 95 − 4 × 35.5 / 40
    // = 91.45; the sisters' medians are 95. Noise of ±0.5 moves a median of eight far less.
    const evidence = finding?.evidence ?? {};
    expect(evidence.current).toBeGreaterThanOrEqual(91);
    expect(evidence.current).toBeLessThanOrEqual(91.9);
    expect(evidence.peers).toBeGreaterThanOrEqual(94.6);
    expect(evidence.peers).toBeLessThanOrEqual(95.4);
    expect(evidence.peerCount).toBe(3);
    expect(evidence.change).toBeCloseTo(Number(evidence.peers) - Number(evidence.current), 0);
    expect(evidence.minChange).toBe(2.5);
    expect(evidence.peerSpread).toBeLessThan(0.5);
    expect(finding?.title).toContain(`${evidence.current}%`);
    expect(finding?.title).toContain(`${evidence.peers}%`);
    // The first finding comes once the gap reaches 2.5 points: the line's median of eight at
    // 92.5, n = 25 + 3.5 (day 7), give or take the noise.
    const first = runs.findIndex((r) => r.findings.length > 0);
    expect(first * 4).toBeGreaterThanOrEqual(6 * 24);
    expect(first * 4).toBeLessThanOrEqual(8 * 24);
  });

  it('sees what the connector’s own baseline misses, since that baseline slides with it', () => {
    const connectors = depot([4, linear(95, 91, 10)]);
    const own: DriftState = {};
    const findings = sessionsOf(connectors, 10, 1).flatMap(
      (s) =>
        observeDrift(own, { ...s, sessionId: s.sessionId }, s.origin, SETTINGS, new Set()).findings,
    );
    expect(findings).toEqual([]);
  });

  it('finds nothing when the whole depot moves together, however busy each connector is', () => {
    // 95 % to 92 % over ten days on every connector, with four, four, three and two sessions a day.
    for (const seed of [1, 2, 3]) {
      const decline = linear(95, 92, 10);
      const connectors = depot([4, decline], [4, decline], [3, decline], [2, decline]);
      const { findings, state } = scan(sessionsOf(connectors, 12, seed), fleetOf(connectors), 4);
      expect(findings).toEqual([]);
      // And it was judged, not skipped: every connector holds values.
      expect(Object.keys(state.connectors)).toHaveLength(4);
    }
  });

  it('finds nothing when the whole depot steps down overnight, comparing the same hours', () => {
    // Every connector loses 3.5 points at once on day 6 (a site-wide change): a connector that
    // already has five sessions after the step must not be judged against sisters' older ones.
    for (const seed of [1, 2, 3]) {
      const step = (ms: number) => (ms < 6 * DAY ? 95 : 91.5);
      const connectors = depot([4, step], [4, step], [3, step], [2, step], [6, step]);
      const { findings } = scan(sessionsOf(connectors, 10, seed), fleetOf(connectors), 2);
      expect(findings).toEqual([]);
    }
  });

  it('stays silent on a healthy depot over thirty days of scans every few hours', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const connectors = [
        ...depot([4, steady(95)], [4, steady(95.2)], [3, steady(94.8)], [2, steady(95)]),
        { chargerId: 'HPC-5', connectorId: '2', sessionsPerDay: 5, efficiency: steady(95.1) },
      ];
      const { findings } = scan(sessionsOf(connectors, 30, seed), fleetOf(connectors), 3);
      expect(findings).toEqual([]);
    }
  });

  it('counts a session read again only once, and keeps thirty days in the same room as fifteen', () => {
    // Two connectors drift and stay low, so that a re-read has findings it must not repeat.
    const connectors = depot(
      [4, linear(95, 91, 10)],
      [4, steady(95)],
      [1, linear(95, 90, 10)],
      [6, steady(95)],
    );
    const fleet = fleetOf(connectors);
    const sessions = sessionsOf(connectors, 30, 7);
    const after15 = scan(
      sessions.filter((s) => s.facts.day < '2026-11-16'),
      fleet,
      4,
    ).state;
    const { state } = scan(sessions, fleet, 4);

    // Every session again, then the latest day again, in one run each: nothing changes.
    const frozen = JSON.stringify(state);
    const again = observePeers(state, sessions, fleet, SETTINGS);
    expect(again.findings).toEqual([]);
    expect(again.state).toEqual(state);
    const lastDay = sessions.filter((s) => s.facts.day === '2026-11-30');
    expect(observePeers(again.state, lastDay, fleet, SETTINGS)).toEqual({
      state,
      findings: [],
      cleared: [],
    });
    // The input was never changed in place.
    expect(JSON.stringify(state)).toBe(frozen);

    // Bounded: 14 days back from the latest session at most, and 4 × 8 values per connector
    // and figure.
    const oldest = new Date(Date.parse(sessions.at(-1)?.at ?? '') - 14 * DAY).toISOString();
    for (const lists of Object.values(
      state.connectors as Record<string, Record<string, PeerValue[]>>,
    ))
      for (const values of Object.values(lists)) {
        expect(values.length).toBeLessThanOrEqual(32);
        expect(values.every(([, at]) => at >= oldest)).toBe(true);
        expect(new Set(values.map(([key]) => key)).size).toBe(values.length);
      }
    expect(JSON.stringify(state).length).toBeLessThanOrEqual(JSON.stringify(after15).length * 1.05);
  });

  it('allows for sisters that differ among themselves: the gap must also clear their spread', () => {
    // Sisters at 97, 95 and 93 % (say three hardware generations): median 95, MAD 2, robust
    // spread 1.4826 × 2 = 2.97. A connector at 90 % is 5 points under: less than 3 spreads
    // (8.9), more than 1 (2.97).
    const connectors = depot([4, steady(90)], [4, steady(97)], [4, steady(95)], [4, steady(93)]);
    const sessions = sessionsOf(connectors, 3, 1, 0);
    const fleet = fleetOf(connectors);
    expect(observePeers(emptyPeerDriftState(), sessions, fleet, SETTINGS).findings).toEqual([]);
    const looser = { ...SETTINGS, peers: { ...SETTINGS.peers, madFactor: 1 } };
    const { findings } = observePeers(emptyPeerDriftState(), sessions, fleet, looser);
    // Only HPC-1: HPC-4 at 93 % is 2 points under its sisters' 95 %, short of 2.97.
    expect(findings.map((f) => [f.chargerId, f.rule])).toEqual([
      ['HPC-1', 'converter-efficiency-peer-drift'],
    ]);
    expect(findings[0]?.evidence).toMatchObject({
      current: 90,
      peers: 95,
      peerSpread: 3,
      peerCount: 3,
      change: 5,
      threshold: 3,
      minChange: 2.5,
    });
  });

  it('judges nothing on a depot of one connector, or with fewer than two sisters to compare', () => {
    const falling = linear(95, 85, 10);
    // Alone.
    const alone = depot([4, falling]);
    expect(scan(sessionsOf(alone, 12, 1), fleetOf(alone), 4).findings).toEqual([]);
    // One sister: which of the two moved cannot be told.
    const pair = depot([4, falling], [4, steady(95)]);
    expect(scan(sessionsOf(pair, 12, 1), fleetOf(pair), 4).findings).toEqual([]);
    // Two sisters in the fleet, but one of them idle: still one to compare with.
    const idle = depot([4, falling], [4, steady(95)]);
    const fleet = [...fleetOf(idle), { chargerId: 'HPC-3', connectors: ['1'] }];
    expect(scan(sessionsOf(idle, 12, 1), fleet, 4).findings).toEqual([]);
    // A sister too quiet on the same days (under half a window of sessions) does not count either.
    const quiet = depot([4, falling], [4, steady(95)], [0.25, steady(95)]);
    expect(scan(sessionsOf(quiet, 12, 1), fleetOf(quiet), 4).findings).toEqual([]);
  });

  it('judges a connector of a large depot against its nearest sisters', () => {
    // Twenty connectors: more than the sisters each is compared with.
    const connectors = depot(
      [4, linear(95, 85, 10)],
      ...Array.from({ length: 19 }, () => [4, steady(95)] as [number, (ms: number) => number]),
    );
    const { findings, state } = scan(sessionsOf(connectors, 12, 3), fleetOf(connectors), 4);
    expect([...new Set(findings.map((f) => `${f.chargerId}/${f.connectorId} ${f.rule}`))]).toEqual([
      'HPC-1/1 converter-efficiency-peer-drift',
    ]);
    expect(Object.keys(state.connectors)).toHaveLength(20);
  });

  it('can be turned off, and a figure by a minChange of 0', () => {
    const connectors = depot([4, linear(95, 85, 10)], [4, steady(95)], [4, steady(95)]);
    const sessions = sessionsOf(connectors, 10, 1);
    const fleet = fleetOf(connectors);
    const on = observePeers(emptyPeerDriftState(), sessions, fleet, SETTINGS);
    expect(on.findings.map((f) => f.rule)).toEqual(['converter-efficiency-peer-drift']);
    const off = { ...SETTINGS, peers: { ...SETTINGS.peers, enabled: false } };
    expect(observePeers(emptyPeerDriftState(), sessions, fleet, off).findings).toEqual([]);
    const zero = { ...SETTINGS, minChange: { 'converter-efficiency-drift': 0 } };
    expect(observePeers(emptyPeerDriftState(), sessions, fleet, zero).findings).toEqual([]);
  });

  it('marks a sliding connector once, and leaves a slide its own efficiency rule tells to that rule', () => {
    // HPC-1 slides as above; in the second depot its every session from day 5 on also fired
    // the fixed-threshold efficiency rule, which tells the fault on its own.
    const connectors = slidingDepot();
    const sessions = sessionsOf(connectors, 10, 1);
    const fixedRuleFrom = T0 + 5 * DAY;
    const marked = (toldByFixedRule: boolean) => {
      const judged = (s: PeerSession): FleetSession => {
        const told =
          toldByFixedRule && s.origin.chargerId === 'HPC-1' && Date.parse(s.at) >= fixedRuleFrom;
        const finding = {
          rule: 'converter-efficiency',
          severity: 'warning',
          ...s.origin,
          sessionId: s.sessionId,
          title: 't',
          message: 'm',
          evidence: {},
        } as Finding;
        return {
          origin: s.origin,
          session: {
            key: s.key,
            sessionId: s.sessionId,
            at: s.at,
            facts: s.facts,
            findings: told ? [finding] : [],
          },
        };
      };
      let previous: Parameters<typeof peerStep>[0];
      const marks: string[] = [];
      for (let from = T0; from < T0 + 10 * DAY; from += 4 * HOUR) {
        const batch = sessions.filter(
          (s) => Date.parse(s.at) > from && Date.parse(s.at) <= from + 4 * HOUR,
        );
        const step = peerStep(
          previous,
          byConnector(batch.map(judged)),
          fleetOf(connectors),
          SETTINGS,
        );
        marks.push(
          ...step.changes.map(
            (c) => `${c.mark ? 'marked' : 'unmarked'} ${c.origin.chargerId} ${c.rule}`,
          ),
        );
        previous = { peers: step.state, peerMarks: step.marks };
      }
      return marks;
    };
    // Marked once, and kept while it slides: a session not judged (every other one) unmarks nothing.
    expect(marked(false)).toEqual(['marked HPC-1 converter-efficiency-drift']);
    expect(marked(true)).toEqual([]);
  });

  it('tells when the fixed-threshold rule of the same figure fired', () => {
    const fired = new Set(['converter-efficiency']);
    expect(companionFired('converter-efficiency-peer-drift', fired)).toBe(true);
    expect(companionFired('power-delivery-peer-drift', fired)).toBe(false);
    expect(companionFired('unknown-rule', fired)).toBe(false);
  });

  it('reads its settings with defaults from an empty config', () => {
    expect(DEFAULT_INCIDENT_SETTINGS.drift.peers).toEqual({
      enabled: true,
      minPeers: 2,
      madFactor: 3,
      days: 14,
    });
  });
});
