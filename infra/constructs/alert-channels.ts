import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
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
 * The alert topics and who hears them, both encrypted with one customer-managed key (rotated):
 * the scan's alerts, filtered per email by severity, and the watchdog's alarms, which every
 * subscriber receives unfiltered. Plus an optional Slack channel on both, and a dead-letter
 * queue for deliveries that keep failing.
 *
 * Alarms need a topic of their own: CloudWatch notifications carry no message attributes, and
 * SNS never delivers a message without attributes to a subscription with an attribute filter
 * policy (not even one with `{"exists": false}`, which needs at least one attribute present).
 */
export class AlertChannels extends Construct {
  /** The scan's alerts; the function publishes here with a `severity` attribute. */
  readonly topic: sns.Topic;
  /** The watchdog's alarms; only CloudWatch alarms in this account publish here. */
  readonly alarmTopic: sns.Topic;
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
        conditions: this.#fromOwnAlarms(),
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'depot-watch alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'depot-watch watchdog alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL's policy only denies; with a topic policy in place CloudWatch needs an explicit
    // allow, limited to alarms of this account (no confused deputy).
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: this.#fromOwnAlarms(),
      }),
    );
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
      // Nobody watching the chargers outranks any severity: every address hears the watchdog.
      this.alarmTopic.addSubscription(
        new subscriptions.EmailSubscription(address, { deadLetterQueue: this.deliveryDlq }),
      );
    }
    if (props.slack) this.#slack(props.slack);
  }

  /** Conditions that admit CloudWatch only on behalf of this account's alarms. */
  #fromOwnAlarms(): Record<string, Record<string, string>> {
    const stack = Stack.of(this);
    return {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
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
    channel.addNotificationTopic(this.alarmTopic);
  }
}

function severityFilter(minSeverity: Severity) {
  return { severity: sns.SubscriptionFilter.stringFilter({ allowlist: AT_LEAST[minSeverity] }) };
}
