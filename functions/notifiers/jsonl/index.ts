import { resolve } from 'node:path';
import { JsonlAlerts } from '../../adapters/local-alerts.ts';
import { defineNotifier } from '../notifier.ts';

/** `<path>.jsonl`: every notice as a JSON line appended to a file, for tools to pick up. */
export const jsonlNotifier = defineNotifier<string>({
  type: 'jsonl',
  summary: 'notices appended to a JSON Lines file, one per line',
  remote: false,
  accepts: (uri) => uri.endsWith('.jsonl'),
  describe: (uri, { baseDir }) => resolve(baseDir, uri),
  create: (uri, context) => new JsonlAlerts(resolve(context.baseDir, uri)),
});
