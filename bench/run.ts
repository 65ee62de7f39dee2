import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { backtestTime } from './backtest.ts';
import { coldStart } from './cold-start.ts';
import { costAndReach } from './cost-and-reach.ts';
import { fleetState } from './fleet-state.ts';
import { type BenchResult, fmt, verdict } from './harness.ts';
import { largePages } from './large-pages.ts';
import { memory } from './memory.ts';
import { reportCost } from './report-cost.ts';
import { scanThroughput } from './scan-throughput.ts';
import { validationVsParse } from './validation-vs-parse.ts';

/** Every benchmark by name, in the order they run. Each is a function that measures and reports. */
const BENCHMARKS: Record<string, () => Promise<BenchResult>> = {
  'scan-throughput': scanThroughput,
  'validation-vs-parse': validationVsParse,
  'cold-start': coldStart,
  memory,
  'large-pages': largePages,
  'cost-and-reach': costAndReach,
  backtest: backtestTime,
  'fleet-state': fleetState,
  'report-cost': reportCost,
};

const COMMAND = 'npm run bench';

/**
 * Runs the benchmarks, prints every figure with its target and PASS/MISS, and rewrites
 * BENCHMARKS.md with the results, the command, the machine and the date. Never fails:
 * a missed target is a finding to explain, not a broken build. `--only <name>[,<name>]`
 * runs some of them and prints their figures, leaving BENCHMARKS.md as it is: the file
 * always holds one whole run.
 */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const only = selected(process.argv.slice(2));
  const started = performance.now();
  const results: BenchResult[] = [];
  for (const [name, benchmark] of Object.entries(BENCHMARKS)) {
    if (only && !only.includes(name)) continue;
    const result = await benchmark();
    results.push(result);
    process.stdout.write(`\n${result.title}\n`);
    for (const f of result.figures) {
      process.stdout.write(
        `  ${f.label.padEnd(44)} ${f.value}${f.target ? `  target ${f.target} ${verdict(f.pass)}` : ''}\n`,
      );
    }
  }
  const minutes = (performance.now() - started) / 60_000;
  if (only) {
    process.stdout.write(
      `\n${only.join(', ')} took ${fmt(minutes, 1)} min. BENCHMARKS.md left as it was (--only).\n`,
    );
    return;
  }
  await writeFile('BENCHMARKS.md', markdown(results, minutes));
  process.stdout.write(
    `\nAll benchmarks took ${fmt(minutes, 1)} min. Results written to BENCHMARKS.md\n`,
  );
}

/** The names after `--only`, checked against the benchmarks; undefined runs them all. */
function selected(args: readonly string[]): string[] | undefined {
  const at = args.indexOf('--only');
  if (at === -1) return undefined;
  const names = (args[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !Object.hasOwn(BENCHMARKS, n));
  if (names.length === 0 || unknown.length > 0)
    throw new Error(
      `--only takes benchmark names: ${Object.keys(BENCHMARKS).join(', ')}${unknown.length ? ` (not: ${unknown.join(', ')})` : ''}`,
    );
  return names;
}

function markdown(results: readonly BenchResult[], minutes: number): string {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const lines = [
    '# Benchmarks',
    '',
    `Produced by \`${COMMAND}\` on ${new Date().toISOString().slice(0, 10)} in ${fmt(minutes, 1)} minutes; machine: ${machine}.`,
    '',
    'Each target is a ratio against a baseline measured in the same run, so it holds across machines; absolute times are',
    'for this machine only. This file is rewritten by every run, notes included: the notes live in `bench/` beside each',
    'measurement.',
  ];
  for (const r of results) {
    lines.push(
      '',
      `## ${r.title}`,
      '',
      r.method,
      '',
      '| figure | value | target | |',
      '| --- | --- | --- | --- |',
    );
    for (const f of r.figures)
      lines.push(`| ${f.label} | ${f.value} | ${f.target ?? ''} | ${verdict(f.pass)} |`);
    if (r.notes?.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  }
  return `${lines.join('\n')}\n`;
}

await main();
