import type { IncidentNotification } from '../core/incidents/incident.ts';
import { messageOf } from './error-message.ts';
import type { AlertSink, Log, ReportArchive } from './ports.ts';
import type { Deliverer, OutboxEntry } from './state-document.ts';

/** What a delivery of the outbox did: the notices the channel accepted, and why others were not. */
export interface Delivery {
  delivered: IncidentNotification[];
  failed: { id: string; error: string }[];
}

/** Why a notice waits: an earlier one of its incident was refused. */
const HELD_BACK = 'held back: an earlier notice was not sent';

/**
 * Sends outbox entries in the order they were decided, and each incident's in its own order: a
 * round holds at most one notice per incident, and an incident whose notice was refused sends
 * nothing more this run. A pager keyed on the incident then never sees a resolve before its
 * open, or an update after a refused one; what was refused waits in the outbox for the next run.
 */
export async function deliverOutbox(
  entries: readonly OutboxEntry[],
  alerts: AlertSink,
  /** Incidents refused earlier in this run (in an earlier batch): theirs wait; refused now join. */
  stopped = new Set<string>(),
): Promise<Delivery> {
  const outcome: Delivery = { delivered: [], failed: [] };
  const queues = new Map<string, IncidentNotification[]>();
  for (const { notice } of entries) {
    if (stopped.has(notice.incident)) {
      outcome.failed.push({ id: notice.id, error: HELD_BACK });
      continue;
    }
    const queue = queues.get(notice.incident);
    if (queue) queue.push(notice);
    else queues.set(notice.incident, [notice]);
  }
  while (queues.size > 0) {
    const round = [...queues.values()].flatMap((queue) => queue.slice(0, 1));
    for (const notice of round) {
      const queue = queues.get(notice.incident) ?? [];
      queue.shift();
      if (queue.length === 0) queues.delete(notice.incident);
    }
    const answer = await alerts.publish(round).catch((error: unknown) => ({
      accepted: [] as string[],
      failed: round.map((n) => ({ id: n.id, error: messageOf(error) })),
    }));
    const accepted = new Set(answer.accepted);
    for (const notice of round) {
      if (accepted.has(notice.id)) {
        outcome.delivered.push(notice);
        continue;
      }
      const error = answer.failed.find((f) => f.id === notice.id)?.error ?? 'not accepted';
      outcome.failed.push({ id: notice.id, error });
      for (const held of queues.get(notice.incident) ?? [])
        outcome.failed.push({ id: held.id, error: HELD_BACK });
      queues.delete(notice.incident);
      stopped.add(notice.incident);
    }
  }
  return outcome;
}

/** How many of a run's notices are read from the outbox and handed to the channel at once. */
const DELIVERY_BATCH = 500;

/**
 * `deliverOutbox` over entries read one at a time, a batch at a time, so that a run with
 * thousands of notices never holds them all. An incident's notices keep their order across
 * batches, and one refused holds back its incident's later ones in later batches too. Entries
 * marked sent already are not sent again. `told` hears of each notice sent, now or before.
 */
export async function deliverInBatches(
  entries: Iterable<OutboxEntry>,
  alerts: AlertSink,
  told: (notice: IncidentNotification, sentBefore: boolean) => void,
): Promise<Delivery['failed']> {
  const failed: Delivery['failed'] = [];
  const stopped = new Set<string>();
  let batch: OutboxEntry[] = [];
  const send = async () => {
    const outcome = await deliverOutbox(batch, alerts, stopped);
    batch = [];
    for (const notice of outcome.delivered) told(notice, false);
    failed.push(...outcome.failed);
  };
  for (const entry of entries) {
    if (entry.sent !== undefined) told(entry.notice, true);
    else batch.push(entry);
    if (batch.length >= DELIVERY_BATCH) await send();
  }
  if (batch.length > 0) await send();
  return failed;
}

/** The name of the history file a run writes its deliveries to: its receipt. */
export function receiptName(runId: string): string {
  return `run-${runId}`;
}

/**
 * Takes over what earlier runs left in the outbox. An entry whose run may still be delivering it
 * (no lock held here, its time not over) is left alone. Of the others, those their run's receipt
 * lists were delivered (the run ended before it could record so) and leave the outbox; the rest
 * are this run's to deliver. A receipt that cannot be read leaves its entries where they are: a
 * notice waits rather than being sent twice.
 */
export async function takeOverOutbox(
  entries: readonly OutboxEntry[],
  me: Deliverer,
  context: { archive: ReportArchive; holdsLock: boolean; now: string; log: Log },
): Promise<OutboxEntry[]> {
  const receipts = new Map<string, Promise<Set<string> | undefined>>();
  const receiptOf = (deliverer: Deliverer) => {
    let receipt = receipts.get(deliverer.runId);
    if (!receipt) {
      receipt = context.archive
        .incidentHistoryIds(deliverer.day, receiptName(deliverer.runId))
        .catch((error: unknown) => {
          context.log.warn('an earlier run’s receipt could not be read; its notices wait', {
            runId: deliverer.runId,
            error: messageOf(error),
          });
          return undefined;
        });
      receipts.set(deliverer.runId, receipt);
    }
    return receipt;
  };
  const kept: OutboxEntry[] = [];
  for (const entry of entries) {
    const { deliverer } = entry;
    const mayStillRun = !context.holdsLock && context.now < deliverer.until;
    if (deliverer.runId === me.runId || mayStillRun) {
      kept.push(entry);
      continue;
    }
    // Delivered already; only its history line is due, and this run writes it.
    if (entry.sent !== undefined) {
      kept.push({ ...entry, deliverer: me });
      continue;
    }
    const receipt = await receiptOf(deliverer);
    if (receipt === undefined) kept.push(entry);
    else if (!receipt.has(entry.notice.id)) kept.push({ ...entry, deliverer: me });
  }
  return kept;
}
