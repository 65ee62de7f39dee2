import { type KpiSession, kpiSessionsByDay } from '../core/fleet/daily-kpis.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { messageOf } from './error-message.ts';
import type { Log, ScanState } from './ports.ts';
import type { ReadSession } from './scan-connector.ts';

/** Sessions gathered before they are rolled into the day's rows: one pass over the rows each. */
const BATCH_SESSIONS = 2_000;

/**
 * Rolls a run's sessions into the daily KPI rows of its state as its connectors finish, a
 * batch at a time, so that no run holds every session until its end. Batches are rolled up one
 * after another: each reads and replaces the rows the one before left.
 */
export class KpiFold {
  #pending: KpiSession[] = [];
  #rolled: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: ScanState,
    private readonly log: Log,
  ) {}

  /** A connector's sessions, once it is done. */
  add(origin: ReportOrigin, sessions: readonly ReadSession[]): void {
    for (const { session, severities } of sessions) {
      if (!session.facts) continue;
      const findings = severities.map((severity) => ({ severity }));
      this.#pending.push({ key: session.key, origin, facts: session.facts, findings });
    }
    if (this.#pending.length >= BATCH_SESSIONS) this.#roll();
  }

  /** Rolls up what is left and waits for every batch. */
  async finish(): Promise<void> {
    this.#roll();
    await this.#rolled;
  }

  #roll(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    // rollUpKpis logs a day it cannot update and goes on: the chain never rejects.
    this.#rolled = this.#rolled.then(() => rollUpKpis(this.state, this.log, batch));
  }
}

/**
 * Adds sessions to the daily KPI rollups of the run's state, one change per day touched;
 * sessions already counted are skipped, so re-reads change nothing and write nothing.
 */
async function rollUpKpis(
  state: ScanState,
  log: Log,
  sessions: readonly KpiSession[],
): Promise<void> {
  for (const [day, daySessions] of kpiSessionsByDay(sessions)) {
    try {
      await state.addKpiSessions(day, daySessions);
    } catch (error) {
      log.error('daily KPIs not updated', { day, error: messageOf(error) });
    }
  }
}
