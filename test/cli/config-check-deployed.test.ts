import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS_PLACEHOLDER } from '../../functions/config/credentials.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { startSecretsManager } from '../helpers/secrets-manager.ts';
import { startSimulator } from '../helpers/simulator.ts';

/**
 * `config check --probe --credentials-secret <arn>`: after `cdk deploy`, an operator checks the
 * secret the stack made, as filled, against the token endpoint, without copying its values
 * into the environment.
 */

const FILLED = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ScanCredentials-Ab12Cd';
const UNFILLED = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ScanCredentials-Zz99Yy';
const REFUSED = 'depot-watch/refused';

let work: string;
let config: string;
let sim: DepotSimulator;
let secrets: Awaited<ReturnType<typeof startSecretsManager>>;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-deployed-secret-'));
  sim = await startSimulator({ tokenTtlSeconds: 1800 });
  secrets = await startSecretsManager({
    [FILLED]: JSON.stringify({ clientId: 'demo-client', clientSecret: 'demo-secret' }),
    [UNFILLED]: JSON.stringify(CREDENTIALS_PLACEHOLDER),
    [REFUSED]: JSON.stringify({ clientId: 'demo-client', clientSecret: 'wrong-secret-4711' }),
  });
  config = join(work, 'depot.json');
  await writeFile(
    config,
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
    }),
  );
});
afterAll(async () => {
  await sim.stop();
  await secrets.stop();
  await rm(work, { recursive: true, force: true });
});

const probe = (secret: string) =>
  cli(['config', 'check', '--config', config, '--probe', '--credentials-secret', secret], {
    env: secrets.env,
  });

describe('config check --probe --credentials-secret', () => {
  it("probes with the deployed secret's values, asking the ARN's own region", async () => {
    const result = await probe(FILLED);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/\ntoken endpoint answered: token valid for 1800 s\n$/);
    expect(secrets.regions.at(-1)).toBe('eu-west-1');
  });

  it('says the secret still holds the placeholder, in one line', async () => {
    const result = await probe(UNFILLED);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `depot-watch: probe failed: secret ${UNFILLED} still holds its placeholder, not credentials: put the DepotFinity client's {"clientId": "...", "clientSecret": "..."} in it\n`,
    );
  });

  it('names the secret to check when the token endpoint refuses its values, never printing them', async () => {
    const result = await probe(REFUSED);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /refused the client id\/secret \(HTTP 40[13]\); check the values in secret depot-watch\/refused\n$/,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain('wrong-secret-4711');
  });

  it('says why a secret cannot be read', async () => {
    const result = await probe('depot-watch/missing');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^depot-watch: probe failed: cannot read secret depot-watch\/missing: ResourceNotFoundException: Secrets Manager can't find the specified secret\.\n$/,
    );
  });

  it('goes with --probe only', async () => {
    const result = await cli([
      'config',
      'check',
      '--config',
      config,
      '--credentials-secret',
      FILLED,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--credentials-secret goes with --probe');
  });
});
