import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const clients = new Map<string, SecretsManagerClient>();

/**
 * The text of a Secrets Manager secret (an ARN, or a name looked up in the default region),
 * read with the caller's own AWS credentials. A secret lives in its ARN's region, so that
 * region is asked, whatever the default. Binary secrets hold no text: undefined.
 */
export async function secretText(
  secretId: string,
  client: SecretsManagerClient = clientFor(secretId),
): Promise<string | undefined> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return SecretString;
}

/** A secret's text for a notifier; a binary secret is an error naming it. */
export async function readSecretText(secretId: string): Promise<string> {
  const text = await secretText(secretId);
  if (text === undefined) throw new Error(`secret ${secretId} holds binary data, not text`);
  return text;
}

/** One client per region, reused: a notifier function reads its secrets on every cold start. */
function clientFor(secretId: string): SecretsManagerClient {
  const region = /^arn:[\w-]+:secretsmanager:([\w-]+):/.exec(secretId)?.[1] ?? '';
  let client = clients.get(region);
  if (!client) {
    client = new SecretsManagerClient(region ? { region } : {});
    clients.set(region, client);
  }
  return client;
}
