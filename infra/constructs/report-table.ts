import { Aws } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { encodeKeySegment } from '../../functions/core/archive-layout.ts';

/** Props of the Athena table over the archive. */
export interface ReportTableProps {
  readonly archive: s3.IBucket;
  /** The key prefix of the archive in the bucket, e.g. `archive`. */
  readonly archivePrefix: string;
  readonly results: s3.IBucket;
  /** Charger ids and connector ids to project; without them, queries must name a charger. */
  readonly fleet?: readonly { chargerId: string; connectors: readonly string[] }[];
}

/**
 * A Glue table over the raw reports with partition projection on charger, connector and
 * date, so `SELECT ... FROM session_reports WHERE date >= '2026-11-01'` works with no crawler,
 * a table `incident_history` over the notices the scan delivered (projected on the run's UTC
 * date), and an Athena workgroup whose results go to the log bucket.
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
 */
export class ReportTable extends Construct {
  readonly databaseName = 'depot_watch';
  readonly tableName = 'session_reports';
  readonly incidentTableName = 'incident_history';
  readonly workgroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: ReportTableProps) {
    super(scope, id);
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'depot-watch session report archive' },
    });
    const reports = `s3://${props.archive.bucketName}/${props.archivePrefix}/reports`;
    const chargers = [...new Set(props.fleet?.map((c) => encodeKeySegment(c.chargerId)) ?? [])];
    const connectors = [
      ...new Set(props.fleet?.flatMap((c) => c.connectors.map(encodeKeySegment)) ?? []),
    ];
    const projection = (name: string, values: string[]) =>
      values.length > 0
        ? { [`projection.${name}.type`]: 'enum', [`projection.${name}.values`]: values.join(',') }
        : { [`projection.${name}.type`]: 'injected' };

    const table = new glue.CfnTable(this, 'Table', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        tableType: 'EXTERNAL_TABLE',
        description: 'One row per DepotFinity session report, as received',
        partitionKeys: [
          { name: 'charger', type: 'string' },
          { name: 'connector', type: 'string' },
          { name: 'date', type: 'string' },
        ],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          ...projection('charger', chargers),
          ...projection('connector', connectors),
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2020-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${reports}/charger=\${charger}/connector=\${connector}/date=\${date}/`,
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

    const incidents = `s3://${props.archive.bucketName}/${props.archivePrefix}/incidents`;
    const history = new glue.CfnTable(this, 'IncidentTable', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: this.incidentTableName,
        tableType: 'EXTERNAL_TABLE',
        description: 'One row per incident notice a scan delivered, with the run that sent it',
        partitionKeys: [{ name: 'date', type: 'string' }],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2020-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${incidents}/date=\${date}/`,
        },
        storageDescriptor: {
          location: `${incidents}/`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: {
              'ignore.malformed.json': 'true',
              ...Object.fromEntries(
                INCIDENT_COLUMNS.flatMap(([name, , key]) =>
                  key === undefined ? [] : [[`mapping.${name}`, key]],
                ),
              ),
            },
          },
          columns: INCIDENT_COLUMNS.map(([name, type]) => ({ name, type })),
        },
      },
    });
    history.addResourceDependency(database);

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
}

/** The report fields as Hive types; unknown fields stay in the raw JSON, readable with json functions. */
const REPORT_COLUMNS: [string, string][] = [
  ['sessionid', 'string'],
  ['vehicleid', 'string'],
  ['sessiontimestart', 'string'],
  ['sessiontimeend', 'string'],
  ['energysocstart', 'double'],
  ['energysocend', 'double'],
  ['energychargestart', 'double'],
  ['energychargeend', 'double'],
  ['energyprimarystart', 'double'],
  ['energyprimaryend', 'double'],
  ['energyrequestedstart', 'double'],
  ['energyrequestedend', 'double'],
  ['ocppstatus', 'array<struct<value:string,eventtimestamp:string>>'],
  ['detailstatus', 'array<struct<key:string,value:string,eventtimestamp:string>>'],
  [
    'devicestatus',
    'array<struct<deviceid:string,status:string,eventtimestamp:string,errorcodes:array<struct<errorcode:string,errorcounter:double>>>>',
  ],
  [
    'chargeparameters',
    'array<struct<paramtype:string,maxpower:double,maxcurrent:double,maxvoltage:double,mincurrent:double,minvoltage:double,eventtimestamp:string>>',
  ],
  ['sessionmetervalues', 'array<struct<key:string,value:double,eventtimestamp:string>>'],
  [
    'batteryalignmentresults',
    'struct<inrange:boolean,presentvoltage:double,requestedvoltage:double,eventtimestamp:string>',
  ],
  ['dcbreakeropenconditions', 'struct<current:double,voltage:double,eventtimestamp:string>'],
];

/**
 * The columns of the incident history: one JSON line per delivered notice, written by the scan
 * as `JSON.stringify({ runId, ...notice })` with `notice` an `IncidentNotification`. Each entry
 * is [column, Hive type, JSON key when it differs from the column]. Athena column names are
 * lower case; camelCase keys are mapped with the SerDe's `mapping.<column>` properties (the
 * SerDe lower-cases keys and mapped names alike, so casing never decides a match). `at` is
 * not reserved, but `notice_at` reads better next to `AT TIME ZONE` and the partition date.
 *
 * `evidence` is an object of scalars (string, number, boolean); as `map<string,string>` every
 * value reads as its text, so `evidence['socPercent']` works whatever the rule put there and
 * new evidence keys need no schema change. `context` (the findings an incident explains) keeps
 * only the scalar fields that say what and where; its own evidence stays in the raw JSON.
 */
const INCIDENT_COLUMNS: [string, string, string?][] = [
  ['run_id', 'string', 'runId'],
  ['id', 'string'],
  ['event', 'string'],
  ['incident', 'string'],
  ['rule', 'string'],
  ['subject', 'string'],
  ['charger_id', 'string', 'chargerId'],
  ['connector_id', 'string', 'connectorId'],
  ['vehicle_id', 'string', 'vehicleId'],
  ['severity', 'string'],
  ['notice_at', 'string', 'at'],
  ['session_ids', 'array<string>', 'sessionIds'],
  ['failed_sessions', 'int', 'failedSessions'],
  ['occurrence', 'int'],
  ['title', 'string'],
  ['message', 'string'],
  ['evidence', 'map<string,string>'],
  [
    'context',
    'array<struct<rule:string,severity:string,chargerid:string,connectorid:string,sessionid:string,title:string,message:string>>',
  ],
];
