import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { LambdaSettings } from '../../functions/scan/lambda-settings.ts';

function settings(env: Record<string, string>, parameter?: unknown, secret?: unknown) {
  const ssm = new SSMClient({ region: 'eu-west-1' });
  const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
  mockClient(ssm)
    .on(GetParameterCommand)
    .resolves({ Parameter: { Value: JSON.stringify(parameter) } });
  mockClient(secrets)
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify(secret) });
  let now = 0;
  return {
    settings: new LambdaSettings({ env, ssm, secrets, now: () => now }),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const fleet = [{ chargerId: 'HPC-001', connectors: ['1'] }];

describe('the Lambda settings', () => {
  it('reads the config from SSM, with the stack’s bucket and topic overriding the file’s locations', async () => {
    const { settings: s } = settings(
      {
        DEPOT_WATCH_CONFIG_PARAMETER: '/depot-watch/config',
        DEPOT_WATCH_ARCHIVE: 's3://stack-bucket/archive',
        DEPOT_WATCH_STATE: 's3://stack-bucket/state',
        DEPOT_WATCH_ALERTS: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      },
      { fleet, archive: './local' },
    );
    const config = await s.config();
    expect(config).toMatchObject({
      fleet,
      archive: 's3://stack-bucket/archive',
      state: 's3://stack-bucket/state',
      alerts: ['arn:aws:sns:eu-west-1:123456789012:alerts'],
    });
  });

  it('names the SSM parameter when its config is wrong', async () => {
    const { settings: s } = settings(
      { DEPOT_WATCH_CONFIG_PARAMETER: '/depot-watch/config' },
      { fleet: [] },
    );
    await expect(s.config()).rejects.toThrow(
      'invalid config in SSM parameter /depot-watch/config: fleet: list at least one charger',
    );
  });

  it('says how to fill the secret when it lacks a field, without echoing it', async () => {
    const { settings: s } = settings(
      { DEPOT_WATCH_CONFIG: JSON.stringify({ fleet }), DEPOT_WATCH_CREDENTIALS_SECRET: 'creds' },
      undefined,
      {
        clientId: 'id',
        clientSecret: '',
      },
    );
    const error = (await s.credentials().catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(
      'secret creds must hold {"clientId": "...", "clientSecret": "..."}',
    );
    expect(error.message).not.toContain('"id"');
  });

  it('asks Secrets Manager again after 15 minutes, so a rotated secret is picked up', async () => {
    const { settings: s, advance } = settings(
      { DEPOT_WATCH_CONFIG: JSON.stringify({ fleet }), DEPOT_WATCH_CREDENTIALS_SECRET: 'creds' },
      undefined,
      {
        clientId: 'id',
        clientSecret: 'secret',
      },
    );
    const first = await s.credentials();
    advance(14 * 60_000);
    expect(await s.credentials()).toBe(first);
    advance(2 * 60_000);
    expect(await s.credentials()).not.toBe(first);
  });
});
