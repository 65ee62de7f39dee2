// One benchmark in a fresh process, so that none inherits the heap, the compiled code or the
// garbage-collector state the ones before it left behind: run in one process, a figure moved
// with what ran before it (the backtest read 23 s after the others in one whole run, 32 s in
// the next). Options as JSON in argv ({ name }); prints the result as its last JSON line.
import { BENCHMARKS } from '../benchmarks.ts';

const { name } = JSON.parse(process.argv[2] ?? '{}') as { name: string };
const benchmark = BENCHMARKS[name];
if (!benchmark) throw new Error(`no benchmark named ${name}`);
const result = await benchmark();
process.stdout.write(`\n${JSON.stringify(result)}\n`);
