import * as z from 'zod/mini';
import '../zod-messages.ts';
import type { Severity } from '../finding.ts';
import { RULES } from '../rules/registry.ts';
import { type Confirm, ruleConfirmSchema, STANDARD_CONFIRM } from './confirm.ts';

const count = (max: number) => z.int().check(z.minimum(1), z.maximum(max));

/** What opening an incident takes: N findings within the last M sessions of the connector. */
const pendingSchema = z.strictObject({
  findings: count(50),
  sessions: count(50),
});

/**
 * How a fault that the bus or the charger can cause (a failed battery alignment, an SoC
 * shortfall, a breaker opening under load) is attributed. Defaults: a 14-day window, and a
 * finding waits up to 48 hours for the evidence that tells bus from charger.
 */
const attributionSchema = z.strictObject({
  /** Off: these faults open connector incidents at once, as every other rule's do. */
  enabled: z._default(z.boolean(), true),
  /** Days of sessions tabulated by vehicle and connector. */
  windowDays: z._default(z.number().check(z.minimum(1), z.maximum(60)), 14),
  /**
   * Hours a finding waits for a verdict; past it, the connector and vehicle together are
   * blamed. 0 decides at once on what is known.
   */
  holdHours: z._default(z.number().check(z.minimum(0), z.maximum(24 * 14)), 48),
});

/**
 * Drift against the connector's sister connectors of the same depot, over the same hours: a
 * drift that began with the connector's history never shows against its own baseline, but
 * does against theirs. Judged only with `drift.enabled` too; `minChange` applies as well.
 * Its verdict is written into the connector's own drift baseline: one drift, one finding of
 * the same rule, one incident, whichever comparison saw it first.
 */
const peerDriftSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** Sister connectors with enough sessions in the same hours needed to judge; fewer judge nothing. */
  minPeers: z._default(z.int().check(z.minimum(2), z.maximum(100)), 2),
  /** How many robust spreads (1.4826 × MAD) of the sisters' medians a change must also reach. */
  madFactor: z._default(z.number().check(z.positive(), z.maximum(20)), 3),
  /** Days of sessions kept per connector, counted back from the depot's latest session. */
  days: z._default(z.int().check(z.minimum(1), z.maximum(60)), 14),
});

/**
 * Drift against the connector's own past: the median of its recent sessions against the
 * median of its daily medians over the baseline days before them. A metric's `minChange` is
 * in the metric's own unit (points of %, or counts); 0 turns that metric off.
 */
const driftSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** Days of daily medians the baseline is made of. */
  baselineDays: z._default(z.int().check(z.minimum(3), z.maximum(90)), 21),
  /** Days of baseline needed before drift is judged at all. */
  minBaselineDays: z._default(z.int().check(z.minimum(1), z.maximum(90)), 7),
  /** Latest sessions whose median is compared with the baseline. */
  recentSessions: z._default(z.int().check(z.minimum(1), z.maximum(50)), 8),
  /** Least change that counts as drift, by drift rule id. */
  minChange: z._default(z.record(z.string(), z.number().check(z.minimum(0))), {}),
  /** Drift against the sister connectors of the same depot. */
  peers: z.prefault(peerDriftSchema, {}),
});

/** Incident settings that may differ per rule. */
export const ruleIncidentSchema = z.strictObject({
  /**
   * When a finding is told, by its severity (see `Confirm`): `{ "warning": { "sessions": 2,
   * "withinHours": 24 } }`. Holding a critical finding back this way is allowed, and warned of.
   */
  confirm: z.optional(ruleConfirmSchema),
  /** Opens after this many findings within the last `pending.sessions` sessions (any severity). */
  pending: z.optional(pendingSchema),
  /** Least time between two reminders of an open incident, in hours; 0 never reminds. */
  repeatHours: z.optional(z.number().check(z.minimum(0), z.maximum(24 * 30))),
  /** Consecutive clean sessions that resolve an open incident. */
  resolveAfterCleanSessions: z.optional(count(100)),
});

/**
 * The `incidents` section of the config. Every value has a default; `rules` sets some per rule.
 * Defaults: info and warning open on 2 findings within 5 sessions, critical on the first;
 * reminders at most daily; the 3rd occurrence within 14 days escalates; 3 clean sessions
 * resolve; a connector silent for 48 hours opens `connector-silent`.
 */
export const incidentSettingsSchema = z.strictObject({
  pending: z._default(
    z.strictObject({
      info: z._default(pendingSchema, { findings: 2, sessions: 5 }),
      warning: z._default(pendingSchema, { findings: 2, sessions: 5 }),
      critical: z._default(pendingSchema, { findings: 1, sessions: 1 }),
    }),
    {
      info: { findings: 2, sessions: 5 },
      warning: { findings: 2, sessions: 5 },
      critical: { findings: 1, sessions: 1 },
    },
  ),
  repeatHours: z._default(z.number().check(z.minimum(0), z.maximum(24 * 30)), 24),
  escalate: z._default(
    z.strictObject({
      /** The occurrence of one fault that steps its severity up; 0 never escalates. */
      occurrences: z.int().check(z.minimum(0), z.maximum(100)),
      withinDays: z.number().check(z.positive(), z.maximum(90)),
    }),
    { occurrences: 3, withinDays: 14 },
  ),
  resolveAfterCleanSessions: z._default(count(100), 3),
  /** Hours without a session after which a connector that had sessions is silent; 0 disables. */
  silentAfterHours: z._default(z.number().check(z.minimum(0), z.maximum(24 * 90)), 48),
  /** Settings for particular rules, by rule id. */
  rules: z._default(z.record(z.string(), ruleIncidentSchema), {}),
  /** The bus or the charger: how faults a vehicle can cause are attributed. */
  attribution: z.prefault(attributionSchema, {}),
  /** Drift of each connector against its own baseline. */
  drift: z.prefault(driftSchema, {}),
});

/** The incident settings as written in a config, every default filled. */
export type IncidentSettings = z.infer<typeof incidentSettingsSchema>;

/** Incident settings as an override writes them: any subset. */
export const incidentOverrideSchema = z.strictObject({
  repeatHours: z.optional(z.number().check(z.minimum(0), z.maximum(24 * 30))),
  resolveAfterCleanSessions: z.optional(count(100)),
  silentAfterHours: z.optional(z.number().check(z.minimum(0), z.maximum(24 * 90))),
  rules: z.optional(z.record(z.string(), ruleIncidentSchema)),
});

export type IncidentOverride = z.infer<typeof incidentOverrideSchema>;

/** The settings one rule's incidents follow on one connector. */
export interface RuleIncidentPolicy {
  /** When a finding is told. */
  confirm: Confirm;
  pending: { findings: number; sessions: number };
  repeatHours: number;
  resolveAfterCleanSessions: number;
  escalate: { occurrences: number; withinDays: number };
}

/** Defaults, for code paths that run without a config (replay of loose files, tests). */
export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = incidentSettingsSchema.parse({});
const DEFAULT_PENDING = DEFAULT_INCIDENT_SETTINGS.pending;

/**
 * One connector's incident settings: the site-wide ones with the overrides of its charger,
 * then of the connector, laid over them.
 */
export function connectorIncidentSettings(
  base: IncidentSettings,
  layers: readonly (IncidentOverride | undefined)[],
): IncidentSettings {
  let merged: IncidentSettings = base;
  for (const layer of layers) {
    if (!layer) continue;
    const rules = { ...merged.rules };
    for (const [rule, settings] of Object.entries(layer.rules ?? {}))
      rules[rule] = { ...rules[rule], ...settings };
    merged = {
      ...merged,
      ...(layer.repeatHours !== undefined ? { repeatHours: layer.repeatHours } : {}),
      ...(layer.resolveAfterCleanSessions !== undefined
        ? { resolveAfterCleanSessions: layer.resolveAfterCleanSessions }
        : {}),
      ...(layer.silentAfterHours !== undefined ? { silentAfterHours: layer.silentAfterHours } : {}),
      rules,
    };
  }
  return merged;
}

/** Each rule's own confirmation defaults, from its file. */
const RULE_CONFIRM = new Map(RULES.map((rule) => [rule.id, rule.confirm ?? STANDARD_CONFIRM]));

/**
 * When a rule's finding of a severity is told. First what the config says of the rule (its
 * `confirm`, then its `pending`), then a site-wide `pending` the config changed, then the
 * rule file's default, then the site-wide default.
 */
export function confirmFor(settings: IncidentSettings, rule: string, severity: Severity): Confirm {
  const own = Object.hasOwn(settings.rules, rule) ? settings.rules[rule] : undefined;
  const configured = own?.confirm?.[severity];
  if (configured) return configured;
  const pending = own?.pending ?? settings.pending[severity];
  const standard = DEFAULT_PENDING[severity];
  const siteChanged =
    pending.findings !== standard.findings || pending.sessions !== standard.sessions;
  if (own?.pending || siteChanged)
    return { sessions: pending.findings, withinSessions: pending.sessions };
  return RULE_CONFIRM.get(rule)?.[severity] ?? STANDARD_CONFIRM[severity];
}

/** What one rule's incidents follow, at the severity of its finding. */
export function policyFor(
  settings: IncidentSettings,
  rule: string,
  severity: Severity,
): RuleIncidentPolicy {
  const own = Object.hasOwn(settings.rules, rule) ? settings.rules[rule] : undefined;
  const confirm = confirmFor(settings, rule, severity);
  return {
    confirm,
    pending: { findings: confirm.sessions, sessions: confirm.withinSessions ?? 50 },
    repeatHours: own?.repeatHours ?? settings.repeatHours,
    resolveAfterCleanSessions: own?.resolveAfterCleanSessions ?? settings.resolveAfterCleanSessions,
    escalate: settings.escalate,
  };
}

/**
 * Incident settings per connector, overrides applied, each worked out once; connectors without
 * overrides share one copy.
 */
export class IncidentSettingsBook {
  readonly #cache = new Map<string, IncidentSettings>();
  #shared: IncidentSettings | undefined;

  constructor(
    private readonly base: IncidentSettings = DEFAULT_INCIDENT_SETTINGS,
    private readonly overrides: readonly {
      chargerId: string;
      connectorId?: string | undefined;
      incidents?: IncidentOverride | undefined;
    }[] = [],
  ) {}

  /** The site-wide settings, before any override. */
  site(): IncidentSettings {
    return this.base;
  }

  /** The settings that apply to one connector's incidents. */
  for({ chargerId, connectorId }: { chargerId: string; connectorId: string }): IncidentSettings {
    const key = `${chargerId}\u001f${connectorId}`;
    let settings = this.#cache.get(key);
    if (!settings) {
      const mine = this.overrides.filter((o) => o.chargerId === chargerId);
      if (mine.length === 0) {
        this.#shared ??= connectorIncidentSettings(this.base, []);
        return this.#shared;
      }
      settings = connectorIncidentSettings(this.base, [
        ...mine.filter((o) => o.connectorId === undefined).map((o) => o.incidents),
        ...mine.filter((o) => o.connectorId === connectorId).map((o) => o.incidents),
      ]);
      this.#cache.set(key, settings);
    }
    return settings;
  }
}
