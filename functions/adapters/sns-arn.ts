const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** Whether a config URI names an SNS topic. */
export function isSnsTopicArn(uri: string): boolean {
  return SNS_ARN.test(uri);
}
