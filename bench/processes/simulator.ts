// A simulated DepotFinity API in its own process, for benchmarks. Options come as JSON in argv.
import { DepotSimulator, type SimulatorOptions } from '../../functions/simulator/server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions & { nowIso?: string };
const now = options.nowIso ? Date.parse(options.nowIso) : undefined;
const simulator = await new DepotSimulator({
  ...options,
  ...(now ? { now: () => now } : {}),
}).start();
process.stdout.write(`${JSON.stringify({ url: simulator.url, tokenUrl: simulator.tokenUrl })}\n`);
process.once('SIGTERM', () => simulator.stop().then(() => process.exit(0)));
