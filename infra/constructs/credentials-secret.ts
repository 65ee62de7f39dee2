import { SecretValue, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CREDENTIALS_PLACEHOLDER } from '../../functions/config/credentials.ts';

/**
 * A secret for a DepotFinity client's credentials, created holding the JSON placeholder
 * (`{"clientId": "", "clientSecret": ""}`) rather than a random string: a run that reads it
 * knows the deployment is not configured yet, and stays quiet instead of failing and alarming
 * until someone fills it. The placeholder is no secret, so it may sit in the template.
 */
export function credentialsSecret(
  scope: Construct,
  id: string,
  props: { description: string; secretName?: string },
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    ...props,
    secretStringValue: SecretValue.unsafePlainText(JSON.stringify(CREDENTIALS_PLACEHOLDER)),
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The vendor issues these client credentials; they are rotated through vendor support, not by a Lambda.',
  });
  return secret;
}
