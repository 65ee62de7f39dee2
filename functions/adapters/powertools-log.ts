import type { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../scan/ports.ts';

/** The scan's Log port on a Powertools Logger: one structured JSON line per call. */
export function powertoolsLog(logger: Logger): Log {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}
