import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { PublishOutcome } from '../scan/ports.ts';

/** Entries kept at most: a warm container's memory, not a store. */
const LIMIT = 10_000;

/**
 * What a warm notifier function remembers between invocations, per channel: the notices each
 * channel already took, so that a retried invocation (Lambda retries a failed one whole) sends
 * them no second time; and when each incident's resolve was delivered, so that a trigger from
 * the same or an earlier run arriving after it (SNS does not keep order between messages, and
 * the scan sends a resolve in a message after its open) is dropped instead of re-opening the
 * alert. A cold container remembers nothing, which costs a repeat, never a lost notice.
 */
export class DeliveryMemory {
  readonly #delivered = new Map<string, true>();
  readonly #resolvedAt = new Map<string, string>();

  /** The notices a channel still needs: neither taken before nor outrun by their resolve. */
  due(channel: number, notices: readonly IncidentNotification[]): IncidentNotification[] {
    return notices.filter(
      (n) => !this.#delivered.has(`${channel}\u001f${n.id}`) && !this.#stale(channel, n),
    );
  }

  /** Notes what a channel took. */
  record(channel: number, notices: readonly IncidentNotification[], outcome: PublishOutcome): void {
    const accepted = new Set(outcome.accepted);
    for (const n of notices) {
      if (!accepted.has(n.id)) continue;
      remember(this.#delivered, `${channel}\u001f${n.id}`, true);
      if (n.event === 'resolve') remember(this.#resolvedAt, keyOf(channel, n), n.at);
    }
  }

  #stale(channel: number, notice: IncidentNotification): boolean {
    if (notice.event === 'resolve') return false;
    const resolvedAt = this.#resolvedAt.get(keyOf(channel, notice));
    return resolvedAt !== undefined && notice.at <= resolvedAt;
  }
}

function keyOf(channel: number, notice: IncidentNotification): string {
  return `${channel}\u001f${notice.depot ?? ''}\u001f${notice.incident}`;
}

/** Sets a key, forgetting the oldest once the map is full. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > LIMIT) map.delete(map.keys().next().value as string);
}
