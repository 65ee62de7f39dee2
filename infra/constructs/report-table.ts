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
 * and an Athena workgroup whose results go to the log bucket.
 */
export class ReportTable extends Construct {
  readonly databaseName = 'depot_watch';
  readonly tableName = 'session_reports';
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
