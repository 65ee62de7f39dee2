// A simulated DepotFinity API in its own process whose clock the benchmark sets: `PUT <clockUrl>`
// with an ISO time in the body, answered once the clock has moved. Options come as JSON in argv.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DepotSimulator, type SimulatorOptions } from '../../functions/simulator/server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions & { nowIso: string };
let clock = Date.parse(options.nowIso);
const simulator = await new DepotSimulator({ ...options, now: () => clock }).start();
const control = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    body += chunk.toString('utf8');
  });
  req.on('end', () => {
    const at = Date.parse(body.trim());
    if (req.method !== 'PUT' || Number.isNaN(at)) {
      res.writeHead(400).end('PUT an ISO time');
      return;
    }
    clock = at;
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const { port } = control.address() as AddressInfo;
process.stdout.write(
  `${JSON.stringify({ url: simulator.url, tokenUrl: simulator.tokenUrl, clockUrl: `http://127.0.0.1:${port}/clock` })}\n`,
);
process.once('SIGTERM', () => {
  control.close();
  simulator.stop().then(() => process.exit(0));
});
