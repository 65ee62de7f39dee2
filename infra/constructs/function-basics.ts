import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { nodeOptions } from '../../functions/lambda/memory-budget.ts';
import { lambdaBundling } from '../bundling.ts';

/** What sets one scheduled depot-watch function apart from another. */
export interface ScheduledFunctionProps {
  /** The handler's source. */
  readonly entry: string;
  /** The role's description. */
  readonly roleDescription: string;
  /** Why the failures queue has no dead-letter queue of its own, for cdk-nag. */
  readonly failuresReason: string;
  readonly memoryMb: number;
  readonly timeoutMinutes: number;
  /** The function's own variables; NODE_OPTIONS is added. */
  readonly environment: Record<string, string>;
  /** Anything else the function needs (concurrency, layers). */
  readonly extra?: Omit<nodejs.NodejsFunctionProps, 'environment' | 'retryAttempts'>;
  /**
   * Lambda's own retries of a failed asynchronous invocation before it goes to the queue.
   * @default 0 (a scheduled run is retried by its schedule, and made up by the next run)
   */
  readonly retryAttempts?: number;
}

/** The function, its role and the queue its failed invocations land in. */
export interface ScheduledFunctionParts {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly failures: sqs.Queue;
}

/**
 * What every scheduled depot-watch function has, made in `scope` under the ids
 * `FailedInvocations`, `Logs`, `Role` and `Function` (their logical ids must not change, or a
 * deploy replaces them): an encrypted failures queue, a log group kept three months, a role
 * that may write only to it, and an arm64 Node function bundled by the local esbuild that
 * sends failures to the queue. The role gets nothing else: the caller grants what it reads.
 */
export function scheduledFunction(
  scope: Construct,
  props: ScheduledFunctionProps,
): ScheduledFunctionParts {
  const failures = new sqs.Queue(scope, 'FailedInvocations', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(failures).acknowledge({ id: 'AwsSolutions-SQS3', reason: props.failuresReason });
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  logGroup.grantWrite(role);

  const fn = new nodejs.NodejsFunction(scope, 'Function', {
    ...props.extra,
    entry: props.entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memoryMb,
    timeout: Duration.minutes(props.timeoutMinutes),
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      ...props.environment,
      // The heap stays within the function's memory (see heapLimitMb and semiSpaceMb).
      NODE_OPTIONS: nodeOptions(props.memoryMb),
    },
    bundling: lambdaBundling(),
    // The schedule's target retries a failed run, then it lands in the queue: no Lambda-level
    // retries on top, unless the function is invoked by other than a schedule.
    retryAttempts: props.retryAttempts ?? 0,
    onFailure: new SqsDestination(failures),
  });

  const functionId = Stack.of(scope).getLogicalId(fn.node.defaultChild as CfnElement);
  Validations.of(Stack.of(scope)).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
    reason: 'The scheduler role may invoke this one function, any version or alias of it.',
  });
  return { function: fn, role, failures };
}
