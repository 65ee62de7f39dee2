import { type Finding, fingerprintOf } from '../finding.ts';
import { round1 } from '../rules/rule.ts';
import type { SessionFacts } from '../session-facts.ts';
import type { ReportOrigin } from '../session-report.ts';
import type { IncidentSettings } from './settings.ts';

/** One figure a connector can drift in, and which way is worse. */
export interface DriftMetric {
  /** The drift rule's id; drift rule ids end in `-drift`. */
  rule: string;
  fact: 'efficiencyPercent' | 'peakPowerPercent' | 'deviceErrors' | 'energyShortfallPercent';
  worse: 'lower' | 'higher';
  /**
   * The fixed-threshold rule for the same figure. A session it fires on is that rule's to
   * tell: drift neither learns from it nor judges it, so one fault never makes two incidents.
   */
  companion: string;
  /** Least change that counts, in the figure's unit, unless the config says otherwise. */
  minChange: number;
  label: string;
  unit: string;
  advice: string;
}

/**
 * The figures watched for drift. Defaults sit well outside what a healthy connector's
 * session-to-session spread moves a median of eight sessions (efficiency ±1.5 points in the
 * vendor's data and the simulator), and inside the decline a failing part shows in a week.
 */
export const DRIFT_METRICS: readonly DriftMetric[] = [
  {
    rule: 'converter-efficiency-drift',
    companion: 'converter-efficiency',
    fact: 'efficiencyPercent',
    worse: 'lower',
    minChange: 2.5,
    label: 'converter efficiency',
    unit: '%',
    advice:
      'A slow decline like this is how a failing power module or clogged cooling shows before any session crosses the fixed threshold: plan an inspection of the modules, fans and filters.',
  },
  {
    rule: 'power-delivery-drift',
    companion: 'power-derating',
    fact: 'peakPowerPercent',
    worse: 'lower',
    minChange: 15,
    label: 'peak power against what the vehicle asked for',
    unit: '%',
    advice:
      'The connector gives less of the power vehicles ask for than it used to: check for derating (module temperatures, a failed module) and any site power limit.',
  },
  {
    rule: 'device-errors-drift',
    companion: 'converter-error-counter',
    fact: 'deviceErrors',
    worse: 'higher',
    minChange: 8,
    label: 'power-device error counts per session',
    unit: '',
    advice:
      'Error counters climb before a converter fails outright: read the error codes in the latest reports and check the modules that report them.',
  },
  {
    rule: 'energy-shortfall-drift',
    companion: 'energy-shortfall',
    fact: 'energyShortfallPercent',
    worse: 'higher',
    minChange: 3,
    label: 'energy shortfall against the request',
    unit: '%',
    advice:
      'More of the energy vehicles ask for is not delivered than before: check for sessions stopped early and for derating.',
  },
];

/** Whether a connector's recent median moved from its own baseline by at least `minChange`. */
function ownDrift(
  metric: DriftMetric,
  judged: { baseline: number; current: number },
  minChange: number,
): boolean {
  const change =
    metric.worse === 'lower' ? judged.baseline - judged.current : judged.current - judged.baseline;
  return change >= minChange;
}

/** The drift finding of a session while the sister connectors see the connector drift. */
function peerFinding(
  metric: DriftMetric,
  sample: DriftSample,
  origin: ReportOrigin,
  mark: PeerMark,
): Finding {
  return sessionFinding(metric, sample, origin, {
    ...mark,
    evidence: { ...mark.evidence, against: 'sister connectors' },
  });
}

/** A drift finding on a session of a connector, with what it says. */
function sessionFinding(
  metric: DriftMetric,
  sample: DriftSample,
  origin: ReportOrigin,
  said: Pick<Finding, 'title' | 'message' | 'evidence'>,
): Finding {
  return {
    rule: metric.rule,
    severity: 'warning',
    chargerId: origin.chargerId,
    connectorId: origin.connectorId,
    sessionId: sample.sessionId,
    ...(sample.vehicleId !== undefined ? { vehicleId: sample.vehicleId } : {}),
    ...said,
    fingerprint: fingerprintOf(metric.rule, origin.chargerId, origin.connectorId, sample.sessionId),
  };
}

/** One figure's baseline on one connector: daily medians, the day being collected, recent values. */
export interface MetricBaseline {
  /** Closed days: `[day, median, sessions]`, oldest first, within the baseline days. */
  days: [string, number, number][];
  /** The day being collected and its values; values join it once they leave `recent`. */
  open?: [string, number[]];
  /** The latest values, `[sessionId, value]`, oldest first. */
  recent: [string, number][];
  /** Whether the latest check found drift: drifting values never join the baseline. */
  drifting: boolean;
  /** Set while the connector's sister connectors see it drift in this figure (see `peer-marks`). */
  peers?: PeerMark;
}

/** What the sister connectors' comparison said, for the finding it makes on this connector. */
export interface PeerMark {
  title: string;
  message: string;
  evidence: Finding['evidence'];
}

/** A connector's baselines, by drift rule id. Bounded: baseline days plus recent sessions per figure. */
export type DriftState = Record<string, MetricBaseline>;

/** A session as drift sees it. */
export interface DriftSample {
  sessionId: string;
  at: string;
  vehicleId?: string;
  facts: SessionFacts;
}

/**
 * Feeds one session (in time order, each once) to a connector's baselines and returns the
 * drift findings it raises, and the drift rules that judged nothing in it (their companion
 * rule fired). Changes `state` in place; the caller owns a copy.
 */
export function observeDrift(
  state: DriftState,
  sample: DriftSample,
  origin: ReportOrigin,
  settings: IncidentSettings['drift'],
  fired: ReadonlySet<string>,
): { findings: Finding[]; inhibited: string[] } {
  const findings: Finding[] = [];
  const inhibited: string[] = [];
  if (!settings.enabled) return { findings, inhibited };
  // The baseline's first day, the same for every figure of the session: worked out once.
  let oldest: string | undefined;
  for (const metric of DRIFT_METRICS) {
    if (fired.has(metric.companion)) {
      inhibited.push(metric.rule);
      continue;
    }
    const minChange = Object.hasOwn(settings.minChange, metric.rule)
      ? (settings.minChange[metric.rule] as number)
      : metric.minChange;
    const value = sample.facts[metric.fact];
    const known = state[metric.rule];
    if (minChange <= 0 || value === undefined) {
      // A session without the figure says nothing of a drift told: it must not resolve it.
      if (known?.drifting || known?.peers) inhibited.push(metric.rule);
      continue;
    }
    const baseline = known ?? { days: [], recent: [], drifting: false };
    state[metric.rule] = baseline;
    oldest ??= dayBefore(sample.facts.day, settings.baselineDays);
    collect(baseline, sample, value, settings, oldest);
    const judged = judge(baseline, settings);
    if (!judged || !ownDrift(metric, judged, minChange)) {
      // Its own past may not show it (a drift since the first day); its sisters can.
      baseline.drifting = baseline.peers !== undefined;
      if (baseline.peers) findings.push(peerFinding(metric, sample, origin, baseline.peers));
      continue;
    }
    const change =
      metric.worse === 'lower'
        ? judged.baseline - judged.current
        : judged.current - judged.baseline;
    baseline.drifting = true;
    findings.push(
      driftFinding(metric, sample, origin, { ...judged, change, minChange, baselineOf: baseline }),
    );
  }
  return { findings, inhibited };
}

function collect(
  baseline: MetricBaseline,
  sample: DriftSample,
  value: number,
  settings: IncidentSettings['drift'],
  oldest: string,
): void {
  baseline.recent.push([sample.sessionId, value]);
  const day = sample.facts.day;
  if (baseline.open && baseline.open[0] < day) {
    const [openDay, values] = baseline.open;
    if (values.length > 0) baseline.days.push([openDay, median(values), values.length]);
    baseline.open = undefined;
  }
  while (baseline.recent.length > settings.recentSessions) {
    const [, leaving] = baseline.recent.shift() as [string, number];
    if (baseline.drifting) continue;
    baseline.open ??= [day, []];
    baseline.open[1].push(leaving);
  }
  // While drifting, the baseline is frozen, age and all: a decline that lasts is still one,
  // and resolves only when the figure comes back, never because the past was forgotten.
  if (baseline.drifting) return;
  // Most sessions age no day out: the list (the baseline's own copy) is kept as it is then.
  if (baseline.days.some(([d]) => d < oldest))
    baseline.days = baseline.days.filter(([d]) => d >= oldest);
}

function judge(baseline: MetricBaseline, settings: IncidentSettings['drift']) {
  if (baseline.days.length < settings.minBaselineDays) return undefined;
  if (baseline.recent.length < settings.recentSessions) return undefined;
  return {
    baseline: medianOfOwn(baseline.days.map(([, m]) => m)),
    current: medianOfOwn(baseline.recent.map(([, v]) => v)),
  };
}

function driftFinding(
  metric: DriftMetric,
  sample: DriftSample,
  origin: ReportOrigin,
  judged: {
    baseline: number;
    current: number;
    change: number;
    minChange: number;
    baselineOf: MetricBaseline;
  },
): Finding {
  const { days, recent } = judged.baselineOf;
  const fmt = (n: number) => `${round1(n)}${metric.unit}`;
  const direction = metric.worse === 'lower' ? 'fell' : 'rose';
  const sessions = recent.map(([id]) => id);
  return sessionFinding(metric, sample, origin, {
    title: `Drifting ${metric.label}: ${fmt(judged.current)} against its usual ${fmt(judged.baseline)}`,
    message:
      `Over its last ${recent.length} sessions the connector's ${metric.label} (median ${fmt(judged.current)}) ` +
      `${direction} ${round1(judged.change)}${metric.unit === '%' ? ' points' : ''} from its own baseline ` +
      `(${fmt(judged.baseline)}, the median of ${days.length} daily medians from ${days[0]?.[0]} to ${days.at(-1)?.[0]}), ` +
      `more than the ${judged.minChange}${metric.unit === '%' ? ' points' : ''} that counts as drift. ${metric.advice}`,
    evidence: {
      baseline: round1(judged.baseline),
      current: round1(judged.current),
      change: round1(judged.change),
      minChange: judged.minChange,
      baselineDays: days.length,
      baselineFrom: days[0]?.[0] ?? '',
      baselineTo: days.at(-1)?.[0] ?? '',
      sessions: sessions.join(', '),
    },
  });
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  return medianOfOwn([...values]);
}

/** The median of a non-empty list the caller made for it: sorted in place, not copied again. */
function medianOfOwn(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function dayBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
