// The incident engine over a generated history in a fresh process (run with --expose-gc):
// how large the records it leaves are, and how much heap they hold. Options as JSON in argv.
import {
  type BacktestResult,
  backtest,
  type HistoricSession,
} from '../../functions/core/backtest/backtest.ts';
import { IncidentSettingsBook } from '../../functions/core/incidents/settings.ts';
import { judgeSession } from '../../functions/core/judge-session.ts';
import { validateSessionReport } from '../../functions/core/session-report.ts';
import { ThresholdBook } from '../../functions/core/thresholds.ts';
import { SimulatedFleet } from '../../functions/simulator/fleet.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  chargers: number;
  days: number;
  /** The end of the history, ISO; the same for every length, so each ends on the same sessions. */
  endIso: string;
};
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heapUsed = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

type Final = BacktestResult['final'];

const end = Date.parse(options.endIso);
const fleet = new SimulatedFleet({ chargers: options.chargers, anomalyEvery: 5 });
const thresholds = new ThresholdBook();
const incidents = new IncidentSettingsBook();
let history: HistoricSession[] = [];
let runs = 0;
let notices = 0;
for (const chargerId of fleet.chargerIds())
  for (const connectorId of fleet.connectorIds()) {
    const origin = { chargerId, connectorId };
    for (const { report } of fleet.sessionsBetween(
      chargerId,
      connectorId,
      end - options.days * 86_400_000,
      end,
      end,
    )) {
      const validation = validateSessionReport(report);
      if (!validation.ok) continue;
      const judged = judgeSession(
        validation.report,
        validation.sessionDate,
        thresholds.for(origin),
        origin,
      );
      history.push({ origin, session: judged.session });
    }
  }
const sessions = history.length;
const heapWithHistory = heapUsed();
let final = runEngine(history);
history = [];
const figures = { days: options.days, sessions, heapWithHistory, ...sizesOf(final) };
// What the records alone hold, as the next run would find them: the heap with them (history
// and notices dropped), less the heap once they are dropped too.
const heapWithRecords = heapUsed();
final = undefined;
const heapWithout = heapUsed();
process.stdout.write(
  `${JSON.stringify({
    ...figures,
    gcExposed: (globalThis as { gc?: unknown }).gc !== undefined,
    recordsHeapBytes: heapWithRecords - heapWithout,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);

/** The backtest over the history; only the records it leaves are kept. */
function runEngine(sessions: readonly HistoricSession[]): Final | undefined {
  const result = backtest(sessions, {
    everyMinutes: 15,
    settingsFor: (origin) => incidents.for(origin),
    site: incidents.site(),
  });
  runs = result.runs;
  notices = result.notices.length;
  return result.final;
}

/** The bytes of the records as the state store keeps them (JSON). */
function sizesOf(records: Final | undefined) {
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));
  const connectors = records?.connectors ?? [];
  const first = connectors.find((c) => c.chargerId === 'HPC-001' && c.connectorId === '1');
  return {
    runs,
    notices,
    attributionBytes: bytes(records?.attribution),
    marks:
      (records?.attribution?.failures.length ?? 0) +
      Object.values(records?.attribution?.seen ?? {}).reduce((n, s) => n + s.length, 0),
    subjects: Object.keys(records?.attribution?.subjects ?? {}).length,
    connectorBytes: bytes(first),
    connectorDriftBytes: bytes(first?.drift),
    largestConnectorBytes: Math.max(...connectors.map(bytes)),
    allConnectorsBytes: connectors.reduce((n, c) => n + bytes(c), 0),
  };
}
