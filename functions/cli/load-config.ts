import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Config, ConfigError, parseConfig } from '../config/config.ts';
import { jsonErrorPosition } from '../config/json-position.ts';

/** Reads and validates a JSON config file; every failure is a ConfigError naming the file. */
export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${resolve(path)}: ${whyUnreadable(error)}`);
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

/** Why a file could not be read, as a sentence with what to do rather than an errno code. */
function whyUnreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return 'no such file; check the path (a relative one starts from the current folder)';
  if (code === 'EISDIR') return 'that is a folder; give the config file inside it';
  if (code === 'EACCES' || code === 'EPERM')
    return 'permission denied; the file must be readable by this user';
  return code ?? (error instanceof Error ? error.message : String(error));
}
