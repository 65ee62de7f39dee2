import { connectorOrder, type DailyConnectorKpi } from '../core/fleet/daily-kpis.ts';
import { originOf } from '../core/fleet/tabulation.ts';
import { SpilledTexts } from './spilled-texts.ts';
import { connectorKey } from './state-document.ts';

/**
 * One day's KPI rows as a run holds them: each connector's row as JSON text in a temp file,
 * parsed only while sessions are added to it, so a large depot's rows are never all in memory.
 * Written as the document's array of the day, in connector order.
 */
export class DayRows {
  readonly #texts = new SpilledTexts();

  /** Rows of a day as a list (a partition, a document of the per-connector layout). */
  static of(rows: Iterable<DailyConnectorKpi>): DayRows {
    const day = new DayRows();
    for (const row of rows) day.set(connectorKey(row), row);
    return day;
  }

  get size(): number {
    return this.#texts.size;
  }

  get(key: string): DailyConnectorKpi | undefined {
    const text = this.#texts.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as DailyConnectorKpi);
  }

  set(key: string, row: DailyConnectorKpi): void {
    this.#texts.set(key, JSON.stringify(row));
  }

  /** Keeps a row's text as read, unparsed. */
  setText(key: string, text: string): void {
    this.#texts.set(key, text);
  }

  /** Each row's text, in connector order. */
  *texts(): Generator<string> {
    const keys = [...this.#texts.keys()].map((key) => ({ key, ...originOf(key) }));
    keys.sort(connectorOrder);
    for (const { key } of keys) yield this.#texts.get(key) as string;
  }

  /** Each row, parsed one at a time, in the order first set. */
  *[Symbol.iterator](): Generator<DailyConnectorKpi> {
    for (const [, text] of this.#texts.entries()) yield JSON.parse(text) as DailyConnectorKpi;
  }

  /** Every row, parsed one at a time, in connector order: a day's partition. */
  *inOrder(): Generator<DailyConnectorKpi> {
    for (const text of this.texts()) yield JSON.parse(text) as DailyConnectorKpi;
  }

  /** `inOrder`, whole. */
  rows(): DailyConnectorKpi[] {
    return [...this.inOrder()];
  }

  close(): void {
    this.#texts.close();
  }
}
