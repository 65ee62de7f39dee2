import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../functions/cli/load-config.ts';
import { jsonErrorPosition } from '../../functions/config/json-position.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-config-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('a config file that is not JSON', () => {
  it('is named with the line and column where it breaks, and none of its text', async () => {
    const path = join(dir, 'depot.json');
    await writeFile(
      path,
      '{\n  "fleet": [],\n  "credentials": { "clientSecret": s3cr3t-value }\n}\n',
    );
    const error = await loadConfigFile(path).catch((e: Error) => e);
    expect(String(error)).toBe(
      `ConfigError: config file ${path} is not valid JSON at line 3, column 36; fix the file there`,
    );
    expect(String(error)).not.toContain('s3cr3t');
  });

  it('finds the position of the usual mistakes, counted by hand', () => {
    expect(jsonErrorPosition('{ "fleet": [')).toBe('line 1, column 13');
    expect(jsonErrorPosition('{"a":1,}')).toBe('line 1, column 8');
    expect(jsonErrorPosition('{"a":\n  [1, 2,, 3]}')).toBe('line 2, column 9');
    expect(jsonErrorPosition("{'a': 1}")).toBe('line 1, column 2');
    expect(jsonErrorPosition('{"a": 1} x')).toBe('line 1, column 10');
  });
});
