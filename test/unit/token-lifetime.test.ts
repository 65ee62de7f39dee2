import { describe, expect, it } from 'vitest';
import { Secret } from '../../functions/core/secret.ts';
import { AccessTokenProvider, tokenLifetimeMs } from '../../functions/sources/depotfinity/token.ts';

const START = Date.parse('2026-11-24T12:00:00.000Z');
const MINUTE = 60_000;

/** A token provider whose endpoint answers `expires_in` as given, each token numbered. */
function providerAnswering(expiresIn: unknown) {
  let clock = START;
  let issued = 0;
  const tokens = new AccessTokenProvider({
    tokenUrl: 'http://api.invalid/oauth2/token',
    clientId: new Secret('id'),
    clientSecret: new Secret('secret'),
    timeoutMs: 1_000,
    policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    fetch: async () =>
      Response.json({ access_token: `t${++issued}`, expires_in: expiresIn, token_type: 'bearer' }),
    sleep: async () => undefined,
    now: () => clock,
  });
  return {
    tokens,
    /** The token in use `ms` after the first one was issued. */
    at: async (ms: number) => {
      clock = START + ms;
      return tokens.get();
    },
  };
}

describe('how long an access token is kept', () => {
  it('is at most an hour, however long expires_in says (1e308 included)', async () => {
    for (const expiresIn of [1e308, 86_400, Number.MAX_SAFE_INTEGER]) {
      const { at } = providerAnswering(expiresIn);
      expect(await at(0)).toBe('t1');
      expect(await at(58 * MINUTE)).toBe('t1');
      expect(await at(60 * MINUTE)).toBe('t2');
    }
  });

  it('is as long as expires_in says within the hour, renewed a minute early', async () => {
    const { at } = providerAnswering(1_800);
    expect(await at(0)).toBe('t1');
    expect(await at(28 * MINUTE)).toBe('t1');
    expect(await at(29 * MINUTE)).toBe('t2');
  });

  it('is five minutes when expires_in is missing, zero, negative or not a number', async () => {
    for (const expiresIn of [undefined, null, 0, -3_600, -1e308, 'soon', '', true, {}]) {
      const { at } = providerAnswering(expiresIn);
      expect(await at(0)).toBe('t1');
      expect(await at(4 * MINUTE), String(expiresIn)).toBe('t1');
      expect(await at(5 * MINUTE), String(expiresIn)).toBe('t2');
    }
  });

  it('reads a number sent as a string, with the same bounds', () => {
    expect(tokenLifetimeMs('600')).toBe(10 * MINUTE);
    expect(tokenLifetimeMs('1e308')).toBe(60 * MINUTE);
    expect(tokenLifetimeMs('Infinity')).toBe(5 * MINUTE);
    expect(tokenLifetimeMs('NaN')).toBe(5 * MINUTE);
  });

  it('is a few seconds at least, so a near-zero expires_in does not cost a token per request', async () => {
    const { at, tokens } = providerAnswering(0.001);
    expect(await at(0)).toBe('t1');
    expect(await at(5_000)).toBe('t1');
    expect(tokens.requests).toBe(1);
  });
});
