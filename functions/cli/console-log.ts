import type { Log } from '../scan/ports.ts';

const LEVELS = ['info', 'warn', 'error'] as const;

/** The least severe log level shown. */
export type LogLevel = (typeof LEVELS)[number];

/**
 * Log lines for a terminal, on stderr so stdout stays the alerts and the summary. An error
 * already said in this run is not said again.
 */
export function consoleLog(
  minimum: LogLevel,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Log {
  const shown = (level: LogLevel) => LEVELS.indexOf(level) >= LEVELS.indexOf(minimum);
  // One line per problem: the same error on 80 connectors is said once (the summary lists them).
  const said = new Set<string>();
  const line = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (!shown(level)) return;
    if (fields?.error !== undefined) {
      const problem = `${level}\u001f${message}\u001f${String(fields.error)}`;
      if (said.has(problem)) return;
      said.add(problem);
    }
    const detail = Object.entries(fields ?? {})
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    write(`${level}: ${message}${detail ? ` ${detail}` : ''}\n`);
  };
  return {
    info: (message, fields) => line('info', message, fields),
    warn: (message, fields) => line('warn', message, fields),
    error: (message, fields) => line('error', message, fields),
  };
}
