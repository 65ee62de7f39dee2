// `depot-watch backtest` over a folder of API page files in a fresh process, as a person runs
// it: the whole command, then reading and judging alone, then the incident engine alone.
// Options as JSON in argv; prints one JSON line of timings.
import { runBacktest } from '../../functions/cli/backtest.ts';
import { judgedHistory } from '../../functions/cli/history.ts';
import { backtest } from '../../functions/core/incidents/backtest.ts';
import { IncidentSettingsBook } from '../../functions/core/incidents/settings.ts';
import { ThresholdBook } from '../../functions/core/thresholds.ts';

const { dir } = JSON.parse(process.argv[2] ?? '{}') as { dir: string };
const thresholds = new ThresholdBook();
const incidents = new IncidentSettingsBook();

const since = (start: number) => performance.now() - start;
let notices = 0;
const cpuBefore = process.cpuUsage();
let start = performance.now();
await runBacktest({
  paths: [dir],
  thresholds,
  incidents,
  everyMinutes: 15,
  json: true,
  write: () => {
    notices++;
  },
  writeError: () => undefined,
});
const wholeMs = since(start);
const cpu = process.cpuUsage(cpuBefore);

start = performance.now();
const history = await judgedHistory([dir], thresholds, () => undefined);
const judgingMs = since(start);
start = performance.now();
backtest(history.sessions, {
  everyMinutes: 15,
  settingsFor: (origin) => incidents.for(origin),
  site: incidents.site(),
});
const engineMs = since(start);

process.stdout.write(
  `${JSON.stringify({ wholeMs, cpuMs: (cpu.user + cpu.system) / 1000, judgingMs, engineMs, notices })}\n`,
);
