import { ConfigError } from '../functions/config/config.ts';
import type { AlertEntry } from '../functions/notifiers/notifier.ts';
import { notifierOf, remoteEntries } from '../functions/notifiers/registry.ts';
import { secretIdOf } from '../functions/notifiers/secret-value.ts';

/** The channels a deployment's notifier function delivers, and the secrets it may read. */
export interface DeployedChannels {
  entries: AlertEntry[];
  /** Secrets Manager names or ARNs, each once. */
  secretIds: string[];
}

/**
 * The remote channels (PagerDuty, Opsgenie, Teams, Slack, webhooks) among a config's alerts,
 * for the notifier function; URIs (stdout, files, topics) stay the scan's, which on AWS
 * publishes to the stack's own topic. A secret written in the config or named as an
 * environment variable fails synth: it would land in the template, and the function has no
 * such variable; a deployment reads each from Secrets Manager, `{"secret": "<name or ARN>"}`.
 */
export function deployedChannels(alerts: readonly AlertEntry[]): DeployedChannels {
  const entries = remoteEntries(alerts);
  const secretIds = new Set<string>();
  for (const entry of entries) {
    const index = alerts.indexOf(entry);
    for (const value of notifierOf(entry)?.secrets(entry) ?? []) {
      const id = secretIdOf(value);
      if (id === undefined)
        throw new ConfigError(
          `alerts.${index}: a deployed ${(entry as { type: string }).type} channel reads its secrets from Secrets Manager: give {"secret": "<name or ARN>"}, not the value or an environment variable`,
        );
      secretIds.add(id);
    }
  }
  return { entries, secretIds: [...secretIds] };
}
