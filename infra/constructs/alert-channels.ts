import { Duration, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

type Severity = 'info' | 'warning' | 'critical';
const AT_LEAST: Record<Severity, Severity[]> = {
  info: ['info', 'warning', 'critical'],
  warning: ['warning', 'critical'],
  critical: ['critical'],
};

/** Props of the alert channels. */
export interface AlertChannelsProps {
  /** Email subscribers and the least severity each receives. @default none */
  readonly emails?: readonly { address: string; minSeverity: Severity }[];
  /** A Slack channel through AWS Chatbot; it receives every severity. @default none */
  readonly slack?: { workspaceId: string; channelId: string };
}

/**
 * The alert topic and who hears it: encrypted with a customer-managed key (rotated) that
 * CloudWatch alarms may use, email subscriptions filtered by severity, an optional Slack
 * channel, and a dead-letter queue for deliveries that keep failing.
 */
export class AlertChannels extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly deliveryDlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertChannelsProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts depot-watch alerts at rest',
      enableKeyRotation: true,
    });
    // Alarms publish into the encrypted topic; without this grant their messages vanish silently.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'depot-watch alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.deliveryDlq = new sqs.Queue(this, 'DeliveryDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deliveryDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue for alert deliveries.',
    });

    for (const { address, minSeverity } of props.emails ?? []) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(address, {
          deadLetterQueue: this.deliveryDlq,
          filterPolicy: severityFilter(minSeverity),
        }),
      );
    }
    if (props.slack) this.#slack(props.slack);
  }

  #slack(slack: NonNullable<AlertChannelsProps['slack']>): void {
    // Chatbot only relays notifications here: its guardrail allows reading alarms, nothing more,
    // in place of the AdministratorAccess default.
    const guardrail = new iam.ManagedPolicy(this, 'ChatGuardrail', {
      description: 'depot-watch Slack channel may only read CloudWatch alarms',
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(guardrail).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'DescribeAlarms and GetMetricData take no resource-level scoping; both are read-only.',
    });
    const channel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
      slackChannelConfigurationName: 'depot-watch-alerts',
      slackWorkspaceId: slack.workspaceId,
      slackChannelId: slack.channelId,
      guardrailPolicies: [guardrail],
      loggingLevel: chatbot.LoggingLevel.ERROR,
    });
    channel.addNotificationTopic(this.topic);
  }
}

function severityFilter(minSeverity: Severity) {
  return { severity: sns.SubscriptionFilter.stringFilter({ allowlist: AT_LEAST[minSeverity] }) };
}
