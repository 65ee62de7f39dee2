// One part of `depot-watch backtest` over a folder of API page files, in a fresh process as a
// person runs it: the whole command, or reading and judging the reports alone (the baseline).
// Options as JSON in argv; prints one JSON line of timings.
import { runBacktest } from '../../functions/cli/backtest.ts';
import { judgedHistory } from '../../functions/cli/history.ts';
import { backtest } from '../../functions/core/backtest/backtest.ts';
import {
  lateCritical,
  timeToTell,
  timeToTellTable,
} from '../../functions/core/backtest/time-to-tell.ts';
import { IncidentSettingsBook } from '../../functions/core/incidents/settings.ts';
import { ThresholdBook } from '../../functions/core/thresholds.ts';

const { dir, part } = JSON.parse(process.argv[2] ?? '{}') as {
  dir: string;
  part: 'whole' | 'judging' | 'telling';
};
const thresholds = new ThresholdBook();

if (part === 'telling') {
  // Not timed: how soon the backtest's notices told each finding, per rule and severity.
  const history = await judgedHistory([dir], thresholds, () => undefined);
  const incidents = new IncidentSettingsBook();
  const result = backtest(history.sessions, {
    everyMinutes: 15,
    settingsFor: (origin) => incidents.for(origin),
    site: incidents.site(),
  });
  const tellings = timeToTell(history.sessions, result.notices);
  process.stdout.write(
    `${JSON.stringify({ rows: timeToTellTable(tellings), late: lateCritical(tellings, 15).length })}\n`,
  );
  process.exit(0);
}

let notices = 0;
const cpuBefore = process.cpuUsage();
const start = performance.now();
if (part === 'whole')
  await runBacktest({
    paths: [dir],
    thresholds,
    incidents: new IncidentSettingsBook(),
    everyMinutes: 15,
    json: true,
    write: () => {
      notices++;
    },
    writeError: () => undefined,
  });
else await judgedHistory([dir], thresholds, () => undefined);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);

process.stdout.write(`${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, notices })}\n`);
