import { DepotSimulator } from '../simulator/server.ts';

/** Options of `depot-watch simulate`. */
export interface SimulateOptions {
  port: number;
  seed: number;
  chargers: number;
  write: (text: string) => void;
}

/** Serves the simulated DepotFinity API until interrupted, for trying the scanner by hand. */
export async function runSimulate(options: SimulateOptions): Promise<number> {
  const simulator = await new DepotSimulator({
    fleet: { seed: options.seed, chargers: options.chargers, invalidEvery: 13 },
  }).start(options.port);
  const { fleet } = simulator;
  options.write(
    [
      `Simulated DepotFinity API at ${simulator.url} (seed ${fleet.options.seed})`,
      `  token endpoint   POST ${simulator.tokenUrl}  (client id demo-client, secret demo-secret)`,
      `  session reports  GET  ${simulator.url}/v1/sessionReports?chargerId=${fleet.chargerIds()[0]}&connectorId=1&limit=10`,
      `  chargers         ${fleet.chargerIds().join(', ')} with connectors ${fleet.connectorIds().join(', ')}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.stop();
  return 0;
}
