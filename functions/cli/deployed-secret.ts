import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretText } from '../adapters/secret-text.ts';
import { ConfigError } from '../config/config.ts';
import { type ClientCredentials, credentialsInSecret } from '../config/credentials.ts';

/**
 * The client credentials in a deployed secret (the stack's `CredentialsSecret` output: an ARN,
 * or a name), read with the caller's own AWS credentials. The secret lives in its ARN's region,
 * so that region is asked, whatever the default; a name is looked up in the default region.
 * A secret still holding the stack's placeholder is a CredentialsNotSet naming it.
 */
export async function deployedCredentials(
  secretId: string,
  client?: SecretsManagerClient,
): Promise<ClientCredentials> {
  let text: string | undefined;
  try {
    text = await secretText(secretId, client);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    throw new ConfigError(`cannot read secret ${secretId}: ${name}: ${message}`);
  }
  if (text === undefined)
    throw new ConfigError(
      `secret ${secretId} holds binary data, not {"clientId": "...", "clientSecret": "..."}`,
    );
  return credentialsInSecret(text, secretId);
}
