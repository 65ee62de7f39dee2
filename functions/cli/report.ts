import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { HeadlineKpi } from '../health-report/model/health-report-model.ts';
import { reportSourcesFrom } from '../health-report/report-sources.ts';
import { writeHealthReport } from '../health-report/write-report.ts';
import { reportPeriodFrom } from './day-flags.ts';
import { parseFlags } from './flags.ts';
import { loadConfigFile } from './load-config.ts';
import type { ProgressStream } from './progress-line.ts';
import { workVoice } from './work-progress.ts';

/** Where `depot-watch report` prints. */
export interface ReportOutput {
  write: (text: string) => void;
  writeError: (text: string) => void;
  /** When the report is made, ms since the epoch. Default: now. */
  now?: number;
  /** Where progress is drawn. Default: stderr. */
  progressStream?: ProgressStream;
}

/**
 * `depot-watch report`: writes the depot's health report for a period (default the last
 * complete week) as one HTML file, then prints its path and headline. Exit 0 when written, 1
 * when there is no state to read; usage errors throw a ConfigError (exit 2).
 */
export async function runReportCommand(args: string[], output: ReportOutput): Promise<number> {
  const values = flags(args);
  const now = output.now ?? Date.now();
  const period = reportPeriodFrom(values, now);
  const config = values.config ? await loadConfigFile(values.config) : undefined;
  // Without a config, the demo's folders: `npm start`, then `depot-watch report`.
  const baseDir = values.config ? dirname(resolve(values.config)) : process.cwd();
  const sources = reportSourcesFrom(
    {
      state: config?.state ?? '.depot-watch/state',
      archive: values.archive ?? config?.archive ?? '.depot-watch/archive',
    },
    { baseDir },
  );
  // A state folder that is not there is a wrong path or a depot never scanned, not a quiet week.
  if (!sources.stateLocation.startsWith('s3://') && !existsSync(sources.stateLocation)) {
    output.writeError(`depot-watch: no state at ${sources.stateLocation}; run a scan first\n`);
    return 1;
  }
  const voice = workVoice('report', values.quiet ? 'quiet' : 'normal', output.progressStream);
  let written: Awaited<ReturnType<typeof writeHealthReport>>;
  try {
    written = await writeHealthReport(
      sources,
      { period, depot: depotName(values.config), now },
      values.out ?? `depot-health-${period.from}-${period.to}.html`,
      (step) => voice.progress?.step(step),
    );
  } finally {
    voice.finish();
  }
  // Quiet: the file is the output; errors still say why it was not written.
  if (values.quiet) return 0;
  output.write(
    `Health report ${period.from} to ${period.to}: ${written.path}\n` +
      `  ${formatHeadline(written.headline)}\n`,
  );
  return 0;
}

/**
 * The headline on one line, each figure as the page writes it (one source of numbers, so the
 * terminal and the page never disagree).
 */
function formatHeadline(headline: readonly HeadlineKpi[]): string {
  return headline.map((kpi) => `${kpi.label} ${kpi.display} (${kpi.changeDisplay})`).join(' · ');
}

/** What the report calls the depot: the config file's name (`north-depot.json` → north-depot). */
function depotName(configPath: string | undefined): string {
  if (!configPath) return 'Demo depot';
  return basename(configPath, extname(configPath));
}

function flags(args: string[]) {
  return parseFlags(args, {
    config: { type: 'string' },
    archive: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  }).values;
}
