import * as z from 'zod/mini';
import { incidentOverrideSchema } from './incidents/settings.ts';
import { RULES } from './rules/registry.ts';
import type { RuleThresholds } from './rules/rule.ts';
import type { ReportOrigin } from './session-report.ts';

/**
 * Thresholds as a config writes them: any subset of any rule's fields, keyed by rule id.
 * Field ranges and unknown names are checked here; what needs the whole picture (a critical
 * level below the warning level) is checked once the layers are merged.
 */
export const thresholdsInputSchema = z._default(
  z.strictObject(
    Object.fromEntries(RULES.map((rule) => [rule.id, z.optional(z.partial(rule.schema))])),
  ),
  {},
);

/** Settings for some rules, as written in a config. */
export type ThresholdsInput = Record<string, Record<string, unknown> | undefined>;

/** Thresholds that differ for one charger, or one connector of it. */
export const thresholdOverrideSchema = z.strictObject({
  chargerId: z.string().check(z.minLength(1)),
  /** Omit to apply to every connector of the charger. */
  connectorId: z.optional(z.string().check(z.minLength(1))),
  thresholds: thresholdsInputSchema,
  /** Incident settings for this charger or connector, over the site-wide `incidents`. */
  incidents: z.optional(incidentOverrideSchema),
});

export type ThresholdOverride = z.infer<typeof thresholdOverrideSchema>;

/** Complete thresholds of every rule, keyed by rule id. */
export type Thresholds = Record<string, RuleThresholds & Record<string, unknown>>;

/** Every rule's defaults, overlaid with the given layers in order. */
export function mergeThresholds(...layers: ThresholdsInput[]): Thresholds {
  return Object.fromEntries(
    RULES.map((rule) => [
      rule.id,
      Object.assign({}, rule.defaults, ...layers.map((l) => l[rule.id] ?? {})),
    ]),
  );
}

/** The thresholds every rule uses when the config says nothing. */
export function defaultThresholds(): Thresholds {
  return mergeThresholds();
}

/** Checks merged thresholds against each rule's full schema; returns problems with their paths. */
export function checkThresholds(
  thresholds: Thresholds,
): { path: PropertyKey[]; message: string }[] {
  return RULES.flatMap((rule) => {
    const result = rule.schema.safeParse(thresholds[rule.id]);
    if (!result.success) {
      return result.error.issues.map((i) => ({ path: [rule.id, ...i.path], message: i.message }));
    }
    const problem = rule.inconsistency?.(result.data);
    return problem ? [{ path: [rule.id, problem.field], message: problem.message }] : [];
  });
}

/**
 * Looks up the thresholds for one connector: the site-wide ones, overlaid by the overrides for
 * its charger, then by those for the connector itself. Connectors without overrides share
 * one resolved copy (a fleet of thousands holds one, not thousands); the others are cached.
 */
export class ThresholdBook {
  readonly #cache = new Map<string, Thresholds>();
  #shared: Thresholds | undefined;

  constructor(
    private readonly base: ThresholdsInput = {},
    private readonly overrides: readonly ThresholdOverride[] = [],
  ) {}

  /** The thresholds that apply to reports from this charger and connector. */
  for({ chargerId, connectorId }: ReportOrigin): Thresholds {
    const key = `${chargerId}\u001f${connectorId}`;
    let resolved = this.#cache.get(key);
    if (!resolved) {
      const forCharger = this.overrides.filter(
        (o) => o.chargerId === chargerId && o.connectorId === undefined,
      );
      const forConnector = this.overrides.filter(
        (o) => o.chargerId === chargerId && o.connectorId === connectorId,
      );
      if (forCharger.length === 0 && forConnector.length === 0) {
        this.#shared ??= mergeThresholds(this.base);
        return this.#shared;
      }
      resolved = mergeThresholds(
        this.base,
        ...forCharger.map((o) => o.thresholds as ThresholdsInput),
        ...forConnector.map((o) => o.thresholds as ThresholdsInput),
      );
      this.#cache.set(key, resolved);
    }
    return resolved;
  }
}
