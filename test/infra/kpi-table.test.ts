import { describe, expect, it } from 'vitest';
import { type Finding, fingerprintOf } from '../../functions/core/finding.ts';
import {
  dailyKpisKey,
  type KpiSession,
  kpiRowsToJsonLines,
  rollUpDay,
} from '../../functions/core/fleet/daily-kpis.ts';
import * as glue from '../helpers/glue-table.ts';

/**
 * The Athena table over the daily KPI rollup: where it looks, how it projects the date, and
 * whether its columns find the keys the scan really writes. The rows are made by the rollup's
 * own code and serialised by its own JSON Lines writer; the table definition shares nothing
 * with them, so a field renamed on either side fails here.
 */

const stack = glue.synthesizedTables('depot-watch-cdk-kpis-', {
  kpis: 'daily_connector_kpis',
  incidents: 'incident_history',
});

/** Where the scan function is told its state is: `s3://<bucket>/state`. */
const stateRoot = () => stack.setting('DEPOT_WATCH_STATE');

describe('the daily_connector_kpis table', () => {
  it('lives in the depot_watch Glue database, created after it', () => {
    const databases = Object.entries(stack.template.findResources('AWS::Glue::Database'));
    expect(databases).toHaveLength(1);
    const [databaseId] = databases[0] as [string, unknown];
    expect(stack.kpis.Properties.DatabaseName).toBe('depot_watch');
    expect(stack.kpis.DependsOn).toContain(databaseId);
    expect(stack.kpis.Properties.TableInput.TableType).toBe('EXTERNAL_TABLE');
  });

  it("reads the kpis folder of the scan's state, in the archive bucket", () => {
    const root = stateRoot();
    expect(root).toMatch(/^s3:\/\/<BucketsArchive[0-9A-F]+>\/state$/);
    expect(glue.render(stack.kpis.Properties.TableInput.StorageDescriptor.Location)).toBe(
      `${root}/kpis/`,
    );
  });

  it('projects the date partition onto date=YYYY-MM-DD folders up to today, as incident_history does', () => {
    glue.expectDailyDateProjection(stack.kpis, `${stateRoot()}/kpis/`, stack.incidents);
    expect(stack.kpis.Properties.TableInput.Parameters['projection.date.range']).toMatch(
      /^\d{4}-\d{2}-\d{2},NOW$/,
    );
  });

  it('projects onto the object the state store writes a day to', () => {
    // The S3 state store keys a day's rows as `<state prefix>/` + dailyKpisKey(day).
    glue.expectInDayFolder(
      stack.kpis,
      '2026-11-03',
      `${stateRoot()}/${dailyKpisKey('2026-11-03')}`,
    );
  });

  it('parses the lines with the OpenX JSON SerDe as text input', () => {
    const { SerdeInfo, InputFormat } = stack.kpis.Properties.TableInput.StorageDescriptor;
    expect(SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(InputFormat).toBe('org.apache.hadoop.mapred.TextInputFormat');
  });

  it('has snake_case columns of the right types, and no date column beside the partition', () => {
    const columns = stack.kpis.Properties.TableInput.StorageDescriptor.Columns;
    expect(columns).toEqual(
      expect.arrayContaining([
        { Name: 'charger_id', Type: 'string' },
        { Name: 'connector_id', Type: 'string' },
        { Name: 'sessions', Type: 'int' },
        { Name: 'successful_sessions', Type: 'int' },
        { Name: 'charging_success_rate', Type: 'double' },
        { Name: 'energy_delivered_kwh', Type: 'double' },
        { Name: 'mean_efficiency_percent', Type: 'double' },
        { Name: 'critical_findings', Type: 'int' },
      ]),
    );
    for (const { Name } of columns) expect(Name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(new Set(columns.map((c) => c.Name)).size).toBe(columns.length);
    expect(columns.map((c) => c.Name)).not.toContain('date');
    expect(columns.map((c) => c.Name)).not.toContain('session_keys');
  });
});

describe('the daily_connector_kpis column mapping, against rows the scan writes', () => {
  const DAY = '2026-11-03';
  const finding = (sessionId: string): Finding => ({
    rule: 'breaker-open-under-load',
    severity: 'critical',
    chargerId: 'HPC-007',
    connectorId: '2',
    sessionId,
    title: 'DC breaker opened under load',
    message: 'The DC breaker opened with 180 A flowing.',
    evidence: { currentAmps: 180 },
    fingerprint: fingerprintOf('breaker-open-under-load', 'HPC-007', '2', sessionId),
  });
  const session = (
    sessionId: string,
    connectorId: string,
    facts: Partial<KpiSession['facts']>,
    findings: Finding[] = [],
  ): KpiSession => ({
    key: `${sessionId}@${DAY}`,
    origin: { chargerId: 'HPC-007', connectorId },
    facts: { day: DAY, reachedTarget: true, faultedMinutes: 0, ...facts },
    findings,
  });

  /** Lines as the state store writes them: the rollup's rows through its JSON Lines writer. */
  function writtenLines(): Record<string, unknown>[] {
    const rows = rollUpDay([], DAY, [
      session('S-1', '1', { deliveredWh: 182_400, efficiencyPercent: 94.5 }),
      session('S-2', '1', { deliveredWh: 97_150, efficiencyPercent: 95.25 }),
      session('S-3', '2', { deliveredWh: 12_000, reachedTarget: false, faultedMinutes: 7.5 }, [
        finding('S-3'),
      ]),
    ]);
    const lines = kpiRowsToJsonLines(rows).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('maps every column to a key each line has, spelled exactly', () => {
    for (const line of writtenLines())
      for (const [column, key] of glue.keysByColumn(stack.kpis))
        expect(Object.keys(line), `column ${column.Name} reads "${key}"`).toContain(key);
  });

  it('leaves no key of a line without a column, but the partition date and the session keys', () => {
    const read = new Set(glue.keysByColumn(stack.kpis).map(([, key]) => key));
    for (const line of writtenLines()) {
      expect(Object.keys(line).filter((key) => !read.has(key))).toEqual(['date', 'sessionKeys']);
      // The partition the row is filed under is the day the row says.
      expect(line.date).toBe(DAY);
    }
    const { Columns, SerdeInfo } = stack.kpis.Properties.TableInput.StorageDescriptor;
    for (const property of Object.keys(SerdeInfo.Parameters).filter((p) =>
      p.startsWith('mapping.'),
    ))
      expect(Columns.map((c) => c.Name)).toContain(property.slice('mapping.'.length));
  });

  it('gives every column a type its value in the line fits (a null mean reads as NULL)', () => {
    let nulls = 0;
    for (const line of writtenLines()) {
      for (const [column, key] of glue.keysByColumn(stack.kpis)) {
        const value = line[key];
        const where = `column ${column.Name} (${column.Type}) reading "${key}": ${JSON.stringify(value)}`;
        if (column.Type === 'string') expect(typeof value, where).toBe('string');
        else if (column.Type === 'int') expect(Number.isInteger(value), where).toBe(true);
        else if (column.Type === 'double') {
          if (value === null) nulls++;
          else expect(Number.isFinite(value), where).toBe(true);
        } else expect.fail(`${where}: a type this test does not know`);
      }
    }
    expect(nulls).toBe(1); // connector 2 had no session whose efficiency could be judged
  });

  it('puts the figures where their columns look', () => {
    const [first, second] = writtenLines();
    const byColumn = (line: Record<string, unknown> | undefined) =>
      Object.fromEntries(glue.keysByColumn(stack.kpis).map(([c, key]) => [c.Name, line?.[key]]));
    expect(byColumn(first)).toMatchObject({
      charger_id: 'HPC-007',
      connector_id: '1',
      sessions: 2,
      successful_sessions: 2,
      fault_free_sessions: 2,
      charging_success_rate: 1,
      energy_delivered_kwh: 279.6, // 182.4 + 97.15 = 279.55, to 0.1
      mean_efficiency_percent: 94.88, // (94.5 + 95.25) / 2 = 94.875, to 0.01
      efficiency_sessions: 2,
      critical_findings: 0,
    });
    expect(byColumn(second)).toMatchObject({
      connector_id: '2',
      sessions: 1,
      successful_sessions: 0,
      charging_success_rate: 0,
      mean_efficiency_percent: null,
      faulted_minutes: 7.5,
      findings: 1,
      critical_findings: 1,
    });
  });
});
