import { Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * A secret for a DepotFinity client's credentials. Its value is the random string Secrets
 * Manager generates, as in every earlier version of the stack: CloudFormation writes a changed
 * `SecretString` or `GenerateSecretString` over whatever an operator put in the secret, so
 * giving it a placeholder in the template would wipe the credentials of every deployment on
 * its next upgrade. The function takes any value that is not the credentials JSON (that
 * generated string, or `{"clientId": "", "clientSecret": ""}`) for "not configured yet".
 */
export function credentialsSecret(
  scope: Construct,
  id: string,
  props: { description: string; secretName?: string },
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, props);
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The vendor issues these client credentials; they are rotated through vendor support, not by a Lambda.',
  });
  return secret;
}
