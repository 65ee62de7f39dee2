import { type ClientCredentials, depotCredentialsFrom } from '../config/credentials.ts';
import type { DepotScope } from '../config/depot-scopes.ts';
import type { Fetch } from '../http/http.ts';
import { realSleep } from '../http/retry.ts';
import { CredentialsRefusedError } from '../sources/depotfinity/errors.ts';
import { AccessTokenProvider } from '../sources/depotfinity/token.ts';
import { deployedCredentials } from './deployed-secret.ts';

/** Where the probe fetches from, and how it reads a deployed secret. */
export interface ProbeIo {
  /** Default: the global fetch. */
  fetch?: Fetch;
  /** Reads a deployed credentials secret. Default: Secrets Manager, with the caller's AWS credentials. */
  deployedCredentials?: (secretId: string) => Promise<ClientCredentials>;
}

/** What the token endpoint said to the configured credentials; never the token or secret. */
export type ProbeResult = { ok: true; validForSeconds?: number } | { ok: false; reason: string };

/**
 * Asks the token endpoint for one token with the configured credentials, through the scan's
 * own token client, once: a probe says whether it works now, and retrying for minutes would
 * hide that. The lifetime is read from the endpoint's answer on its way to the client.
 */
export async function probeToken(
  depot: DepotScope,
  fetchFn: Fetch,
  deployed?: { credentials: ClientCredentials; secretId: string },
): Promise<ProbeResult> {
  const { config } = depot;
  const credentials = deployed?.credentials ?? depotCredentialsFrom(depot);
  let lifetime: Promise<number | undefined> = Promise.resolve(undefined);
  const reading: Fetch = async (input, init) => {
    const response = await fetchFn(input, init);
    if (response.ok)
      lifetime = response
        .clone()
        .json()
        .then(
          (body: unknown) => {
            const seconds = (body as { expires_in?: unknown } | null)?.expires_in;
            return typeof seconds === 'number' ? seconds : undefined;
          },
          () => undefined,
        );
    return response;
  };
  const tokens = new AccessTokenProvider({
    tokenUrl: config.api.tokenUrl,
    ...credentials,
    timeoutMs: config.scan.requestTimeoutMs,
    policy: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    fetch: reading,
    sleep: realSleep,
    now: Date.now,
  });
  const url = withoutUserInfo(config.api.tokenUrl);
  try {
    await tokens.get();
    const seconds = await lifetime;
    return seconds !== undefined ? { ok: true, validForSeconds: seconds } : { ok: true };
  } catch (error) {
    if (error instanceof CredentialsRefusedError)
      return {
        ok: false,
        reason: `token endpoint ${url} refused the client id/secret (HTTP ${error.status}); check ${deployed ? `the values in secret ${deployed.secretId}` : 'DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET (or credentials in the config)'}`,
      };
    // The client's message leads with a generic prefix; the endpoint and the cause matter here.
    const cause = (error instanceof Error ? error.message : String(error)).replace(
      /^DepotFinity request failed after \d+ attempt\(s\): /,
      '',
    );
    return { ok: false, reason: `token endpoint ${url} did not give a token: ${cause}` };
  }
}

/**
 * Probes with the client credentials of a deployed secret; a secret that cannot be read, or
 * still holds the stack's placeholder, is a failed probe that says so.
 */
export async function probeDeployed(
  depot: DepotScope,
  secretId: string,
  io: ProbeIo,
): Promise<ProbeResult> {
  let credentials: ClientCredentials;
  try {
    credentials = await (io.deployedCredentials ?? deployedCredentials)(secretId);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return probeToken(depot, io.fetch ?? fetch, { credentials, secretId });
}

/** A URL as it may be printed: any user and password in it left out. */
function withoutUserInfo(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
