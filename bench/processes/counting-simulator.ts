// A simulated DepotFinity API in its own process whose counts the benchmark can read:
// `GET <statsUrl>` answers the simulator's stats (requests by endpoint, reports served) as
// JSON, so that a benchmark can check a scan read exactly what was served. Options as JSON in argv.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DepotSimulator, type SimulatorOptions } from '../../functions/simulator/server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions & { nowIso: string };
const now = Date.parse(options.nowIso);
const simulator = await new DepotSimulator({ ...options, now: () => now }).start();
const control = createServer((req, res) => {
  if (req.method !== 'GET') {
    res.writeHead(405).end('GET the stats');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(simulator.stats));
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const { port } = control.address() as AddressInfo;
process.stdout.write(
  `${JSON.stringify({ url: simulator.url, tokenUrl: simulator.tokenUrl, statsUrl: `http://127.0.0.1:${port}/stats` })}\n`,
);
process.once('SIGTERM', () => {
  control.close();
  simulator.stop().then(() => process.exit(0));
});
