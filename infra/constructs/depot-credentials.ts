import { Arn, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { credentialsSecret } from './credentials-secret.ts';

/** A depot as the stack reads it from the config: its name and the secret it names, if any. */
export interface DepotSecretRef {
  readonly name: string;
  /** A Secrets Manager secret name or ARN. @default a secret the stack makes for the depot */
  readonly credentialsSecret?: string;
}

/** Props of the depots' credentials. */
export interface DepotCredentialsProps {
  /** The config's depots, in config order. */
  readonly depots: readonly DepotSecretRef[];
}

/**
 * The credentials of several depots. A depot that names its secret (`credentialsSecret`, a
 * name or an ARN) keeps it: the stack only grants reading it. A depot that names none gets a
 * secret of its own, named `<stack>/depot/<depot>` so that the deployed config can carry that
 * name as plain text (a fixed string packs into the parameter; a token could not): each depot
 * of a transit operator has its own DepotFinity client in its own region, and one secret per
 * depot keeps a refused or rotated client from touching the others.
 */
export class DepotCredentials extends Construct {
  /** The secret each depot's function reads, by depot name: given, or made here. */
  readonly secretIds: ReadonlyMap<string, string>;
  /** The secrets made here, by depot name. */
  readonly created: ReadonlyMap<string, secretsmanager.Secret>;
  /** ARNs (with `-??????` for a name) that GetSecretValue is granted on, for depots naming theirs. */
  readonly namedArns: readonly string[];

  constructor(scope: Construct, id: string, props: DepotCredentialsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const secretIds = new Map<string, string>();
    const created = new Map<string, secretsmanager.Secret>();
    const namedArns: string[] = [];
    for (const depot of props.depots) {
      if (depot.credentialsSecret) {
        secretIds.set(depot.name, depot.credentialsSecret);
        namedArns.push(secretArnPattern(stack, depot.credentialsSecret));
        continue;
      }
      const secretName = `${stack.stackName}/depot/${depot.name}`;
      const secret = credentialsSecret(this, `Depot-${depot.name}`, {
        secretName,
        description: `DepotFinity client credentials of depot ${depot.name}: {"clientId": "...", "clientSecret": "..."}`,
      });
      secretIds.set(depot.name, secretName);
      created.set(depot.name, secret);
    }
    this.secretIds = secretIds;
    this.created = created;
    this.namedArns = [...new Set(namedArns)];
  }

  /** Lets a role read every depot's secret, each by its own ARN (or name pattern): nothing else. */
  grantRead(role: iam.IRole): void {
    for (const secret of this.created.values()) secret.grantRead(role);
    if (this.namedArns.length === 0) return;
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...this.namedArns],
      }),
    );
    for (const arn of this.namedArns.filter((a) => a.endsWith('-??????'))) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(Stack.of(this), arn)}]`,
        reason:
          "A secret named in the config by its name: its ARN ends in six random characters that only '-??????' matches, and that matches this one name alone.",
      });
    }
  }
}

/** The six random characters Secrets Manager appends to a secret's name in its ARN. */
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * The ARN to grant for a secret named in the config: a complete ARN as given; a name (or a
 * partial ARN, without the random suffix) with `-??????`, which matches that name and no
 * longer one (`north` does not match `north-old-Ab12Cd`).
 */
export function secretArnPattern(stack: Stack, secret: string): string {
  if (secret.startsWith('arn:')) {
    const { resourceName } = Arn.split(secret, ArnFormat.COLON_RESOURCE_NAME);
    return resourceName && RANDOM_SUFFIX.test(resourceName) ? secret : `${secret}-??????`;
  }
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secret}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * An ARN as cdk-nag names it in a finding: the resolved `Fn::Join` with each `Ref` written
 * `<AWS::Partition>`, so the acknowledgement covers exactly this resource.
 */
function nagArn(stack: Stack, arn: string): string {
  const resolved = stack.resolve(arn) as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof resolved === 'string') return resolved;
  const [separator, parts] = resolved['Fn::Join'];
  return parts
    .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
    .join(separator);
}
