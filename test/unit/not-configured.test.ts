import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.ts';
import { CredentialsNotSet } from '../../functions/config/credentials.ts';
import type { DepotScope } from '../../functions/config/depot-scopes.ts';
import { notConfiguredYet } from '../../functions/lambda/not-configured.ts';
import type { StateStore } from '../../functions/scan/ports.ts';

/** Two depots, each with its own secret, as the stack deploys them. */
const config = parseConfig(
  {
    archive: 's3://bucket/archive',
    state: 's3://bucket/state',
    alerts: ['stdout'],
    depots: ['north', 'south'].map((name) => ({
      name,
      credentialsSecret: `DepotWatch/depot/${name}`,
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
    })),
  },
  'test config',
);

/** Sources where each depot's secret is filled, still the placeholder, or broken. */
function sources(
  secrets: Record<string, 'filled' | 'placeholder' | 'broken'>,
  scanned: string[] = [],
) {
  return {
    credentials: async (depot: DepotScope) => {
      const id = depot.credentialsSecret as string;
      const state = secrets[depot.name as string];
      if (state === 'placeholder') throw new CredentialsNotSet(id);
      if (state === 'broken') throw new Error(`reading ${id} failed with HTTP 500`);
      return {};
    },
    state: (depot: DepotScope) =>
      ({
        loadDocument: async () => undefined,
        legacy: {
          loadCursor: async () =>
            scanned.includes(depot.name as string) ? { position: 'somewhere' } : undefined,
        },
      }) as unknown as StateStore,
  };
}

describe('whether a deployment is configured yet', () => {
  it('is not while every depot secret holds its placeholder and no depot was scanned, naming each', async () => {
    const reason = await notConfiguredYet(
      config,
      sources({ north: 'placeholder', south: 'placeholder' }),
    );
    expect(reason).toBe(
      'not configured yet: the credentials secrets DepotWatch/depot/north, DepotWatch/depot/south still hold their placeholder; put the DepotFinity client\'s {"clientId": "...", "clientSecret": "..."} in each and the next run scans',
    );
  });

  it('is, once one depot is filled: the other depot then fails its run, so someone hears of it', async () => {
    expect(
      await notConfiguredYet(config, sources({ north: 'filled', south: 'placeholder' })),
    ).toBeUndefined();
  });

  it('is, when a secret cannot be read for another reason: the scan reports that', async () => {
    expect(
      await notConfiguredYet(config, sources({ north: 'placeholder', south: 'broken' })),
    ).toBeUndefined();
  });

  it('is, when a depot was scanned before: a secret reset to its placeholder must alarm', async () => {
    expect(
      await notConfiguredYet(
        config,
        sources({ north: 'placeholder', south: 'placeholder' }, ['south']),
      ),
    ).toBeUndefined();
  });
});
