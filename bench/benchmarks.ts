import type { BenchResult, SpreadBenchmark } from './harness.ts';

/**
 * Every benchmark by name, in the order they run. Each loads its module when it runs, in its
 * own process (bench/processes/benchmark.ts): the process that starts them loads none of the
 * code they measure.
 */
export const BENCHMARKS: Record<string, () => Promise<BenchResult>> = {
  'scan-throughput': async () => (await import('./scan-throughput.ts')).scanThroughput(),
  'rate-limit': async () => (await import('./rate-limit.ts')).rateLimit(),
  'cold-start': async () => (await import('./cold-start.ts')).coldStart(),
  memory: async () => (await import('./memory.ts')).memory(),
  'large-pages': async () => (await import('./large-pages.ts')).largePages(),
  'cost-and-reach': async () => (await import('./cost-and-reach.ts')).costAndReach(),
  backtest: async () => (await import('./backtest.ts')).backtestTime(),
  'fleet-state': async () => (await import('./fleet-state.ts')).fleetState(),
  'report-cost': async () => (await import('./report-cost.ts')).reportCost(),
  'fan-out': async () => (await import('./fan-out.ts')).fanOut(),
};

/**
 * Benchmarks whose processes run between the others, spread over the whole run
 * (bench/run.ts); they load none of the code they measure, whose processes they start.
 */
export const SPREAD_BENCHMARKS: Record<string, () => Promise<SpreadBenchmark<unknown>>> = {
  'validation-vs-parse': async () =>
    (await import('./validation-vs-parse.ts')).validationVsParse as SpreadBenchmark<unknown>,
};
