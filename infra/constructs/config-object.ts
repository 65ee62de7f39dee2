import {
  type CfnElement,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/** Props of the config object. */
export interface ConfigObjectProps {
  /** The config as the function reads it: JSON, or the `gzip:` + base64 form of packConfig. */
  readonly body: string;
  /** Where the bucket's access logs go. */
  readonly accessLogs: s3.IBucket;
  /** The object's key. @default 'config/scan-config.json' */
  readonly key?: string;
}

/**
 * The scan config as one S3 object, for configs larger than an SSM parameter holds (8 KB
 * packed): a bucket of its own (versioned, so every deployed config stays on record; encrypted,
 * private, SSL only, access-logged, kept when the stack goes) and the deployment that writes
 * the object from the synthesized asset, with no Docker.
 *
 * Why not the archive bucket: BucketDeployment grants its handler read, write and delete on
 * the whole destination bucket, not on a prefix; a deploy-time function that may delete
 * archived reports is a risk the archive should not carry for a file of settings.
 */
export class ConfigObject extends Construct {
  readonly bucket: s3.Bucket;
  readonly key: string;
  readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: ConfigObjectProps) {
    super(scope, id);
    this.key = props.key ?? 'config/scan-config.json';
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'config-access/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-old-configs', noncurrentVersionExpiration: Duration.days(90) },
      ],
    });
    const slash = this.key.lastIndexOf('/');
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.data(this.key.slice(slash + 1), props.body)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: slash < 0 ? undefined : this.key.slice(0, slash + 1),
      contentType: 'application/json',
      // The key is fixed and the function reloads it every 5 minutes, as it does the parameter.
      prune: true,
      retainOnDelete: true,
      memoryLimit: 512,
    });
    this.#acknowledgeDeploymentHandler();
  }

  /** `s3://<bucket>/<key>`, as DEPOT_WATCH_CONFIG_OBJECT takes it. */
  get uri(): string {
    return `s3://${this.bucket.bucketName}/${this.key}`;
  }

  /** Lets a role read this one object (GetObject on its key, nothing else). */
  grantRead(role: iam.IGrantable): void {
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(this.key)],
      }),
    );
  }

  /**
   * The deployment's handler is the CDK's own singleton function, made once per stack; what
   * cdk-nag finds on it is acknowledged there, finding by finding.
   */
  #acknowledgeDeploymentHandler(): void {
    const role = this.deployment.handlerRole;
    const handler = role.node.scope as Construct;
    const stack = Stack.of(this);
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    // The asset bucket the CDK bootstrap made, as the synthesizer names it.
    const qualifier =
      stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const copying =
      "The CDK's bucket-deployment handler copies the config asset into the config bucket during deployments: read on the CDK asset objects, read, write and delete on the config bucket alone.";
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "The CDK's bucket-deployment handler logs with the AWS-managed basic execution policy; it runs only during deployments.",
      },
      ...[
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`,
        `Resource::<${bucketId}.Arn>/*`,
      ].map((finding) => ({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason: copying })),
    );
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "The runtime of the CDK's bucket-deployment handler is chosen by aws-cdk-lib and moves with it.",
    });
  }
}
