import { describe, expect, it } from 'vitest';
import { KeyedArchive } from '../../functions/adapters/keyed-archive.ts';
import { type Finding, fingerprintOf } from '../../functions/core/finding.ts';
import type { ConnectorIncidentState } from '../../functions/core/incidents/connector-incidents.ts';
import type { Incident } from '../../functions/core/incidents/incident.ts';
import { dueNotifications } from '../../functions/core/incidents/notices.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../functions/core/incidents/settings.ts';
import * as glue from '../helpers/glue-table.ts';
import { recordingArchive } from '../helpers/recording-archive.ts';

/**
 * The Athena table over the incident history: where it looks, how it projects the date, and
 * whether its columns find the keys the scan really writes. The last part builds a notice with
 * the engine's own code and checks the synthesized column mapping against it, sharing nothing
 * with the table definition.
 */

const stack = glue.synthesizedTables('depot-watch-cdk-incidents-', {
  incidents: 'incident_history',
  reports: 'session_reports',
});

/** Where the scan function is told the archive is: `s3://<bucket>/archive`. */
const archiveRoot = () => stack.setting('DEPOT_WATCH_ARCHIVE');

describe('the incident_history table', () => {
  it('lives in the same Glue database as session_reports, created after it', () => {
    const databases = Object.entries(stack.template.findResources('AWS::Glue::Database')) as [
      string,
      { Properties: { DatabaseInput: { Name: string } } },
    ][];
    expect(databases).toHaveLength(1);
    const [databaseId, { Properties }] = databases[0] as (typeof databases)[number];
    expect(Properties.DatabaseInput.Name).toBe('depot_watch');
    expect(stack.incidents.Properties.DatabaseName).toBe('depot_watch');
    expect(stack.incidents.Properties.DatabaseName).toBe(stack.reports.Properties.DatabaseName);
    expect(stack.incidents.DependsOn).toContain(databaseId);
    expect(stack.incidents.Properties.TableInput).toMatchObject({ TableType: 'EXTERNAL_TABLE' });
  });

  it('reads the incidents prefix of the archive bucket the scan writes to', () => {
    const root = archiveRoot();
    expect(root).toMatch(/^s3:\/\/<BucketsArchive[0-9A-F]+>\/archive$/);
    const location = glue.render(stack.incidents.Properties.TableInput.StorageDescriptor.Location);
    expect(location).toBe(`${root}/incidents/`);
    // Not the reports: two tables over one prefix would read each other's files.
    expect(glue.render(stack.reports.Properties.TableInput.StorageDescriptor.Location)).toBe(
      `${root}/reports/`,
    );
  });

  it('projects the date partition onto date=YYYY-MM-DD folders, as the reports table does', () => {
    glue.expectDailyDateProjection(stack.incidents, `${archiveRoot()}/incidents/`, stack.reports);
  });

  it("projects onto the folder the scan's archive writer really puts a run's history in", async () => {
    const written: string[] = [];
    const archive = new KeyedArchive(
      'unused',
      async (key) => {
        written.push(key);
        return true;
      },
      async () => undefined,
    );
    await archive.putIncidentHistory('2026-11-03', 'run-6f1c2a9e-0b7d-4e2a-9c3f-1a2b3c4d5e6f', '');
    expect(written).toHaveLength(1);
    glue.expectInDayFolder(stack.incidents, '2026-11-03', `${archiveRoot()}/${written[0]}`);
  });

  it('parses the lines with the OpenX JSON SerDe, as the reports table does', () => {
    const serde = stack.incidents.Properties.TableInput.StorageDescriptor.SerdeInfo;
    expect(serde.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(serde.SerializationLibrary).toBe(
      stack.reports.Properties.TableInput.StorageDescriptor.SerdeInfo.SerializationLibrary,
    );
    expect(stack.incidents.Properties.TableInput.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    });
  });

  it('has lower-case columns of the right types for what a notice says', () => {
    const columns = stack.incidents.Properties.TableInput.StorageDescriptor.Columns;
    expect(columns).toEqual(
      expect.arrayContaining([
        { Name: 'run_id', Type: 'string' },
        { Name: 'event', Type: 'string' },
        { Name: 'incident', Type: 'string' },
        { Name: 'rule', Type: 'string' },
        { Name: 'charger_id', Type: 'string' },
        { Name: 'connector_id', Type: 'string' },
        { Name: 'severity', Type: 'string' },
        { Name: 'session_ids', Type: 'array<string>' },
        { Name: 'failed_sessions', Type: 'int' },
        { Name: 'occurrence', Type: 'int' },
      ]),
    );
    for (const { Name } of columns) expect(Name).toMatch(/^[a-z_]+$/);
    expect(new Set(columns.map((c) => c.Name)).size).toBe(columns.length);
    // The partition key is not also a column, or Athena refuses the table.
    expect(columns.map((c) => c.Name)).not.toContain('date');
  });
});

describe('the incident_history column mapping, against a line the scan writes', () => {
  const finding = (sessionId: string, rule: string): Finding => ({
    rule,
    severity: 'warning',
    chargerId: 'HPC-001',
    connectorId: '2',
    sessionId,
    vehicleId: 'BUS-4711',
    title: 'Charging stopped short of the target',
    message: `Session ${sessionId} ended at 61 % instead of 85 %.`,
    evidence: { socEndPercent: 61, targetSocPercent: 85, faulted: false, unit: '%' },
    fingerprint: fingerprintOf(rule, 'HPC-001', '2', sessionId),
  });
  const latest = finding('S-1003', 'soc-shortfall');
  const incident: Incident = {
    id: 'inc-soc-shortfall-HPC-001-2-abc',
    key: 'soc-shortfall',
    rule: 'soc-shortfall',
    subject: 'connector',
    chargerId: 'HPC-001',
    connectorId: '2',
    vehicleId: 'BUS-4711',
    status: 'open',
    severity: 'warning',
    occurrence: 1,
    escalated: false,
    firstFindingAt: '2026-11-03T01:00:00.000Z',
    lastFindingAt: '2026-11-03T03:00:00.000Z',
    openedAt: '2026-11-03T03:00:00.000Z',
    sessionIds: ['S-1001', 'S-1002', 'S-1003'],
    failedSinceNotice: ['S-1001', 'S-1002', 'S-1003'],
    failedSinceNoticeCount: 3,
    cleanSessions: [],
    latest,
    context: [finding('S-1003', 'power-derating')],
    notified: {},
  };
  const state: ConnectorIncidentState = {
    chargerId: 'HPC-001',
    connectorId: '2',
    version: 1,
    incidents: [incident],
    recent: [],
    seen: [],
    openings: {},
  };
  const runId = '6f1c2a9e-0b7d-4e2a-9c3f-1a2b3c4d5e6f';

  /**
   * One history line, made as the scan makes it (`JSON.stringify({ runId, ...notice })`) and
   * filed by the archive of one depot of several, which adds the `depot` key; a one-fleet
   * history has the same keys but that one, and its depot column reads null.
   */
  async function historyLine(): Promise<Record<string, unknown>> {
    const notices = dueNotifications(state, '2026-11-03T03:15:00.000Z', DEFAULT_INCIDENT_SETTINGS);
    expect(notices.map((n) => n.event)).toEqual(['open']);
    const { archive, bodies } = recordingArchive('north');
    await archive.putIncidentHistory(
      '2026-11-03',
      `run-${runId}`,
      `${JSON.stringify({ runId, ...notices[0] })}\n`,
    );
    return JSON.parse(bodies.join('').trim()) as Record<string, unknown>;
  }

  it('maps every column to a key the line has, spelled exactly', async () => {
    const line = await historyLine();
    for (const [column, key] of glue.keysByColumn(stack.incidents))
      expect(Object.keys(line), `column ${column.Name} reads "${key}"`).toContain(key);
  });

  it('maps only columns that exist, and leaves no key of the line without a column', async () => {
    const { Columns, SerdeInfo } = stack.incidents.Properties.TableInput.StorageDescriptor;
    const names = Columns.map((c) => c.Name);
    for (const property of Object.keys(SerdeInfo.Parameters).filter((p) =>
      p.startsWith('mapping.'),
    ))
      expect(names).toContain(property.slice('mapping.'.length));
    const read = new Set(glue.keysByColumn(stack.incidents).map(([, key]) => key));
    expect(Object.keys(await historyLine()).filter((key) => !read.has(key))).toEqual([]);
  });

  it('gives every column a type its value in the line fits', async () => {
    const line = await historyLine();
    for (const [column, key] of glue.keysByColumn(stack.incidents)) {
      const value = line[key];
      const where = `column ${column.Name} (${column.Type}) reading "${key}"`;
      if (column.Type === 'string') expect(typeof value, where).toBe('string');
      else if (column.Type === 'int') expect(Number.isInteger(value), where).toBe(true);
      else if (column.Type === 'array<string>') {
        expect(Array.isArray(value), where).toBe(true);
        for (const item of value as unknown[]) expect(typeof item, where).toBe('string');
      } else if (column.Type === 'map<string,string>') {
        // Scalars read as their text; a nested object or array would not.
        expect(Object.values(value as object).length, where).toBeGreaterThan(0);
        for (const item of Object.values(value as object))
          expect(['string', 'number', 'boolean'], where).toContain(typeof item);
      } else {
        const struct = /^array<struct<(.*)>>$/.exec(column.Type);
        expect(struct, `${where}: a type this test does not know`).not.toBeNull();
        const fields = (struct?.[1] ?? '').split(',').map((f) => f.split(':') as [string, string]);
        const items = value as Record<string, unknown>[];
        expect(items.length, where).toBeGreaterThan(0);
        for (const item of items) {
          // The SerDe lower-cases JSON keys before it matches struct fields.
          const lowered = Object.fromEntries(
            Object.entries(item).map(([k, v]) => [k.toLowerCase(), v]),
          );
          for (const [field, type] of fields) {
            expect(type, `${where}.${field}`).toBe('string');
            expect(typeof lowered[field], `${where}.${field}`).toBe('string');
          }
        }
      }
    }
  });

  it('puts the run id, the send time and the vehicle where their columns look', async () => {
    const line = await historyLine();
    const byColumn = Object.fromEntries(
      glue.keysByColumn(stack.incidents).map(([c, key]) => [c.Name, line[key]]),
    );
    expect(byColumn).toMatchObject({
      run_id: runId,
      notice_at: '2026-11-03T03:15:00.000Z',
      charger_id: 'HPC-001',
      connector_id: '2',
      vehicle_id: 'BUS-4711',
      session_ids: ['S-1001', 'S-1002', 'S-1003'],
      failed_sessions: 3,
      event: 'open',
    });
  });
});
