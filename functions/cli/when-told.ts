import { ATTRIBUTABLE_RULES } from '../core/incidents/attributable.ts';
import { type Confirm, describeConfirm, toldAtOnce } from '../core/incidents/confirm.ts';
import { DRIFT_METRICS } from '../core/incidents/drift.ts';
import { confirmFor, type IncidentSettings } from '../core/incidents/settings.ts';
import { RULE_IDS } from '../core/rules/registry.ts';

/** The levels a rule's finding can take, most severe first. */
const LEVELS = ['critical', 'warning', 'info'] as const;

/**
 * When each rule's finding is told, in words, one line per rule, and a warning for every rule
 * whose critical findings a config holds back: `config check` prints both.
 */
export function whenTold(settings: IncidentSettings): { lines: string[]; warnings: string[] } {
  const rules = [...RULE_IDS, ...DRIFT_METRICS.map((m) => m.rule)];
  const width = Math.max(...rules.map((r) => r.length));
  const warnings: string[] = [];
  const lines = rules.map((rule) => {
    const levels = LEVELS.map((level) => {
      const confirm = confirmFor(settings, rule, level);
      if (level === 'critical' && !toldAtOnce(confirm))
        warnings.push(
          `incidents.rules.${rule} holds its critical findings back (told ${describeConfirm(confirm)}): the run that fetches one will not tell it`,
        );
      return `${level} ${phrase(rule, confirm, settings)}`;
    });
    return `  ${rule.padEnd(width)}  ${levels.join('; ')}`;
  });
  return { lines, warnings };
}

function phrase(rule: string, confirm: Confirm, settings: IncidentSettings): string {
  const said = describeConfirm(confirm);
  if (!ATTRIBUTABLE_RULES.has(rule) || !settings.attribution.enabled) return said;
  if (toldAtOnce(confirm)) return `${said} on its connector, the bus-or-charger verdict after`;
  const hold = settings.attribution.holdHours;
  return `on the bus-or-charger verdict (≤ ${hold} h), then ${said}`;
}
