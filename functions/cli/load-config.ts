import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Config, ConfigError, parseConfig } from '../config/config.ts';
import { jsonErrorPosition } from '../config/json-position.ts';

/**
 * Reads and validates a JSON config file; every failure is a ConfigError naming the file.
 * `fleet: 'optional'` is for the commands that only read saved reports (replay, backtest).
 */
export async function loadConfigFile(
  path: string,
  options: { fleet?: 'required' | 'optional' } = {},
): Promise<Config> {
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
  return parseConfig(input, path, options);
}

/**
 * A file-system error on a path a person gave (`ENOENT`, `EISDIR`, `EACCES`…) as one sentence
 * that names the path and what to do; undefined for any other error.
 */
export function pathErrorSentence(error: unknown, path?: string): string | undefined {
  const e = (error ?? {}) as NodeJS.ErrnoException;
  const where = path ?? e.path;
  const why = e.code !== undefined ? PATH_PROBLEMS[e.code] : undefined;
  if (where === undefined || why === undefined) return undefined;
  // `open` serves reads and writes alike; the other calls say which one failed.
  const verb = WRITES.includes(e.syscall ?? '') ? 'write' : e.syscall === 'open' ? 'open' : 'read';
  return `cannot ${verb} ${resolve(where)}: ${why}`;
}

/** What each path error means for the person who gave the path, and what to do. */
const PATH_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder; check the path (a relative one starts from the current folder)',
  EISDIR: 'that is a folder, where a file was expected; give a file path',
  ENOTDIR: 'part of the path is a file, where a folder was expected; check the path',
  EACCES: 'permission denied; it must be readable (or writable) by this user',
  EPERM: 'permission denied; it must be readable (or writable) by this user',
  EROFS: 'the file system is read-only; give a path elsewhere',
  // `mkdir` of a folder on the way to a file, where a file of that name is.
  EEXIST: 'a file is there, where a folder is needed on the way; check the path',
  ENOSPC: 'the disk is full; free some space or give a path elsewhere',
};

const WRITES = ['mkdir', 'write', 'rename', 'unlink', 'rmdir', 'copyfile', 'symlink'];

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
