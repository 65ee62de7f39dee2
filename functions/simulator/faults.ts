/** Which requests a fault applies to; an omitted field matches anything. */
export interface FaultTarget {
  endpoint?: 'token' | 'reports';
  chargerId?: string;
  connectorId?: string;
}

/** A misbehaviour of the vendor API that tests switch on. */
export type Fault = FaultTarget & {
  /** How many matching requests it hits; Infinity for every one. Default: 1. */
  times?: number;
} & (
    | { kind: 'status'; status: number; retryAfter?: string }
    | { kind: 'slow'; delayMs: number }
    | { kind: 'truncate' }
    | { kind: 'invalid-item' }
  );

/** Faults waiting to hit requests, first in first served. */
export class FaultQueue {
  #faults: (Fault & { remaining: number })[] = [];

  /** Queues a fault. */
  add(fault: Fault): void {
    this.#faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#faults = [];
  }

  /** Takes the first fault that matches this request, using up one of its hits. */
  take(request: Required<Pick<FaultTarget, 'endpoint'>> & FaultTarget): Fault | undefined {
    const fault = this.#faults.find(
      (f) =>
        (f.endpoint === undefined || f.endpoint === request.endpoint) &&
        (f.chargerId === undefined || f.chargerId === request.chargerId) &&
        (f.connectorId === undefined || f.connectorId === request.connectorId),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    return fault;
  }
}
