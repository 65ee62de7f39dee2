import { Aws } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { encodeKeySegment } from '../../functions/core/archive-layout.ts';
import { type Column, INCIDENT_COLUMNS, KPI_COLUMNS, REPORT_COLUMNS } from './table-columns.ts';

/** Props of the Athena table over the archive. */
export interface ReportTableProps {
  readonly archive: s3.IBucket;
  /** The key prefix of the archive in the bucket, e.g. `archive`. */
  readonly archivePrefix: string;
  /** The key prefix of the scan state in the same bucket, e.g. `state`; the daily KPIs live under it. */
  readonly statePrefix: string;
  readonly results: s3.IBucket;
  /**
   * The depots and their chargers and connectors to project. A depot with a name puts a
   * `depot` partition before `charger` (the archive layout of a config of several depots);
   * one without is the one-fleet layout. Without chargers, queries must name a charger.
   * @default one unnamed depot with no chargers
   */
  readonly depots?: readonly ProjectedDepot[];
}

/** One depot as the tables project it. */
export interface ProjectedDepot {
  /** The depot's name; undefined for a config of one fleet. @default none */
  readonly name?: string;
  readonly fleet: readonly { chargerId: string; connectors: readonly string[] }[];
}

/**
 * The most chargers the reports table enumerates. Above it the charger partition is
 * `injected` (queries name their chargers): a 20,000-charger list would weigh 250 KB in the
 * table definition and let one careless query plan millions of partitions. Every fleet an
 * SSM parameter could hold (about 2,400 chargers) stays enumerated as before.
 */
export const MAX_ENUMERATED_CHARGERS = 2_500;

/**
 * A Glue table over the raw reports with partition projection on charger, connector and
 * date, so `SELECT ... FROM session_reports WHERE date >= '2026-11-01'` works with no crawler,
 * a table `incident_history` over the notices the scan delivered (projected on the run's UTC
 * date), a table `daily_connector_kpis` over the daily rollup the scan keeps per connector
 * (`state/kpis/date=YYYY-MM-DD/kpis.jsonl`, projected on the session day), and an Athena
 * workgroup whose results go to the log bucket.
 *
 * Example, notices per rule per week:
 *
 * ```sql
 * SELECT date_trunc('week', date(date)) AS week, rule, event, count(*) AS notices
 * FROM depot_watch.incident_history
 * WHERE date >= '2026-11-01'
 * GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
 * ```
 *
 * and incidents still open, by charger (opened, and no resolve notice since):
 *
 * ```sql
 * SELECT charger_id, connector_id, incident, rule, max_by(severity, notice_at) AS severity,
 *        min(notice_at) AS opened_at
 * FROM depot_watch.incident_history
 * WHERE date >= '2026-10-01'
 * GROUP BY charger_id, connector_id, incident, rule
 * HAVING count_if(event = 'resolve') = 0
 * ORDER BY charger_id, opened_at;
 * ```
 *
 * and the charging success rate per charger per week, weighted by sessions (a connector with
 * one session a day must not count as much as one with forty):
 *
 * ```sql
 * SELECT charger_id, date_trunc('week', date(date)) AS week, sum(sessions) AS sessions,
 *        round(100.0 * sum(successful_sessions) / nullif(sum(sessions), 0), 1) AS success_pct,
 *        round(100.0 * sum(fault_free_sessions) / nullif(sum(sessions), 0), 1) AS fault_free_pct,
 *        round(sum(efficiency_sum_percent) / nullif(sum(efficiency_sessions), 0), 2) AS efficiency_pct,
 *        round(sum(energy_delivered_wh) / 1000, 1) AS energy_kwh
 * FROM depot_watch.daily_connector_kpis
 * WHERE date >= '2026-11-01'
 * GROUP BY 1, 2 ORDER BY 1, 2;
 * ```
 */
export class ReportTable extends Construct {
  readonly databaseName = 'depot_watch';
  readonly tableName = 'session_reports';
  readonly incidentTableName = 'incident_history';
  readonly kpiTableName = 'daily_connector_kpis';
  readonly workgroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: ReportTableProps) {
    super(scope, id);
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'depot-watch session report archive' },
    });
    const reports = `s3://${props.archive.bucketName}/${props.archivePrefix}/reports`;
    const fleet = props.depots?.flatMap((d) => d.fleet) ?? [];
    const depotNames = (props.depots ?? []).flatMap((d) =>
      d.name === undefined ? [] : [encodeKeySegment(d.name)],
    );
    const byDepot = depotNames.length > 0;
    const allChargers = [...new Set(fleet.map((c) => encodeKeySegment(c.chargerId)))];
    const chargers = allChargers.length <= MAX_ENUMERATED_CHARGERS ? allChargers : [];
    const connectors = [...new Set(fleet.flatMap((c) => c.connectors.map(encodeKeySegment)))];
    const projection = (name: string, values: string[]) =>
      values.length > 0
        ? { [`projection.${name}.type`]: 'enum', [`projection.${name}.values`]: values.join(',') }
        : { [`projection.${name}.type`]: 'injected' };
    const depotPartition = byDepot ? [{ name: 'depot', type: 'string' }] : [];
    const depotFolder = byDepot ? `depot=\${depot}/` : '';

    const table = new glue.CfnTable(this, 'Table', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        tableType: 'EXTERNAL_TABLE',
        description: 'One row per DepotFinity session report, as received',
        partitionKeys: [
          ...depotPartition,
          { name: 'charger', type: 'string' },
          { name: 'connector', type: 'string' },
          { name: 'date', type: 'string' },
        ],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          ...(byDepot ? projection('depot', depotNames) : {}),
          ...projection('charger', chargers),
          ...projection('connector', connectors),
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2020-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${reports}/${depotFolder}charger=\${charger}/connector=\${connector}/date=\${date}/`,
        },
        storageDescriptor: {
          location: `${reports}/`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'true' },
          },
          columns: REPORT_COLUMNS.map(([name, type]) => ({ name, type })),
        },
      },
    });
    table.addResourceDependency(database);

    const root = `s3://${props.archive.bucketName}`;
    this.#datedJsonTable('IncidentTable', {
      name: this.incidentTableName,
      description: 'One row per incident notice a scan delivered, with the run that sent it',
      location: `${root}/${props.archivePrefix}/incidents`,
      columns: INCIDENT_COLUMNS,
    }).addResourceDependency(database);
    // Each depot keeps its KPIs in its own state folder: state/depot=<name>/kpis/date=.../.
    this.#datedJsonTable('KpiTable', {
      name: this.kpiTableName,
      description: 'One row per connector and UTC day (by session start): the daily KPI rollup',
      location: `${root}/${props.statePrefix}${byDepot ? '' : '/kpis'}`,
      ...(byDepot ? { depots: depotNames, folder: 'kpis' } : {}),
      columns: KPI_COLUMNS,
    }).addResourceDependency(database);

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: 'depot-watch',
      description: 'Queries over the depot-watch archive',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${props.results.bucketName}/athena-results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }

  /**
   * A table over JSON Lines files in `<location>/date=YYYY-MM-DD/`, projected on that date, its
   * camelCase keys read into snake_case columns through the SerDe's `mapping.<column>`. With
   * `depots`, the files are in `<location>/depot=<name>/<folder>/date=YYYY-MM-DD/` and `depot`
   * is a partition too, enumerated.
   */
  #datedJsonTable(
    id: string,
    table: {
      name: string;
      description: string;
      location: string;
      columns: readonly Column[];
      depots?: readonly string[];
      folder?: string;
    },
  ): glue.CfnTable {
    const depots = table.depots ?? [];
    const template =
      depots.length > 0
        ? `${table.location}/depot=\${depot}/${table.folder}/date=\${date}/`
        : `${table.location}/date=\${date}/`;
    return new glue.CfnTable(this, id, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: table.name,
        tableType: 'EXTERNAL_TABLE',
        description: table.description,
        partitionKeys: [
          ...(depots.length > 0 ? [{ name: 'depot', type: 'string' }] : []),
          { name: 'date', type: 'string' },
        ],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          ...(depots.length > 0
            ? { 'projection.depot.type': 'enum', 'projection.depot.values': depots.join(',') }
            : {}),
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2020-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': template,
        },
        storageDescriptor: {
          location: `${table.location}/`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: {
              'ignore.malformed.json': 'true',
              ...Object.fromEntries(
                table.columns.flatMap(([name, , key]) =>
                  key === undefined ? [] : [[`mapping.${name}`, key]],
                ),
              ),
            },
          },
          columns: table.columns.map(([name, type]) => ({ name, type })),
        },
      },
    });
  }
}
