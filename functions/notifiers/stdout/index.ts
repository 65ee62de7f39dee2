import { ConsoleAlerts } from '../../adapters/local-alerts.ts';
import { defineNotifier } from '../notifier.ts';

/** `stdout`: notices as readable text on the terminal (or the demo's output). */
export const stdoutNotifier = defineNotifier<string>({
  type: 'stdout',
  summary: 'notices as readable text on standard output',
  remote: false,
  accepts: (uri) => uri === 'stdout',
  describe: () => 'stdout',
  create: (_entry, context) => new ConsoleAlerts(context.write),
});
