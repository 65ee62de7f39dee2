import * as z from 'zod/mini';
import { Secret } from '../core/secret.ts';

/**
 * Where a channel's secret (a routing key, a webhook URL, an HMAC key) comes from: written in
 * the file (for a local try-out only), an environment variable, or a Secrets Manager secret
 * (name or ARN), which is what a deployment must use: the stack grants its notifier function
 * read access to exactly the secrets the config names, and the value never enters the template.
 */
export const secretValueSchema = z.union(
  [
    z.string().check(z.minLength(1)),
    z.strictObject({
      env: z
        .string()
        .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')),
    }),
    z.strictObject({ secret: z.string().check(z.minLength(1)) }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `${issue.input === undefined ? 'is required: ' : 'must be '}the value itself, {"env": "VAR"} or {"secret": "<name or ARN>"}`
        : undefined,
  },
);

/** A secret as configured. */
export type SecretValue = z.infer<typeof secretValueSchema>;

/** Reads the text of a Secrets Manager secret by name or ARN. */
export type SecretReader = (secretId: string) => Promise<string>;

/** Where secrets given by reference are read from. */
export interface SecretSources {
  env: NodeJS.ProcessEnv;
  /** Default: none (a `{ "secret": … }` value then fails to resolve, naming the secret). */
  readSecret?: SecretReader;
}

/** A secret that could not be had; the message names where it was looked for, never a value. */
export class SecretUnavailable extends Error {
  override readonly name = 'SecretUnavailable';
}

/** The secret's value, wrapped so that it never prints. */
export async function resolveSecret(value: SecretValue, sources: SecretSources): Promise<Secret> {
  if (typeof value === 'string') return new Secret(value);
  if ('env' in value) {
    const text = sources.env[value.env];
    if (!text) throw new SecretUnavailable(`environment variable ${value.env} is not set`);
    return new Secret(text);
  }
  if (!sources.readSecret)
    throw new SecretUnavailable(`secret ${value.secret} cannot be read here (no Secrets Manager)`);
  let text: string;
  try {
    text = await sources.readSecret(value.secret);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new SecretUnavailable(`cannot read secret ${value.secret}: ${reason}`);
  }
  if (!text.trim()) throw new SecretUnavailable(`secret ${value.secret} is empty`);
  return new Secret(text.trim());
}

/** Where a secret comes from, for `config check`: never the value itself. */
export function describeSecret(value: SecretValue): string {
  if (typeof value === 'string') return 'written in the config';
  return 'env' in value ? `from $${value.env}` : `from secret ${value.secret}`;
}

/** The Secrets Manager secret a value names, if it names one. */
export function secretIdOf(value: SecretValue | undefined): string | undefined {
  return value !== undefined && typeof value !== 'string' && 'secret' in value
    ? value.secret
    : undefined;
}
