import { Secret } from '../core/secret.ts';
import { type Config, ConfigError } from './config.ts';
import type { DepotScope } from './depot-scopes.ts';

/** The client credentials for the token endpoint, wrapped so they never print. */
export interface ClientCredentials {
  clientId: Secret;
  clientSecret: Secret;
}

/**
 * A credentials secret that is not filled yet, in JSON: what the deploy guide has an operator
 * put in a secret to stop a depot's runs quietly. (The stack itself creates its secrets with a
 * generated string, which counts the same: see `credentialsInSecret`.)
 */
export const CREDENTIALS_PLACEHOLDER = { clientId: '', clientSecret: '' } as const;

/** Whether a secret's parsed value is still the placeholder the stack created it with. */
export function isCredentialsPlaceholder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { clientId, clientSecret } = value as Record<string, unknown>;
  return (
    clientId === CREDENTIALS_PLACEHOLDER.clientId &&
    clientSecret === CREDENTIALS_PLACEHOLDER.clientSecret
  );
}

/**
 * A credentials secret that holds no credentials JSON yet (the value the stack created it
 * with, or the placeholder): the deployment is not configured yet.
 */
export class CredentialsNotSet extends ConfigError {
  constructor(readonly secretId: string) {
    super(
      `secret ${secretId} still holds its placeholder, not credentials: put the DepotFinity client's {"clientId": "...", "clientSecret": "..."} in it`,
    );
  }
}

/**
 * The client credentials a Secrets Manager secret holds, `{"clientId": "...", "clientSecret":
 * "..."}`: CredentialsNotSet while it holds the placeholder, a ConfigError naming the secret
 * (never quoting it) when it holds anything else.
 */
export function credentialsInSecret(text: string, secretId: string): ClientCredentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The random string the stack creates the secret with: not filled yet. (The text is a
    // secret all the same: say where it came from, never what it was.)
    throw new CredentialsNotSet(secretId);
  }
  if (isCredentialsPlaceholder(value)) throw new CredentialsNotSet(secretId);
  const { clientId, clientSecret } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof clientId !== 'string' ||
    !clientId ||
    typeof clientSecret !== 'string' ||
    !clientSecret
  ) {
    throw new ConfigError(
      `secret ${secretId} must hold {"clientId": "...", "clientSecret": "..."}; fill it as docs/deploy.md shows`,
    );
  }
  return { clientId: new Secret(clientId), clientSecret: new Secret(clientSecret) };
}

/**
 * Takes the client id and secret from the environment (DEPOT_WATCH_CLIENT_ID,
 * DEPOT_WATCH_CLIENT_SECRET), else from the config file; a missing one is a ConfigError
 * that says where to set it.
 */
export function credentialsFrom(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): ClientCredentials {
  const clientId = env.DEPOT_WATCH_CLIENT_ID || config.credentials?.clientId;
  const clientSecret = env.DEPOT_WATCH_CLIENT_SECRET || config.credentials?.clientSecret;
  const missing = [
    clientId ? undefined : 'DEPOT_WATCH_CLIENT_ID',
    clientSecret ? undefined : 'DEPOT_WATCH_CLIENT_SECRET',
  ].filter(Boolean);
  if (!clientId || !clientSecret) {
    throw new ConfigError(
      `missing DepotFinity credentials: set ${missing.join(' and ')} in the environment (or credentials in the config file)`,
    );
  }
  return { clientId: new Secret(clientId), clientSecret: new Secret(clientSecret) };
}

/**
 * A depot's client credentials: `DEPOT_WATCH_<NAME>_CLIENT_ID` and `_CLIENT_SECRET` (the name
 * upper-cased, `-` as `_`), else the depot's `credentials` in the config (or the site's there),
 * else the site's environment. A config of one fleet reads the site's only (`credentialsFrom`).
 */
export function depotCredentialsFrom(
  depot: DepotScope,
  env: NodeJS.ProcessEnv = process.env,
): ClientCredentials {
  if (depot.name === undefined) return credentialsFrom(depot.config, env);
  const prefix = `DEPOT_WATCH_${depot.name.toUpperCase().replaceAll('-', '_')}`;
  const written = depot.config.credentials;
  const clientId = env[`${prefix}_CLIENT_ID`] || written?.clientId;
  const clientSecret = env[`${prefix}_CLIENT_SECRET`] || written?.clientSecret;
  if (clientId && clientSecret)
    return { clientId: new Secret(clientId), clientSecret: new Secret(clientSecret) };
  try {
    return credentialsFrom(depot.config, env);
  } catch {
    throw new ConfigError(
      `missing DepotFinity credentials for depot "${depot.name}": set ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET in the environment (or credentials in its entry of the config file)`,
    );
  }
}
