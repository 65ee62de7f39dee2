import { CredentialsRefused } from '../../scan/ports.ts';

/** The token endpoint refused the client id/secret: retrying will not help, a person must. */
export class CredentialsRefusedError extends CredentialsRefused {
  override readonly name = 'CredentialsRefusedError';
  constructor(readonly status: number) {
    super(
      `DepotFinity refused the client id/secret (HTTP ${status} from the token endpoint). ` +
        'Check DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET with the credentials your vendor issued.',
    );
  }
}

/** Where in the fleet a request was aimed, so an error names what could not be read. */
export interface RequestTarget {
  chargerId?: string;
  connectorId?: string;
  page?: number;
}

/** A request to the DepotFinity API failed for good: retries exhausted, or not retryable. */
export class DepotApiError extends Error {
  override readonly name = 'DepotApiError';
  constructor(
    readonly target: RequestTarget,
    /** HTTP status of the last attempt, or undefined when no response came (timeout, network). */
    readonly status: number | undefined,
    readonly attempts: number,
    reason: string,
  ) {
    const where = [
      target.chargerId !== undefined ? `charger ${target.chargerId}` : undefined,
      target.connectorId !== undefined ? `connector ${target.connectorId}` : undefined,
      target.page !== undefined ? `page ${target.page}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    super(
      `DepotFinity request failed${where ? ` for ${where}` : ''} after ${attempts} attempt(s): ` +
        `${status !== undefined ? `HTTP ${status}, ` : ''}${reason}`,
    );
  }
}
