/**
 * AWS list prices the cost benchmarks use, us-east-1 / eu-west-1 on-demand, without free
 * tiers (they belong to the account, not to this stack), as published on `date`: one dated
 * table, so every benchmark prices at the same date and a price change is made once. Each
 * price names the public pricing page it was read from.
 */
export const PRICES = {
  date: '2026-11-01',
  /** AWS Lambda pricing: arm64, first 7.5 billion GB-seconds a month. */
  lambdaArmGbSecond: 0.0000133334,
  /** AWS Lambda pricing: requests, either architecture. */
  lambdaRequest: 0.2 / 1e6,
  /** Amazon S3 pricing, Requests & data retrievals: PUT, COPY, POST and LIST share one price. */
  s3PutOrList: 0.005 / 1_000,
  /** Amazon S3 pricing, Requests & data retrievals: GET, SELECT and all other requests (HEAD). */
  s3Get: 0.0004 / 1_000,
  /** Amazon S3 pricing, Storage: S3 Standard, first 50 TB a month. */
  s3StorageGbMonth: 0.023,
  /** Amazon SNS pricing: standard topic publishes; each 64 KB chunk of a publish is one request. */
  snsPublish: 0.5 / 1e6,
  /** Amazon SNS pricing: email and email-JSON notification deliveries. */
  snsEmail: 2 / 100_000,
  /** Amazon SNS pricing: HTTP/S notification deliveries (AWS Chatbot subscribes over HTTPS). */
  snsHttps: 0.6 / 1e6,
  /** Amazon CloudWatch pricing, Logs: standard log ingestion (collect), per GB. */
  logsIngestGb: 0.5,
  /** Amazon CloudWatch pricing, Logs: storage (archive), per GB-month of compressed data. */
  logsStorageGbMonth: 0.03,
  /** Amazon CloudWatch pricing, Metrics: custom metric (name × dimension set), first 10,000, per month. */
  cwCustomMetricMonth: 0.3,
  /**
   * Amazon CloudWatch pricing, Alarms: standard resolution, per alarm metric-month; a metric-math
   * alarm pays for each metric it reads, a composite alarm $0.50 on top of its children.
   */
  cwStandardAlarmMonth: 0.1,
  /** Amazon CloudWatch pricing, Dashboards: per dashboard-month beyond the first three. */
  cwDashboardMonth: 3,
  /**
   * Amazon CloudWatch pricing, free tier: 3 dashboards of up to 50 metrics each, per account.
   * The one free tier the bill counts, stated in its line: a depot's account rarely has three.
   */
  cwFreeDashboards: 3,
  /** AWS Secrets Manager pricing: per secret-month. */
  secretMonth: 0.4,
  /** AWS Secrets Manager pricing: API calls. */
  secretApiCall: 0.05 / 10_000,
  /** AWS Key Management Service pricing: customer-managed key, per key-month (rotations add to it). */
  kmsKeyMonth: 1,
  /** AWS Key Management Service pricing: symmetric requests. */
  kmsRequest: 0.03 / 10_000,
  /** AWS Systems Manager pricing, Parameter Store: standard parameters and standard throughput. */
  ssmStandardParameterMonth: 0,
  /** AWS Systems Manager pricing, Parameter Store: advanced parameter, per parameter-month. */
  ssmAdvancedParameterMonth: 0.05,
  /** Amazon EventBridge pricing, Scheduler: invocations (after 14 million free a month). */
  schedulerInvocation: 1 / 1e6,
  /** Amazon SQS pricing: standard queue requests (an idle dead-letter queue makes none). */
  sqsRequest: 0.4 / 1e6,
  /** Amazon EC2 pricing, Data Transfer: out to the internet, per GB after the first 100 GB. */
  transferOutGb: 0.09,
} as const;
