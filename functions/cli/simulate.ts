import { DepotSimulator } from '../simulator/server.ts';

/** The port asked for is taken: the command ran but could not serve (exit 1). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** Options of `depot-watch simulate`. */
export interface SimulateOptions {
  port: number;
  seed: number;
  chargers: number;
  write: (text: string) => void;
}

/** Serves the simulated DepotFinity API until interrupted, for trying the scanner by hand. */
export async function runSimulate(options: SimulateOptions): Promise<number> {
  let simulator: DepotSimulator;
  try {
    simulator = await new DepotSimulator({
      fleet: { seed: options.seed, chargers: options.chargers, invalidEvery: 13 },
    }).start(options.port);
  } catch (error) {
    // A port another program holds is the usual cause: say so, and what to do, in one line.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(
        `port ${options.port} on 127.0.0.1 is already in use; choose another with --port (0 picks a free one)`,
      );
    throw error;
  }
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
