import { afterEach, describe, expect, it } from 'vitest';
import { LambdaSettings } from '../../functions/lambda/settings.ts';
import { startParamsAndSecrets } from '../helpers/params-and-secrets.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function settings(
  env: Record<string, string>,
  store: { parameters?: Record<string, string>; secrets?: Record<string, string> } = {},
) {
  const extension = await startParamsAndSecrets(store);
  stop = extension.stop;
  let now = 0;
  return {
    settings: new LambdaSettings({ env: { ...extension.env, ...env }, fetch, now: () => now }),
    extension,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const fleet = [{ chargerId: 'HPC-001', connectors: ['1'] }];

describe('the Lambda settings', () => {
  it('reads the config from SSM, with the stack’s bucket and topic overriding the file’s locations', async () => {
    const { settings: s } = await settings(
      {
        DEPOT_WATCH_CONFIG_PARAMETER: '/depot-watch/config',
        DEPOT_WATCH_ARCHIVE: 's3://stack-bucket/archive',
        DEPOT_WATCH_STATE: 's3://stack-bucket/state',
        DEPOT_WATCH_ALERTS: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      },
      { parameters: { '/depot-watch/config': JSON.stringify({ fleet, archive: './local' }) } },
    );
    expect(await s.config()).toMatchObject({
      fleet,
      archive: 's3://stack-bucket/archive',
      state: 's3://stack-bucket/state',
      alerts: ['arn:aws:sns:eu-west-1:123456789012:alerts'],
    });
  });

  it('names the SSM parameter when its config is wrong', async () => {
    const { settings: s } = await settings(
      { DEPOT_WATCH_CONFIG_PARAMETER: '/depot-watch/config' },
      { parameters: { '/depot-watch/config': '{"fleet":[]}' } },
    );
    await expect(s.config()).rejects.toThrow(
      'invalid config in SSM parameter /depot-watch/config: fleet: list at least one charger',
    );
  });

  it('says which parameter it could not read', async () => {
    const { settings: s } = await settings({ DEPOT_WATCH_CONFIG_PARAMETER: '/missing' });
    await expect(s.config()).rejects.toThrow(
      'reading /missing through the Parameters and Secrets extension failed with HTTP 400',
    );
  });

  it('says how to fill the secret when it lacks a field, without echoing it', async () => {
    const { settings: s } = await settings(
      { DEPOT_WATCH_CONFIG: JSON.stringify({ fleet }), DEPOT_WATCH_CREDENTIALS_SECRET: 'creds' },
      { secrets: { creds: JSON.stringify({ clientId: 'the-id', clientSecret: '' }) } },
    );
    const error = (await s.credentials().catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(
      'secret creds must hold {"clientId": "...", "clientSecret": "..."}',
    );
    expect(error.message).not.toContain('the-id');
  });

  it('asks for the secret again after 15 minutes, so a rotated secret is picked up', async () => {
    const {
      settings: s,
      advance,
      extension,
    } = await settings(
      { DEPOT_WATCH_CONFIG: JSON.stringify({ fleet }), DEPOT_WATCH_CREDENTIALS_SECRET: 'creds' },
      { secrets: { creds: JSON.stringify({ clientId: 'id', clientSecret: 'secret' }) } },
    );
    const first = await s.credentials();
    advance(14 * 60_000);
    expect(await s.credentials()).toBe(first);
    advance(2 * 60_000);
    expect(await s.credentials()).not.toBe(first);
    expect(extension.requests).toEqual(['/secretsmanager/get', '/secretsmanager/get']);
  });
});

describe('a config too large for a plain SSM parameter', () => {
  it('is packed by the stack and read back by the function: a 200-charger depot fits', async () => {
    const { packConfig } = await import('../../functions/config/packed-config.ts');
    const big = {
      fleet: Array.from({ length: 200 }, (_, i) => ({
        chargerId: `HPC-${String(i + 1).padStart(3, '0')}`,
        connectors: ['1', '2'],
      })),
    };
    const json = JSON.stringify(big);
    const packed = packConfig(json);
    expect(json.length).toBeGreaterThan(8_192);
    expect(packed.length).toBeLessThan(4_096);
    const { settings: s } = await settings(
      { DEPOT_WATCH_CONFIG_PARAMETER: '/big' },
      { parameters: { '/big': packed } },
    );
    expect((await s.config()).fleet).toHaveLength(200);
  });

  it('stays plain JSON when small', async () => {
    const { packConfig } = await import('../../functions/config/packed-config.ts');
    expect(packConfig('{"fleet":[]}')).toBe('{"fleet":[]}');
  });
});

describe('a config changed by a later deploy', () => {
  it('reaches a warm container within five minutes', async () => {
    const parameters = { '/depot-watch/config': JSON.stringify({ fleet }) };
    const { settings: s, advance } = await settings(
      { DEPOT_WATCH_CONFIG_PARAMETER: '/depot-watch/config' },
      { parameters },
    );
    expect((await s.config()).fleet).toHaveLength(1);
    parameters['/depot-watch/config'] = JSON.stringify({
      fleet: [...fleet, { chargerId: 'HPC-002', connectors: ['1'] }],
    });
    advance(4 * 60_000);
    expect((await s.config()).fleet).toHaveLength(1);
    advance(2 * 60_000);
    expect((await s.config()).fleet).toHaveLength(2);
  });
});
