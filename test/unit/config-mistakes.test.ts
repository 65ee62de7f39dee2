import { describe, expect, it } from 'vitest';
import { regionOfArn, snsClient } from '../../functions/adapters/aws-clients.ts';
import { ConfigError, parseConfig } from '../../functions/config/config.ts';
import { alertsFrom } from '../../functions/notifiers/from-config.ts';

const fleet = [
  { chargerId: 'HPC-001', connectors: ['1', '2'] },
  { chargerId: 'HPC-002', connectors: ['1'] },
];
const problem = (input: unknown) => {
  try {
    parseConfig(input, 'depot.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
};

describe('config mistakes that used to pass silently', () => {
  it('refuses a charger listed twice, naming both places', () => {
    const message = problem({ fleet: [...fleet, { chargerId: 'HPC-001', connectors: ['3'] }] });
    expect(message).toContain(
      'fleet.2.chargerId: charger "HPC-001" is listed twice (also fleet.0)',
    );
  });

  it('refuses a connector listed twice for one charger', () => {
    expect(problem({ fleet: [{ chargerId: 'HPC-001', connectors: ['1', '1'] }] })).toContain(
      'fleet.0.connectors.1: connector "1" is listed twice for charger "HPC-001"',
    );
  });

  it('refuses overrides for a charger or connector the fleet does not have', () => {
    const thresholds = { 'soc-shortfall': { targetSocPercent: 70 } };
    expect(problem({ fleet, overrides: [{ chargerId: 'HPC-009', thresholds }] })).toContain(
      'overrides.0.chargerId: charger "HPC-009" is not in the fleet',
    );
    expect(
      problem({ fleet, overrides: [{ chargerId: 'HPC-002', connectorId: '2', thresholds }] }),
    ).toContain('overrides.0.connectorId: charger "HPC-002" has no connector "2"');
    expect(() =>
      parseConfig(
        { fleet, overrides: [{ chargerId: 'HPC-001', connectorId: '2', thresholds }] },
        'x',
      ),
    ).not.toThrow();
  });

  it('refuses plain http for the token and API hosts unless they are this machine', () => {
    expect(problem({ fleet, api: { tokenUrl: 'http://auth.example.com/oauth2/token' } })).toContain(
      'api.tokenUrl: must be an https:// URL',
    );
    expect(problem({ fleet, api: { baseUrl: 'http://10.0.0.5:8080' } })).toContain('api.baseUrl');
    for (const host of ['127.0.0.1:4010', 'localhost:4010', '[::1]:4010']) {
      expect(() =>
        parseConfig(
          { fleet, api: { baseUrl: `http://${host}`, tokenUrl: `http://${host}/t` } },
          'x',
        ),
      ).not.toThrow();
    }
  });

  it('refuses charger and connector ids that cannot name a folder or an S3 key', () => {
    expect(problem({ fleet: [{ chargerId: '中'.repeat(40), connectors: ['1'] }] })).toMatch(
      /fleet\.0\.chargerId: is too long to be filed/,
    );
    expect(problem({ fleet: [{ chargerId: 'HPC\n001', connectors: ['1'] }] })).toContain(
      'fleet.0.chargerId: must not contain control characters',
    );
  });
});

describe('an SNS topic ARN without AWS_REGION', () => {
  it('publishes in the region the ARN names', async () => {
    const arn = 'arn:aws:sns:ap-southeast-2:123456789012:depot-watch';
    expect(regionOfArn(arn)).toBe('ap-southeast-2');
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      expect(await snsClient(regionOfArn(arn)).config.region()).toBe('ap-southeast-2');
      // The config path builds its SNS sink from the ARN alone.
      const sink = alertsFrom([arn], 'archive', { baseDir: '/' }) as unknown as {
        client: { config: { region: () => Promise<string> } };
      };
      expect(await sink.client.config.region()).toBe('ap-southeast-2');
    } finally {
      if (saved !== undefined) process.env.AWS_REGION = saved;
    }
  });
});
