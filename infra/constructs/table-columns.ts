/**
 * Column lists of the Athena tables. An entry is [column, Hive type, JSON key when it differs
 * from the column]: Athena column names are lower case; camelCase keys are mapped with the
 * OpenX SerDe's `mapping.<column>` properties (the SerDe lower-cases keys and mapped names
 * alike, so casing never decides a match).
 */
export type Column = readonly [name: string, type: string, key?: string];

/** The report fields as Hive types; unknown fields stay in the raw JSON, readable with json functions. */
export const REPORT_COLUMNS: readonly Column[] = [
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
 * as `JSON.stringify({ runId, ...notice })` with `notice` an `IncidentNotification`. `at` is
 * not reserved, but `notice_at` reads better next to `AT TIME ZONE` and the partition date.
 *
 * `evidence` is an object of scalars (string, number, boolean); as `map<string,string>` every
 * value reads as its text, so `evidence['socPercent']` works whatever the rule put there and
 * new evidence keys need no schema change. `context` (the findings an incident explains) keeps
 * only the scalar fields that say what and where; its own evidence stays in the raw JSON.
 * `depot` is the depot a line is from in a config of several (null in a one-fleet history).
 */
export const INCIDENT_COLUMNS: readonly Column[] = [
  ['run_id', 'string', 'runId'],
  ['depot', 'string'],
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
  ['window_days', 'int', 'windowDays'],
  ['title', 'string'],
  ['message', 'string'],
  ['evidence', 'map<string,string>'],
  [
    'context',
    'array<struct<rule:string,severity:string,chargerid:string,connectorid:string,sessionid:string,title:string,message:string>>',
  ],
];

/**
 * The columns of the daily KPI rollup: one JSON line per connector and day, a `DailyConnectorKpi`
 * as the scan writes it with `JSON.stringify`. `date` is the partition (the folder holds the
 * same day), so it is no column; `sessionKeys` only keeps the rollup from counting a session
 * twice and would make every row long, so it stays in the raw JSON. Rates are 0–1 fractions;
 * `mean_efficiency_percent` is null on a day where no session could be judged. The exact sums
 * (`energy_delivered_wh`, `efficiency_sum_percent`) let a query weigh days and connectors
 * rightly: `sum(efficiency_sum_percent) / sum(efficiency_sessions)`, never a mean of means.
 */
export const KPI_COLUMNS: readonly Column[] = [
  ['charger_id', 'string', 'chargerId'],
  ['connector_id', 'string', 'connectorId'],
  ['sessions', 'int'],
  ['successful_sessions', 'int', 'successfulSessions'],
  ['fault_free_sessions', 'int', 'faultFreeSessions'],
  ['charging_success_rate', 'double', 'chargingSuccessRate'],
  ['fault_free_rate', 'double', 'faultFreeRate'],
  ['energy_delivered_kwh', 'double', 'energyDeliveredKwh'],
  ['energy_delivered_wh', 'double', 'energyDeliveredWh'],
  ['mean_efficiency_percent', 'double', 'meanEfficiencyPercent'],
  ['efficiency_sessions', 'int', 'efficiencySessions'],
  ['efficiency_sum_percent', 'double', 'efficiencySumPercent'],
  ['faulted_minutes', 'double', 'faultedMinutes'],
  ['findings', 'int'],
  ['critical_findings', 'int', 'criticalFindings'],
];
