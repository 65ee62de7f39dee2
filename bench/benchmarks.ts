import { backtestTime } from './backtest.ts';
import { coldStart } from './cold-start.ts';
import { costAndReach } from './cost-and-reach.ts';
import { fanOut } from './fan-out.ts';
import { fleetState } from './fleet-state.ts';
import type { BenchResult } from './harness.ts';
import { largePages } from './large-pages.ts';
import { memory } from './memory.ts';
import { rateLimit } from './rate-limit.ts';
import { reportCost } from './report-cost.ts';
import { scanThroughput } from './scan-throughput.ts';
import { validationVsParse } from './validation-vs-parse.ts';

/** Every benchmark by name, in the order they run. Each is a function that measures and reports. */
export const BENCHMARKS: Record<string, () => Promise<BenchResult>> = {
  'scan-throughput': scanThroughput,
  'rate-limit': rateLimit,
  'validation-vs-parse': validationVsParse,
  'cold-start': coldStart,
  memory,
  'large-pages': largePages,
  'cost-and-reach': costAndReach,
  backtest: backtestTime,
  'fleet-state': fleetState,
  'report-cost': reportCost,
  'fan-out': fanOut,
};
