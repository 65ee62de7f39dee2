import { type Config, ConfigError, parseConfig } from '../config/config.ts';
import {
  type ClientCredentials,
  credentialsFrom,
  credentialsInSecret,
} from '../config/credentials.ts';
import { unpackConfig } from '../config/packed-config.ts';
import type { Fetch } from '../http/http.ts';

/** How long a warm container reuses credentials before asking again (rotation). */
const CREDENTIALS_TTL_MS = 15 * 60_000;
/**
 * How long it reuses the config. A `cdk deploy` that changes only the fleet or thresholds
 * rewrites the parameter, not the function, so warm containers must read it again.
 */
const CONFIG_TTL_MS = 5 * 60_000;

/** The Lambda's settings sources. */
export interface SettingsSources {
  env: NodeJS.ProcessEnv;
  fetch: Fetch;
  now: () => number;
  /** Reads an object's text from an `s3://bucket/key` URI; undefined when there is none. */
  readObject?: (uri: string) => Promise<string | undefined>;
}

/** A value loaded on demand and reused until it is older than its time to live. */
class Cached<T> {
  #entry: { value: T; loadedAt: number } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly load: () => Promise<T>,
  ) {}

  async get(): Promise<T> {
    if (!this.#entry || this.now() - this.#entry.loadedAt > this.ttlMs) {
      // A failed load is not cached: the next invocation tries again.
      this.#entry = { value: await this.load(), loadedAt: this.now() };
    }
    return this.#entry.value;
  }

  forget(): void {
    this.#entry = undefined;
  }
}

/**
 * The Lambda's config and credentials, cached across warm invocations. The config comes from
 * DEPOT_WATCH_CONFIG (JSON), the S3 object DEPOT_WATCH_CONFIG_OBJECT names (a config too large
 * for a parameter) or the SSM parameter named by DEPOT_WATCH_CONFIG_PARAMETER; the
 * client id and secret from the Secrets Manager secret named by DEPOT_WATCH_CREDENTIALS_SECRET,
 * a JSON object `{ "clientId": "...", "clientSecret": "..." }`. Both are read through the AWS
 * Parameters and Secrets Lambda extension (a local HTTP endpoint with its own cache), which
 * keeps two SDK clients out of the bundle and off the cold start.
 */
export class LambdaSettings {
  readonly #config: Cached<Config>;
  /** Cached credentials by secret id ('' for the deployment's own). */
  readonly #credentials = new Map<string, Cached<ClientCredentials>>();

  constructor(private readonly sources: SettingsSources) {
    this.#config = new Cached(CONFIG_TTL_MS, sources.now, () => this.#loadConfig());
  }

  /** The validated config, read again after 5 minutes; a bad one is a ConfigError naming the field. */
  config(): Promise<Config> {
    return this.#config.get();
  }

  /**
   * Client credentials from a depot's secret, or the deployment's own without one; fetched
   * again after 15 minutes so a rotated secret is picked up.
   */
  credentials(secretId?: string): Promise<ClientCredentials> {
    const key = secretId ?? '';
    let cached = this.#credentials.get(key);
    if (!cached) {
      cached = new Cached(CREDENTIALS_TTL_MS, this.sources.now, () =>
        this.#loadCredentials(secretId),
      );
      this.#credentials.set(key, cached);
    }
    return cached.get();
  }

  /** Forgets cached credentials of a secret (the deployment's own by default), after the API refused them. */
  forgetCredentials(secretId?: string): void {
    this.#credentials.get(secretId ?? '')?.forget();
  }

  async #loadConfig(): Promise<Config> {
    const { env } = this.sources;
    let raw: unknown;
    let source: string;
    if (env.DEPOT_WATCH_CONFIG) {
      source = 'DEPOT_WATCH_CONFIG';
      raw = parseJson(env.DEPOT_WATCH_CONFIG, source);
    } else if (env.DEPOT_WATCH_CONFIG_OBJECT) {
      // A config larger than a parameter holds (thousands of chargers, several depots).
      const uri = env.DEPOT_WATCH_CONFIG_OBJECT;
      source = `config object ${uri}`;
      const text = await this.sources.readObject?.(uri);
      if (text === undefined)
        throw new ConfigError(`${source} does not exist; deploy the stack again`);
      raw = parseJson(unpackConfig(text), source);
    } else if (env.DEPOT_WATCH_CONFIG_PARAMETER) {
      source = `SSM parameter ${env.DEPOT_WATCH_CONFIG_PARAMETER}`;
      const body = await this.#extension('systemsmanager/parameters/get', {
        name: env.DEPOT_WATCH_CONFIG_PARAMETER,
        withDecryption: 'true',
      });
      const value = String((body as { Parameter?: { Value?: unknown } }).Parameter?.Value ?? '');
      raw = parseJson(unpackConfig(value), source);
    } else {
      throw new ConfigError(
        'set DEPOT_WATCH_CONFIG (JSON), DEPOT_WATCH_CONFIG_OBJECT (s3://bucket/key) or DEPOT_WATCH_CONFIG_PARAMETER (an SSM parameter name)',
      );
    }
    return parseConfig(withDeployedLocations(raw, env), source);
  }

  async #loadCredentials(depotSecret: string | undefined): Promise<ClientCredentials> {
    const { env } = this.sources;
    const secretId = depotSecret ?? env.DEPOT_WATCH_CREDENTIALS_SECRET;
    if (!secretId) return credentialsFrom(await this.config(), env);
    const body = await this.#extension('secretsmanager/get', { secretId });
    return credentialsInSecret(
      String((body as { SecretString?: unknown }).SecretString ?? ''),
      secretId,
    );
  }

  /** One GET to the Parameters and Secrets extension, authenticated with the session token. */
  async #extension(path: string, query: Record<string, string>): Promise<unknown> {
    const { env, fetch } = this.sources;
    const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
    const url = `http://localhost:${port}/${path}?${new URLSearchParams(query)}`;
    const what = query.name ?? query.secretId;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
      });
    } catch (error) {
      throw new Error(
        `cannot reach the Parameters and Secrets extension for ${what}: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(
        `reading ${what} through the Parameters and Secrets extension failed with HTTP ${response.status}`,
      );
    }
    return response.json();
  }
}

/**
 * The stack decides where things go (its bucket, its topic) and says so in DEPOT_WATCH_ARCHIVE,
 * DEPOT_WATCH_STATE and DEPOT_WATCH_ALERTS; those win over the config's own values.
 */
function withDeployedLocations(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return {
    ...raw,
    ...(env.DEPOT_WATCH_ARCHIVE ? { archive: env.DEPOT_WATCH_ARCHIVE } : {}),
    ...(env.DEPOT_WATCH_STATE ? { state: env.DEPOT_WATCH_STATE } : {}),
    ...(env.DEPOT_WATCH_ALERTS ? { alerts: env.DEPOT_WATCH_ALERTS.split(',') } : {}),
  };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // The text may be a secret: say where it came from, never what it was.
    throw new ConfigError(`${source} is not valid JSON`);
  }
}
