import { ConfigError } from '../config/config.ts';
import { didYouMean } from './nearest.ts';

/**
 * A usage error from node's argument parser, as one sentence. An unknown flag is offered the
 * nearest one the command takes, or told which it takes. For commands that take paths node adds
 * a long hint about positionals starting with '-' ("To specify a positional argument …"); the
 * first sentence is what a person needs.
 */
export function usageError(error: unknown, flags: readonly string[] = []): ConfigError {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
  if (unknown !== undefined) return new ConfigError(unknownFlag(unknown, flags));
  const valueless = /^Option '(-[^ ']+) <value>' argument missing/.exec(message)?.[1];
  if (valueless !== undefined) return new ConfigError(`${valueless} needs a value after it`);
  const hint = message.indexOf('. To specify a positional argument');
  return new ConfigError(hint > 0 ? message.slice(0, hint) : message);
}

function unknownFlag(given: string, flags: readonly string[]): string {
  const known = flags.map((flag) => `--${flag}`);
  const guess = didYouMean(given.split('=')[0] ?? given, known);
  if (guess || known.length === 0) return `unknown flag ${given}${guess}`;
  return `unknown flag ${given}; this command takes ${known.join(', ')}`;
}
