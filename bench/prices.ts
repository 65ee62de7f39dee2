/**
 * AWS list prices the cost benchmarks use, us-east-1 / eu-west-1, as published on `date`: one
 * dated table, so every benchmark prices at the same date and a price change is made once.
 */
export const PRICES = {
  date: '2026-11-01',
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** PUT, COPY, POST and LIST share one price. */
  s3PutOrList: 0.005 / 1_000,
  s3Get: 0.0004 / 1_000,
  s3StorageGbMonth: 0.023,
  snsPublish: 0.5 / 1e6,
  snsEmail: 2 / 100_000,
  logsIngestGb: 0.5,
} as const;
