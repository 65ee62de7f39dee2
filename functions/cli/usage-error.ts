import { ConfigError } from '../config/config.ts';

/**
 * A usage error from node's argument parser, as one sentence. For commands that take paths it
 * adds a long hint about positionals starting with '-' ("To specify a positional argument …");
 * the first sentence is what a person needs.
 */
export function usageError(error: unknown): ConfigError {
  const message = error instanceof Error ? error.message : String(error);
  const hint = message.indexOf('. To specify a positional argument');
  return new ConfigError(hint > 0 ? message.slice(0, hint) : message);
}
