import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { type BenchResult, fmt, verdict } from './harness.ts';
import { validationVsParse } from './validation-vs-parse.ts';

/** Every benchmark, in the order they run. Each is a function that measures and reports. */
const BENCHMARKS: (() => Promise<BenchResult>)[] = [validationVsParse];

const COMMAND = 'npm run bench';

/**
 * Runs the benchmarks, prints every figure with its target and PASS/MISS, and rewrites
 * BENCHMARKS.md with the results, the command, the machine and the date. Never fails:
 * a missed target is a finding to explain, not a broken build.
 */
async function main(): Promise<void> {
  const results: BenchResult[] = [];
  for (const benchmark of BENCHMARKS) {
    const result = await benchmark();
    results.push(result);
    process.stdout.write(`\n${result.title}\n`);
    for (const f of result.figures) {
      process.stdout.write(
        `  ${f.label.padEnd(44)} ${f.value}${f.target ? `  target ${f.target} ${verdict(f.pass)}` : ''}\n`,
      );
    }
  }
  await writeFile('BENCHMARKS.md', markdown(results));
  process.stdout.write('\nResults written to BENCHMARKS.md\n');
}

function markdown(results: readonly BenchResult[]): string {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const lines = [
    '# Benchmarks',
    '',
    `Produced by \`${COMMAND}\` on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.`,
    'Every figure is a ratio against a baseline measured in the same run, so the numbers compare across machines.',
    'This file is rewritten by each run; explanations of missed targets live in `bench/` beside the measurement.',
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
