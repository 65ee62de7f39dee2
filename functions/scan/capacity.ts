/**
 * How many connectors one invocation of the scan function can read before its timeout, from
 * what `npm run bench` measured (BENCHMARKS.md, "Cost and reach"): about 180 ms of API and S3
 * round trips per connector, 8 connectors in flight, and 5.4 ms of CPU per connector on one
 * full vCPU, which a Lambda function gets at 1,769 MB (less in proportion below).
 */
export const SCAN_MODEL = {
  /** Round trips per connector (token share, report page, archive and state), in ms. */
  roundTripMsPerConnector: 180,
  /** Connectors read at once (the default `scan.concurrency`). */
  inFlight: 8,
  /** CPU per connector on one full vCPU, in ms. */
  cpuMsPerConnector: 5.4,
  /** Memory at which a Lambda function has one full vCPU, in MB. */
  mbPerVcpu: 1769,
  /**
   * The share of the timeout a shard is planned to fill: the rest absorbs slow pages,
   * retries and a cold start, and the deadline's reserve for writing state.
   */
  plannedShare: 0.5,
} as const;

/** What one invocation is given. */
export interface InvocationSize {
  /** The function's timeout, in minutes. */
  timeoutMinutes: number;
  /** The function's memory, in MB. */
  memoryMb: number;
  /** Connectors read at once. Default: `SCAN_MODEL.inFlight`. */
  concurrency?: number;
}

/** Milliseconds one connector costs an invocation: the slower of its network and CPU shares. */
export function msPerConnector(size: InvocationSize): number {
  const network = SCAN_MODEL.roundTripMsPerConnector / (size.concurrency ?? SCAN_MODEL.inFlight);
  const cpu = SCAN_MODEL.cpuMsPerConnector / Math.min(1, size.memoryMb / SCAN_MODEL.mbPerVcpu);
  return Math.max(network, cpu);
}

/**
 * Connectors one invocation is planned to scan: half its timeout at the modelled cost per
 * connector. At 5 minutes and 512 MB that is 6,666 (network-bound at 22.5 ms a connector).
 */
export function connectorsPerInvocation(size: InvocationSize): number {
  const usableMs = size.timeoutMinutes * 60_000 * SCAN_MODEL.plannedShare;
  return Math.max(1, Math.floor(usableMs / msPerConnector(size)));
}
