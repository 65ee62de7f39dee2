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
/** The incident subjects that are not a vehicle's (see IncidentSubject in the core). */
const NOT_VEHICLE = ['connector', 'charger', 'depot'] as const;

/** An email subscriber and the least severity it receives. */
export interface EmailSubscriber {
  readonly address: string;
  readonly minSeverity: Severity;
}

/** Props of the alert channels. */
export interface AlertChannelsProps {
  /** Email subscribers (the charger technicians) and the least severity each receives. @default none */
  readonly emails?: readonly EmailSubscriber[];
  /**
   * The vehicle maintenance team: they receive the incidents whose `subject` is `vehicle`, and
   * once there is one, `emails` stop receiving messages about vehicles alone.
   * @default none (vehicle incidents go to `emails` like any other)
   */
  readonly vehicleEmails?: readonly EmailSubscriber[];
  /** A Slack channel through AWS Chatbot; it receives every severity. @default none */
  readonly slack?: { workspaceId: string; channelId: string };
}

/**
 * The alert topics and who hears them: the scan's alerts, filtered per email by severity; the
 * watchdog's alarms and the weekly health report, which every subscriber receives unfiltered.
 * Plus an optional Slack channel on all three, and a dead-letter queue for deliveries that keep
 * failing.
 *
 * The alert and report topics are encrypted at rest with the AWS-managed key `alias/aws/sns`,
 * which costs nothing; only this stack's functions publish to them. The alarm topic is not
 * encrypted at rest: CloudWatch alarms cannot publish to a topic under the AWS-managed key, and
 * a customer-managed key for it would cost $1 a month, a third of the depot's budget, to guard
 * alarm names and metric values (no report, finding or credential ever goes through it).
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
  /** The weekly health report's notice; every address and the Slack channel hear it, unfiltered. */
  readonly reportTopic: sns.Topic;
  readonly deliveryDlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertChannelsProps = {}) {
    super(scope, id);
    const awsManaged = kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'depot-watch alerts',
      masterKey: awsManaged,
      enforceSSL: true,
    });
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'depot-watch watchdog alarms',
      enforceSSL: true,
    });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key, and alarm notifications carry only alarm names, states and metric values of this stack; a customer-managed key would cost $1 a month. Publishing still takes TLS (enforceSSL).',
    });
    // The report function publishes without message attributes, so no subscription here may
    // carry a filter policy (SNS would drop every report): every address gets it.
    this.reportTopic = new sns.Topic(this, 'ReportTopic', {
      displayName: 'depot-watch weekly health report',
      masterKey: awsManaged,
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

    // Vehicle incidents must reach someone: technicians lose them only to a vehicle team.
    const vehicleTeam = (props.vehicleEmails ?? []).length > 0;
    const technicians = (props.emails ?? []).map((subscriber) => ({
      ...subscriber,
      filterPolicy: {
        ...severityFilter(subscriber.minSeverity),
        ...(vehicleTeam ? notVehicleOnlyFilter() : {}),
      },
    }));
    const vehicles = (props.vehicleEmails ?? []).map((subscriber) => ({
      ...subscriber,
      filterPolicy: { ...severityFilter(subscriber.minSeverity), ...vehicleFilter() },
    }));
    for (const { address, filterPolicy } of [...technicians, ...vehicles]) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(address, {
          deadLetterQueue: this.deliveryDlq,
          filterPolicy,
        }),
      );
    }
    // Nobody watching the chargers or the buses outranks any severity: every address hears
    // the watchdog. (An address on both lists fails synth in parseDeployment.)
    for (const { address } of [...technicians, ...vehicles]) {
      this.alarmTopic.addSubscription(
        new subscriptions.EmailSubscription(address, { deadLetterQueue: this.deliveryDlq }),
      );
      this.reportTopic.addSubscription(
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
    channel.addNotificationTopic(this.reportTopic);
  }
}

function severityFilter(minSeverity: Severity) {
  return { severity: sns.SubscriptionFilter.stringFilter({ allowlist: AT_LEAST[minSeverity] }) };
}

/**
 * Messages about a vehicle: the `subject` attribute (a String.Array) holds `vehicle`. SNS
 * matches an exact string against each element of a String.Array separately
 * (https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html, "Exact matching").
 */
function vehicleFilter() {
  return { subject: sns.SubscriptionFilter.stringFilter({ allowlist: ['vehicle'] }) };
}

/**
 * Messages not about vehicles alone. `anything-but` on a String.Array matches only when none
 * of its elements is listed (same page, "Anything-but matching"), so on its own it would also
 * drop a message that mixed a vehicle with a connector; the allowlist of the other subjects,
 * ORed with it within the key ("at least one property value matches", sns-subscription-
 * filter-policies.html), keeps such a message. A subject added later still passes through
 * `anything-but`. The scan never mixes them (one message per vehicle), this is belt and braces.
 */
function notVehicleOnlyFilter() {
  return {
    subject: sns.SubscriptionFilter.stringFilter({
      allowlist: [...NOT_VEHICLE],
      denylist: ['vehicle'],
    }),
  };
}
