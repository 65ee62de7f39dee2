import { evaluateReport } from '../functions/core/evaluate.ts';
import { validateSessionReport } from '../functions/core/session-report.ts';
import { ThresholdBook } from '../functions/core/thresholds.ts';
import { SimulatedFleet } from '../functions/simulator/fleet.ts';
import { type BenchResult, fmt, median, timed } from './harness.ts';

const PAGE_SIZE = 500;
const ROUNDS = 9;

/**
 * Validation plus every rule, against `JSON.parse` of the same bytes. The scan pays both for
 * every report; the target is that judging a report costs no more than reading it.
 */
export async function validationVsParse(): Promise<BenchResult> {
  const fleet = new SimulatedFleet({ seed: 3, chargers: 60, invalidEvery: 0 });
  const now = Date.parse('2026-11-24T00:00:00.000Z');
  const pages: string[] = [];
  let items: unknown[] = [];
  let reports = 0;
  for (const chargerId of fleet.chargerIds()) {
    for (const connectorId of fleet.connectorIds()) {
      for (const session of fleet.sessionsBetween(
        chargerId,
        connectorId,
        now - 21 * 86_400_000,
        now,
        now,
      )) {
        items.push(session.report);
        reports++;
        if (items.length === PAGE_SIZE) {
          pages.push(JSON.stringify({ ChargerID: chargerId, ConnectorID: connectorId, items }));
          items = [];
        }
      }
    }
  }
  if (items.length > 0) pages.push(JSON.stringify({ items }));
  const bytes = pages.reduce((sum, page) => sum + Buffer.byteLength(page), 0);
  const thresholds = new ThresholdBook();
  const origin = { chargerId: 'HPC-001', connectorId: '1' };

  const parsed = pages.map((page) => (JSON.parse(page) as { items: unknown[] }).items);
  const parseMs: number[] = [];
  const judgeMs: number[] = [];
  let findings = 0;
  for (let round = 0; round < ROUNDS; round++) {
    parseMs.push(await timed(() => pages.map((page) => JSON.parse(page))));
    judgeMs.push(
      await timed(() => {
        findings = 0;
        for (const page of parsed) {
          for (const raw of page) {
            const validation = validateSessionReport(raw);
            if (validation.ok)
              findings += evaluateReport(validation.report, thresholds.for(origin), origin).findings
                .length;
          }
        }
      }),
    );
  }
  // The first rounds warm the JIT up; the median of the rest is what a long-running scan sees.
  const parse = median(parseMs.slice(2));
  const judge = median(judgeMs.slice(2));
  const ratio = judge / parse;
  return {
    title: 'Validation + all rules vs JSON.parse',
    method:
      `${fmt(reports)} simulated reports (${fmt(bytes / 1e6, 1)} MB in ${pages.length} API pages of ${PAGE_SIZE}, one in five with an injected fault). ` +
      `Median of ${ROUNDS - 2} rounds after 2 warm-up rounds; parse and judge alternate in each round.`,
    figures: [
      {
        label: 'JSON.parse',
        value: `${fmt(reports / (parse / 1000))} reports/s (${fmt(parse, 1)} ms)`,
      },
      {
        label: 'validation + rules',
        value: `${fmt(reports / (judge / 1000))} reports/s (${fmt(judge, 1)} ms, ${fmt(findings)} findings)`,
      },
      {
        label: 'cost ratio (validation + rules) / parse',
        value: fmt(ratio, 2),
        target: '≤ 1.00',
        pass: ratio <= 1,
      },
    ],
  };
}
