import type { Log } from '../scan/ports.ts';

const LEVELS = ['info', 'warn', 'error'] as const;

/** The least severe log level shown. */
export type LogLevel = (typeof LEVELS)[number];

/** Log lines for a terminal, on stderr so stdout stays the alerts and the summary. */
export function consoleLog(
  minimum: LogLevel,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Log {
  const shown = (level: LogLevel) => LEVELS.indexOf(level) >= LEVELS.indexOf(minimum);
  const line = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (!shown(level)) return;
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
