import { DeadlineReached } from '../scan/ports.ts';

/** One attempt failed in a way that may succeed on retry. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    readonly status?: number,
    /** Delay the server asked for, in milliseconds (from Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** One attempt failed in a way that retrying cannot fix (a 400, 404, a malformed page). */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A response body over the size cap: the caller may ask for less (a smaller page) instead. */
export class BodyTooLargeError extends PermanentError {
  constructor(
    readonly limitBytes: number,
    readonly bytes?: number,
  ) {
    super(
      `response ${bytes !== undefined ? `of ${bytes} bytes ` : ''}exceeds the ${limitBytes}-byte limit`,
    );
  }
}

/** The run's deadline aborted a request in flight (or one about to start): never retried. */
export class RequestCutByDeadline extends DeadlineReached {
  override readonly name = 'RequestCutByDeadline';
  constructor(what: string) {
    super(`${what}: cut short by the run's deadline`);
  }
}
