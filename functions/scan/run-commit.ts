import type { IncidentNotification } from '../core/incidents/incident.ts';
import { messageOf } from './error-message.ts';
import { deliverInBatches, receiptName, takeOverOutbox } from './outbox.ts';
import type { AlertSink, Log, ReportArchive, StateStore } from './ports.ts';
import { RunState } from './run-state.ts';
import { connectorKey, type Deliverer } from './state-document.ts';

/** A run as its steps know it: its id and the end of its windows. */
export interface RunStart {
  runId: string;
  /** The run's start, ISO: every connector's window ends here. */
  startedAt: string;
}

/** How long a run that sets no deadline may be taken to be still delivering (15 min: Lambda's limit). */
const DELIVERY_LEASE_MS = 15 * 60_000;

/** The adapters the start and end of a run use. */
export interface RunEndAdapters {
  state: StateStore;
  archive: ReportArchive;
  alerts: AlertSink;
  log: Log;
  now?: () => number;
}

/**
 * Reads the depot's state for a run and takes over what earlier runs left undelivered in the
 * outbox (see `takeOverOutbox`). `holdsLock` says no other run can be working on this state.
 * `deadline`: when this run will be over, at the latest (epoch ms).
 */
export async function openRunState(
  adapters: Pick<RunEndAdapters, 'state' | 'archive' | 'log' | 'now'>,
  run: RunStart,
  fleet: readonly { chargerId: string; connectors: readonly string[] }[],
  options: { holdsLock: boolean; deadline?: number },
): Promise<RunState> {
  const now = adapters.now ?? Date.now;
  const started = Date.parse(run.startedAt);
  const deliverer: Deliverer = {
    runId: run.runId,
    day: run.startedAt.slice(0, 10),
    until: new Date(
      Math.max(options.deadline ?? started + DELIVERY_LEASE_MS, started),
    ).toISOString(),
  };
  const state = await RunState.open(adapters.state, deliverer, fleet);
  try {
    const earlier = state.outboxEntries();
    if (earlier.length > 0)
      state.replaceOutbox(
        await takeOverOutbox(earlier, deliverer, {
          archive: adapters.archive,
          holdsLock: options.holdsLock,
          now: new Date(now()).toISOString(),
          log: adapters.log,
        }),
      );
    return state;
  } catch (error) {
    state.close();
    throw error;
  }
}

/** What the end of a run did: how many notices it delivered, and what kept it from finishing. */
export interface RunEnd {
  /** How many notices this run delivered (earlier runs' aside). */
  delivered: number;
  /** Of those, how many for each connector, by its state key. */
  sent: Map<string, number>;
  /** The run's state was not committed: nothing it decided was sent. */
  stateError?: string;
  /** Notices not delivered; they stay in the outbox for the next run. */
  deliveryError?: string;
}

/**
 * Ends a run in the order that loses nothing: commit the state with its outbox (the reports are
 * archived already), deliver the outbox, write the receipt (the incident history), then take the
 * delivered notices out of the outbox. A crash before the commit redoes the run from the state
 * before it; after it, the next run delivers the outbox, less what this run's receipt lists.
 * Only a notice delivered in the instant between its delivery and its receipt can be sent
 * again, with the same id.
 */
export async function commitRun(
  state: RunState,
  adapters: Pick<RunEndAdapters, 'archive' | 'alerts' | 'log' | 'now'>,
  run: RunStart,
): Promise<RunEnd> {
  const now = () => new Date((adapters.now ?? Date.now)()).toISOString();
  const { log } = adapters;
  try {
    if ((await state.commit(now())) === 'lost') {
      const stateError =
        'another run committed this depot’s state first; this run sent nothing, and the next run reads on from that run’s state';
      log.error('state not committed: another run committed first', { runId: run.runId });
      return { delivered: 0, sent: new Map(), stateError };
    }
  } catch (error) {
    log.error('state not committed; nothing was sent', {
      runId: run.runId,
      error: messageOf(error),
    });
    return {
      delivered: 0,
      sent: new Map(),
      stateError: `state not committed (${messageOf(error)}); nothing was sent, and the next run does this run’s work again`,
    };
  }
  // Read from the outbox a batch at a time; of each notice told only its id is kept, and of
  // those sent now the count for their connector.
  const ids = new Set<string>();
  const end: RunEnd = { delivered: 0, sent: new Map() };
  const failed = await deliverInBatches(
    state.dueForThisRun(),
    adapters.alerts,
    (notice, before) => {
      // Sent before (by an earlier run whose receipt could not be written): recorded now.
      ids.add(notice.id);
      if (before) return;
      end.delivered++;
      const connector = connectorKey(notice);
      end.sent.set(connector, (end.sent.get(connector) ?? 0) + 1);
    },
  );
  if (ids.size > 0) {
    // Read again from the outbox, which holds them until the state is settled below.
    const told = function* () {
      for (const { notice } of state.dueForThisRun()) if (ids.has(notice.id)) yield notice;
    };
    const recorded = await recordHistory(adapters, run, told, ids.size);
    // Unrecorded, they stay in the outbox marked sent: never sent again, recorded next run.
    let why: string | undefined;
    const settled = await state
      .settle(recorded ? ids : new Set(), recorded ? new Set() : ids, now())
      .catch((error: unknown) => {
        why = messageOf(error);
        return false;
      });
    if (!settled)
      log.warn(
        recorded
          ? 'delivered notices stay listed in the state; their receipt keeps them from repeating'
          : 'delivered notices were neither recorded nor marked sent; the next run sends them again',
        { runId: run.runId, ...(why !== undefined ? { error: why } : {}) },
      );
  }
  if (failed.length === 0) return end;
  log.error('notices not delivered; they stay in the outbox for the next run', {
    runId: run.runId,
    notices: failed.length,
    error: failed[0]?.error,
  });
  return {
    ...end,
    deliveryError: `${failed.length} notice(s) not delivered, kept for the next run: ${failed[0]?.error ?? 'unknown error'}`,
  };
}

/**
 * Appends the notices a run delivered to the incident history in the archive: the run's
 * receipt, which the next run reads before sending what this run's state still lists as due.
 * Returns false, logged, when it could not be written.
 */
async function recordHistory(
  adapters: Pick<RunEndAdapters, 'archive' | 'log'>,
  { runId, startedAt }: RunStart,
  delivered: () => Iterable<IncidentNotification>,
  count: number,
): Promise<boolean> {
  // A line at a time: a first run of a large depot delivers thousands of notices.
  const lines = function* () {
    for (const notice of delivered()) yield `${JSON.stringify({ runId, ...notice })}\n`;
  };
  try {
    await adapters.archive.putIncidentHistory(startedAt.slice(0, 10), receiptName(runId), lines);
    return true;
  } catch (error) {
    adapters.log.error('incident history not written', {
      runId,
      notices: count,
      error: messageOf(error),
    });
    return false;
  }
}
