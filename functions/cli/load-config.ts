import { readFile } from 'node:fs/promises';
import { type Config, ConfigError, parseConfig } from '../config/config.ts';
import { jsonErrorPosition } from '../config/json-position.ts';

/** Reads and validates a JSON config file; every failure is a ConfigError naming the file. */
export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    // The parser's own message quotes the text, and the file may hold a secret.
    throw new ConfigError(
      `config file ${path} is not valid JSON at ${jsonErrorPosition(text)}; fix the file there`,
    );
  }
  return parseConfig(input, path);
}
