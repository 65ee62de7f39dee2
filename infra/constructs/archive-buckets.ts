import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX } from './scan-function.ts';

/** Archive folders (reports, quarantine, incident history) whose objects are written once (`If-None-Match: *`) and never replaced. */
export const WRITE_ONCE_FOLDERS = ['reports', 'quarantine', 'incidents'] as const;

/** Props of the archive buckets. */
export interface ArchiveBucketsProps {
  /** Days to keep raw reports. @default kept forever */
  readonly archiveRetentionDays?: number;
  /** Object Lock days (governance mode) on the archive. @default no Object Lock */
  readonly objectLockDays?: number;
}

/**
 * The archive bucket (raw reports, quarantine, scan state) and the log bucket beside it
 * (S3 access logs, Athena results). Both block public access, encrypt, refuse plain HTTP and
 * outlive the stack; the archive is versioned.
 */
/** How long a replaced version of the state document is kept (the shorter rule wins in S3). */
export const STATE_VERSIONS_KEPT_DAYS = 1;

export class ArchiveBuckets extends Construct {
  readonly archive: s3.Bucket;
  readonly logs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketsProps = {}) {
    super(scope, id);
    this.logs = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(400) }],
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });

    this.archive = new s3.Bucket(this, 'Archive', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'archive-access/',
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.objectLockDays
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: s3.ObjectLockRetention.governance(
              Duration.days(props.objectLockDays),
            ),
          }
        : {}),
      // Reports are a few KB each: below the 128 KB that infrequent-access classes bill as a
      // minimum, so transitions would cost more than they save. Old versions and, if asked,
      // old reports expire instead.
      lifecycleRules: [
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
        // The state document is replaced every run: a day of old versions is enough to look
        // back at, and 30 days of them would cost more than the rest of the state.
        {
          id: 'expire-old-state-versions',
          prefix: 'state/',
          noncurrentVersionExpiration: Duration.days(STATE_VERSIONS_KEPT_DAYS),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // What the shards of a fanned-out run keep for its last step is read once, minutes
        // later; a few days leave time to look at a failed run.
        { id: 'expire-run-parts', prefix: 'state/runs/', expiration: Duration.days(3) },
        ...(props.archiveRetentionDays
          ? [
              {
                id: 'expire-old-reports',
                prefix: 'archive/reports/',
                expiration: Duration.days(props.archiveRetentionDays),
              },
            ]
          : []),
      ],
    });
    this.#refuseOverwrites();
  }

  /**
   * An archived report is the record of what the vendor sent: nobody, the function's role
   * included, may replace it. The function creates these keys only with `If-None-Match: *`,
   * which S3 refuses when the key exists; a PUT without that header is denied outright.
   * (Multipart uploads and copies into these folders are refused too; nothing uses them.)
   */
  #refuseOverwrites(): void {
    this.archive.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOverwritingArchivedReports',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: WRITE_ONCE_FOLDERS.map((folder) =>
          this.archive.arnForObjects(`${ARCHIVE_PREFIX}/${folder}/*`),
        ),
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }
}
