import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConfigCommand } from '../../functions/cli/config-check.ts';
import { parseConfig } from '../../functions/config/config.ts';
import { NOTIFIERS } from '../../functions/notifiers/registry.ts';
import { type Route, routes } from '../../functions/notifiers/route.ts';
import { notice } from '../helpers/notices.ts';

const FLEET = [{ chargerId: 'HPC-001', connectors: ['1'] }];
const problem = (alerts: unknown[]) => {
  try {
    parseConfig({ fleet: FLEET, alerts }, 'depot.json');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('channels in the config', () => {
  it('are read beside URIs, with their defaults', () => {
    const config = parseConfig(
      {
        fleet: FLEET,
        alerts: [
          'stdout',
          {
            type: 'pagerduty',
            routingKey: { secret: 'depot-watch/pd' },
            route: { severities: ['critical'] },
          },
          { type: 'opsgenie', apiKey: { env: 'GENIE_KEY' } },
        ],
      },
      'depot.json',
    );
    expect(config.alerts[1]).toMatchObject({ url: 'https://events.pagerduty.com/v2/enqueue' });
    expect(config.alerts[2]).toMatchObject({ url: 'https://api.opsgenie.com' });
  });

  it('say what is wrong with an entry in one line', () => {
    expect(problem([{ type: 'pagerduty' }])).toBe(
      'invalid config in depot.json: alerts.0: routingKey: is required: the value itself, {"env": "VAR"} or {"secret": "<name or ARN>"}',
    );
    expect(problem([{ type: 'pager-duty', routingKey: 'k' }])).toBe(
      'invalid config in depot.json: alerts.0: type must be one of pagerduty, opsgenie, teams, slack, webhook',
    );
    expect(problem([{ type: 'pagerduty', routingKey: 'k', url: 'http://example.com' }])).toBe(
      'invalid config in depot.json: alerts.0.url: must be an https:// URL (plain http:// only for localhost)',
    );
    expect(problem([{ type: 'slack', url: 'x', route: { events: ['opened'] } }])).toMatch(
      /^invalid config in depot\.json: alerts\.0: route\.events\.0: /,
    );
  });

  it('are listed once each in the registry, every object kind with a schema and a summary', () => {
    const types = NOTIFIERS.map((n) => n.type);
    expect(new Set(types).size).toBe(types.length);
    for (const n of NOTIFIERS) expect(n.summary.length).toBeGreaterThan(10);
    expect(NOTIFIERS.filter((n) => n.remote).map((n) => n.type)).toEqual([
      'pagerduty',
      'opsgenie',
      'teams',
      'slack',
      'webhook',
    ]);
  });

  it('are described by config check, where their secrets come from but never a secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'depot-watch-notifier-config-'));
    const path = join(dir, 'depot.json');
    await writeFile(
      path,
      JSON.stringify({
        fleet: FLEET,
        alerts: [
          'stdout',
          {
            type: 'pagerduty',
            name: 'night',
            routingKey: 'INLINE-KEY-123',
            route: { severities: ['critical'] },
          },
          { type: 'webhook', url: { env: 'HOOK_URL' }, signingKey: { secret: 'hook-key' } },
        ],
      }),
    );
    let out = '';
    const io = { write: (t: string) => (out += t), writeError: () => {} };
    expect(await runConfigCommand(['check', '--config', path], io)).toBe(0);
    expect(out).toContain(
      [
        'Alerts:',
        '  stdout',
        '  pagerduty "night" at https://events.pagerduty.com/v2/enqueue; routing key written in the config; critical',
        '  webhook signed; URL from $HOOK_URL; signing key from secret hook-key; every notice',
      ].join('\n'),
    );
    out = '';
    await runConfigCommand(['check', '--config', path, '--json'], io);
    expect(out).not.toContain('INLINE-KEY-123');
  });
});

describe('a route', () => {
  it('lets a notice through when every list it gives names the notice’s value', () => {
    const route = { events: ['open', 'resolve'], depots: ['north'] } as Route;
    expect(routes(route, notice({ depot: 'north' }))).toBe(true);
    expect(routes(route, notice({ depot: 'north', event: 'reminder' }))).toBe(false);
    expect(routes(route, notice({ depot: 'south' }))).toBe(false);
    // A notice of one fleet names no depot: a list of depots lets it not through.
    expect(routes(route, notice())).toBe(false);
    expect(routes(undefined, notice({ severity: 'info' }))).toBe(true);
  });
});
