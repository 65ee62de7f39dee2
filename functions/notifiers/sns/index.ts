import { regionOfArn, snsClient } from '../../adapters/aws-clients.ts';
import { SnsAlerts } from '../../adapters/sns-alerts.ts';
import { isSnsTopicArn } from '../../adapters/sns-arn.ts';
import { defineNotifier } from '../notifier.ts';

/**
 * An SNS topic ARN: one message per charger and severity with a body per protocol (email,
 * AWS Chatbot, JSON) and attributes for subscription filters. On AWS the scan publishes only
 * here, and the notifier function subscribed to the topic delivers the remote channels.
 */
export const snsNotifier = defineNotifier<string>({
  type: 'sns',
  summary: 'an SNS topic ARN: email, AWS Chatbot and the notifier function subscribe to it',
  remote: false,
  accepts: isSnsTopicArn,
  describe: (arn) => arn,
  create: (topicArn, context) =>
    new SnsAlerts((context.sns ?? snsClient)(regionOfArn(topicArn)), {
      topicArn,
      archiveLocation: context.archiveLocation,
    }),
});
