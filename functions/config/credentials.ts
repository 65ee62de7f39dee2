import { Secret } from '../core/secret.ts';
import { type Config, ConfigError } from './config.ts';

/** The client credentials for the token endpoint, wrapped so they never print. */
export interface ClientCredentials {
  clientId: Secret;
  clientSecret: Secret;
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
