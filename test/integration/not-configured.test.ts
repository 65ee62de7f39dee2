import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_PLACEHOLDER, CredentialsNotSet } from '../../functions/config/credentials.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import {
  capturingOutput,
  lambdaAgainst,
  SECRET_ID,
  scheduledEvent,
  stopStandIns,
} from '../helpers/lambda.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { startSimulator } from '../helpers/simulator.ts';

/**
 * A deploy is healthy from its first minute: until someone fills the credentials secret the
 * stack created with its placeholder, each run says so once and raises nothing.
 */

let sim: DepotSimulator;
let s3: LocalS3;
beforeEach(async () => {
  sim = await startSimulator({ fleet: { chargers: 2, anomalyEvery: 2 } });
  s3 = await startS3();
});
afterEach(async () => {
  await sim.stop();
  await s3.stop();
  await stopStandIns();
});

const PLACEHOLDER = JSON.stringify(CREDENTIALS_PLACEHOLDER);
const records = (lines: string[]) =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('a deployment whose credentials secret still holds its placeholder', () => {
  it('logs one line saying so, reports NotConfigured, returns without an error and sends nothing', async () => {
    const lambda = await lambdaAgainst(sim, s3, { credentialsSecret: PLACEHOLDER });
    const { result, error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent()));

    expect(error).toBeUndefined();
    expect(result?.notConfigured).toMatch(/^not configured yet: /);
    expect(result?.failed).toEqual([]);
    const logged = records(lines);
    const warnings = logged.filter((r) => r.level === 'WARN' || r.level === 'ERROR');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'WARN' });
    expect(warnings[0]?.message).toContain(`secret ${SECRET_ID} still holds its placeholder`);
    // Its own metric value: neither a success nor a failure of the heartbeat.
    const emf = logged.filter((r) => '_aws' in r);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ NotConfigured: 1 });
    expect(emf[0]).not.toHaveProperty('ScanSucceeded');
    expect(emf[0]).not.toHaveProperty('connectorFailures');
    // Nothing asked of the API, nothing sent, nothing written.
    expect(sim.issuedTokens()).toEqual([]);
    expect(lambda.published()).toEqual([]);
    expect(await s3.keys('archive/')).toEqual([]);
  });

  it('takes the value the stack generates (not JSON) for not configured yet, too', async () => {
    // What Secrets Manager puts in a secret created without a value: 32 printable characters.
    const generated = 'q`8X#vL2^p}Rz!k@Wd4$Tn7&Hb1*Mc9%';
    const lambda = await lambdaAgainst(sim, s3, { credentialsSecret: generated });
    const { result, error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect(error).toBeUndefined();
    expect(result?.notConfigured).toMatch(/^not configured yet: /);
    // The secret's text never reaches a log line.
    expect(lines.join('\n')).not.toContain(generated);
    expect(sim.issuedTokens()).toEqual([]);
    expect(lambda.published()).toEqual([]);
  });

  it('scans as soon as the secret is filled', async () => {
    const waiting = await lambdaAgainst(sim, s3, { credentialsSecret: PLACEHOLDER });
    await capturingOutput(() => waiting.handler(scheduledEvent()));
    const filled = await lambdaAgainst(sim, s3);
    const { result, error } = await capturingOutput(() => filled.handler(scheduledEvent()));
    expect(error).toBeUndefined();
    expect(result?.notConfigured).toBeUndefined();
    expect(result?.totals.fetched).toBeGreaterThan(0);
  });

  it('fails the run, so the alarms fire, when the secret goes back to its placeholder after scans have run', async () => {
    const configured = await lambdaAgainst(sim, s3);
    await capturingOutput(() => configured.handler(scheduledEvent()));
    const reset = await lambdaAgainst(sim, s3, { credentialsSecret: PLACEHOLDER });
    const { error, lines } = await capturingOutput(() => reset.handler(scheduledEvent()));
    expect(error).toBeInstanceOf(CredentialsNotSet);
    expect(records(lines).find((r) => '_aws' in r)).toMatchObject({ ScanSucceeded: 0 });
  });
});
