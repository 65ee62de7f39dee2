import type { ConnectorSessions, FleetSession } from '../core/fleet/attribution.ts';
import { originOf } from '../core/fleet/tabulation.ts';
import type { JudgedSession } from '../core/incidents/incident.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { SpilledTexts } from './spilled-texts.ts';
import { connectorKey } from './state-document.ts';

/**
 * The sessions a run read, for its fleet step: each connector's kept as JSON text in a temp
 * file as soon as the connector is scanned, and read back one connector at a time on each
 * pass, so that no step holds every session of the run. Each connector comes once, in the
 * order it was first added.
 */
export class RunSessions implements Iterable<ConnectorSessions> {
  readonly #texts = new SpilledTexts();

  /** Keeps a connector's sessions, after those it already has. */
  add(origin: ReportOrigin, sessions: readonly JudgedSession[]): void {
    if (sessions.length === 0) return;
    const key = connectorKey(origin);
    const earlier = this.#texts.get(key);
    const all = earlier === undefined ? sessions : [...JSON.parse(earlier), ...sessions];
    this.#texts.set(key, JSON.stringify(all));
  }

  /**
   * Adds a shard's sessions as its part keeps them: connector by connector, or (as parts
   * written before) one session at a time.
   */
  addPart(sessions: readonly (ConnectorSessions | FleetSession)[]): void {
    for (const entry of sessions)
      if ('session' in entry) this.add(entry.origin, [entry.session]);
      else this.add(entry.origin, entry.sessions);
  }

  *[Symbol.iterator](): Iterator<ConnectorSessions> {
    for (const [key, text] of this.#texts.entries())
      yield { origin: originOf(key), sessions: JSON.parse(text) as JudgedSession[] };
  }

  close(): void {
    this.#texts.close();
  }
}
