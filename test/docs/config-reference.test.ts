import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.ts';
import {
  configJsonSchema,
  configReferenceDoc,
  REFERENCE_FILE,
  SCHEMA_FILE,
} from '../../scripts/config-reference.ts';

const STALE = 'differs from the config schema: run npm run docs:config';

describe('the config reference', () => {
  it('in docs/configuration.md is what the config schema gives', () => {
    const committed = readFileSync(REFERENCE_FILE, 'utf8');
    expect(configReferenceDoc(committed) === committed, `${REFERENCE_FILE} ${STALE}`).toBe(true);
  });

  it('as a JSON Schema is what the config schema gives', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(configJsonSchema() === committed, `${SCHEMA_FILE} ${STALE}`).toBe(true);
  });

  it('may be named by a config with "$schema", which still parses', () => {
    const config = parseConfig(
      {
        $schema: '../docs/depot-watch.schema.json',
        fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      },
      'depot.json',
    );
    expect(config.fleet).toHaveLength(1);
  });

  it('accepts the example config in examples/', () => {
    const example = JSON.parse(readFileSync('examples/depot.json', 'utf8')) as unknown;
    expect(() => parseConfig(example, 'examples/depot.json')).not.toThrow();
  });
});
