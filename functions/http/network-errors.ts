/** What a failed connection's error code means for the host it tried, in words a person acts on. */
const NETWORK_PROBLEMS: Record<string, (host: string) => string> = {
  ECONNREFUSED: (host) => `nothing is listening at ${host}`,
  ENOTFOUND: (host) => `no host is named ${host}`,
  EAI_AGAIN: (host) => `the name ${host} could not be looked up`,
  ETIMEDOUT: (host) => `${host} did not answer in time`,
  ECONNRESET: (host) => `${host} dropped the connection`,
  EHOSTUNREACH: (host) => `${host} cannot be reached from this network`,
  ENETUNREACH: (host) => `${host} cannot be reached from this network`,
  CERT_HAS_EXPIRED: (host) => `the TLS certificate of ${host} has expired`,
  DEPTH_ZERO_SELF_SIGNED_CERT: (host) => `the TLS certificate of ${host} is self-signed`,
};

/**
 * A connection that failed, as one clause (`nothing is listening at 127.0.0.1:4010`), or
 * undefined when the error is not a known network failure. Node's own wording
 * (`connect ECONNREFUSED 127.0.0.1:4010`) names a code, not what it means.
 */
export function networkProblem(error: unknown): string | undefined {
  const e = (error ?? {}) as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
    hostname?: string;
  };
  const said = e.code !== undefined ? NETWORK_PROBLEMS[e.code] : undefined;
  if (said === undefined) return undefined;
  const address = e.address ? `${e.address}${e.port ? `:${e.port}` : ''}` : undefined;
  return said(e.hostname ?? address ?? 'the host');
}
