import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { BENCHMARKS, SPREAD_BENCHMARKS } from './benchmarks.ts';
import { runChild } from './children.ts';
import { type BenchResult, type Figure, fmt, verdict } from './harness.ts';

/** Flags of each benchmark's process: report-cost collects garbage before it samples memory. */
const BENCHMARK_NODE_FLAGS = ['--expose-gc'];

const COMMAND = 'npm run bench';
/** Every figure's ratio of the last whole run, by benchmark and label; committed with BENCHMARKS.md. */
const LAST_RUN = 'bench/last-run.json';
/** Two runs agree on a ratio when they differ by at most this share of the previous value. */
const AGREEMENT = 0.1;

type Ratios = Record<string, Record<string, number>>;
interface LastRun {
  date: string;
  ratios: Ratios;
}

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
  const previous = await lastRun();
  const started = performance.now();
  const results: Named[] = [];
  const report = (name: string, result: BenchResult) => {
    results.push({ ...result, name });
    process.stdout.write(`\n${result.title}\n`);
    for (const f of result.figures) {
      const before = comparison(f, previous?.ratios[name]?.[f.label]);
      process.stdout.write(
        `  ${f.label.padEnd(44)} ${f.value}${f.target ? `  target ${f.target} ${verdict(f.pass)}` : ''}${before ? `  (previous run ${before})` : ''}\n`,
      );
    }
  };
  const chosen = (name: string) => !only || only.includes(name);
  const benchmarks = Object.keys(BENCHMARKS).filter(chosen);
  const spread = await Promise.all(
    Object.entries(SPREAD_BENCHMARKS)
      .filter(([name]) => chosen(name))
      .map(async ([name, load]) => ({ name, benchmark: await load(), samples: [] as unknown[] })),
  );
  // Gap g comes before benchmark g (the last gap after them all); each spread benchmark takes
  // its next samples while they fall on this gap, so that they lie evenly from first to last.
  for (let gap = 0; gap <= benchmarks.length; gap++) {
    for (const { benchmark, samples } of spread) {
      while (
        samples.length < benchmark.sampleCount &&
        gapOf(samples.length, benchmark.sampleCount, benchmarks.length) === gap
      )
        samples.push(await benchmark.sample());
    }
    const name = benchmarks[gap];
    // Each in a fresh process: see bench/processes/benchmark.ts.
    if (name)
      report(name, await runChild<BenchResult>('benchmark', { name }, BENCHMARK_NODE_FLAGS));
  }
  for (const s of spread) report(s.name, s.benchmark.result(s.samples, benchmarks.length > 0));
  const minutes = (performance.now() - started) / 60_000;
  if (only) {
    process.stdout.write(
      `\n${only.join(', ')} took ${fmt(minutes, 1)} min. BENCHMARKS.md left as it was (--only).\n`,
    );
    return;
  }
  const full = markdown(results, minutes, previous);
  await writeFile(DETAILS, full);
  await writeFile('BENCHMARKS.md', summary(results, full));
  await writeFile(LAST_RUN, `${JSON.stringify(lastRunOf(results), null, 2)}\n`);
  process.stdout.write(
    `\nAll benchmarks took ${fmt(minutes, 1)} min. Results written to BENCHMARKS.md\n`,
  );
}

/** The gap (0 before the first of `gaps` benchmarks, `gaps` after the last) of a sample. */
function gapOf(sample: number, samples: number, gaps: number): number {
  return samples === 1 ? 0 : Math.round((sample * gaps) / (samples - 1));
}

/** The names after `--only`, checked against the benchmarks; undefined runs them all. */
function selected(args: readonly string[]): string[] | undefined {
  const at = args.indexOf('--only');
  if (at === -1) return undefined;
  const names = (args[at + 1] ?? '').split(',').filter(Boolean);
  const known = [...Object.keys(BENCHMARKS), ...Object.keys(SPREAD_BENCHMARKS)];
  const unknown = names.filter((n) => !known.includes(n));
  if (names.length === 0 || unknown.length > 0)
    throw new Error(
      `--only takes benchmark names: ${known.join(', ')}${unknown.length ? ` (not: ${unknown.join(', ')})` : ''}`,
    );
  return names;
}

type Named = BenchResult & { name: string };

/** The previous whole run's ratios, or undefined before the first. */
async function lastRun(): Promise<LastRun | undefined> {
  try {
    return JSON.parse(await readFile(LAST_RUN, 'utf8')) as LastRun;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function lastRunOf(results: readonly Named[]): LastRun {
  const ratios: Ratios = {};
  for (const r of results) {
    const figures = r.figures.filter((f) => f.ratio !== undefined && Number.isFinite(f.ratio));
    if (figures.length > 0)
      ratios[r.name] = Object.fromEntries(figures.map((f) => [f.label, f.ratio as number]));
  }
  return { date: new Date().toISOString().slice(0, 10), ratios };
}

/** Whether a figure's ratio agrees with the previous run's, or undefined when one is missing. */
function agrees(figure: Figure, before: number | undefined): boolean | undefined {
  if (figure.ratio === undefined || before === undefined) return undefined;
  if (!Number.isFinite(figure.ratio) || !Number.isFinite(before)) return false;
  return Math.abs(figure.ratio - before) <= AGREEMENT * Math.abs(before);
}

/** The previous run's ratio and how far this one is from it, e.g. `1.15, agrees (+3 %)`. */
function comparison(figure: Figure, before: number | undefined): string {
  const agreement = agrees(figure, before);
  if (agreement === undefined || before === undefined) return '';
  const change = before === 0 ? 0 : ((figure.ratio as number) - before) / Math.abs(before);
  return `${fmt(before, 2)}, ${agreement ? 'agrees' : 'differs'} (${change >= 0 ? '+' : ''}${fmt(change * 100)} %)`;
}

/**
 * How many of this run's ratios agree with the previous run's, those with a target counted
 * apart, and which differ: every ratio is compared, judged or not.
 */
function agreement(results: readonly Named[], previous: LastRun): string {
  const compared = results.flatMap((r) =>
    r.figures
      .filter((f) => f.ratio !== undefined)
      .map((f) => ({ r, f, agrees: agrees(f, previous.ratios[r.name]?.[f.label]) })),
  );
  const known = compared.filter((c) => c.agrees !== undefined);
  const agreeing = known.filter((c) => c.agrees);
  const targeted = known.filter((c) => c.f.target !== undefined);
  const differing = known.filter((c) => !c.agrees).map((c) => `${c.r.title}: ${c.f.label}`);
  const missing = compared.length - known.length;
  return (
    `Against the previous run (${previous.date}, \`${LAST_RUN}\`): ${agreeing.length} of ${known.length} ratios agree within ` +
    `${fmt(AGREEMENT * 100)} % (${targeted.filter((c) => c.agrees).length} of ${targeted.length} with a target)` +
    `${missing > 0 ? `; ${missing} more have no ratio in the previous run` : ''}` +
    `${differing.length > 0 ? `. Differing: ${differing.join('; ')}` : ''}.`
  );
}

/** Where each benchmark's method, comparison with the run before and notes are written. */
const DETAILS = 'docs/benchmarks.md';
/** Longest value a summary table shows; the whole value is in DETAILS. */
const SUMMARY_VALUE = 80;

/**
 * BENCHMARKS.md, read in two minutes: per benchmark, the figures that have a target with their
 * verdicts, and its note (what it measures, the baseline, what would close a MISS). Every other
 * figure, the methods and the previous run stay in DETAILS.
 */
function summary(results: readonly Named[], full: string): string {
  const lines = [
    '# Benchmarks',
    '',
    full.split('\n')[2] ?? '',
    '',
    `Each target is a ratio against a baseline measured in the same run. Every figure, the methods and the run before: [${DETAILS}](${DETAILS}).`,
  ];
  for (const r of results) {
    lines.push('', `## ${r.title}`, '');
    const judged = r.figures.filter((f) => f.target !== undefined);
    if (judged.length === 0) lines.push(`No target: its figures are in [${DETAILS}](${DETAILS}).`);
    else lines.push('| figure | value | target | |', '| --- | --- | --- | --- |');
    for (const f of judged)
      lines.push(`| ${f.label} | ${cut(f.value)} | ${f.target} | ${verdict(f.pass)} |`);
    if (r.notes?.length) lines.push('', r.notes.join(' '));
  }
  return `${lines.join('\n')}\n`;
}

function cut(value: string): string {
  if (value.length <= SUMMARY_VALUE) return value;
  return `${value.slice(0, SUMMARY_VALUE).replace(/\s+\S*$/, '')} …`;
}

function markdown(results: readonly Named[], minutes: number, previous?: LastRun): string {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const lines = [
    '# Benchmarks in detail',
    '',
    `Produced by \`${COMMAND}\` on ${new Date().toISOString().slice(0, 10)} in ${fmt(minutes, 1)} minutes; machine: ${machine}.`,
    '',
    'Each target is a ratio against a baseline measured in the same run, so it holds across machines; absolute times are',
    'for this machine only. Each benchmark runs in a fresh process, one after the other, so that none inherits what the',
    'ones before it left in memory; the per-report benchmark, last here, takes its processes between the others, spread',
    'over the whole run. This file is rewritten by every run, notes included: the notes live in `bench/` beside each',
    'measurement.',
  ];
  lines.push(
    '',
    previous
      ? agreement(results, previous)
      : `No previous run to compare with (\`${LAST_RUN}\` is written by every whole run).`,
  );
  for (const r of results) {
    lines.push(
      '',
      `## ${r.title}`,
      '',
      r.method,
      '',
      '| figure | value | target | | previous run |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const f of r.figures) {
      const before = comparison(f, previous?.ratios[r.name]?.[f.label]);
      lines.push(
        `| ${f.label} | ${f.value} | ${f.target ?? ''} | ${verdict(f.pass)} | ${before} |`,
      );
    }
    if (r.notes?.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  }
  return `${lines.join('\n')}\n`;
}

await main();
