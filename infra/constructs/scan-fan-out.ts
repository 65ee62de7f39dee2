import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** Props of the fanned-out scan. */
export interface ScanFanOutProps {
  /** The scan function: it plans, scans a shard and finishes, by the event's `kind`. */
  readonly function: lambda.IFunction;
  /** Shards a run is planned into: the map runs them all at once. */
  readonly shards: number;
  /** Minutes between runs. @default 15 */
  readonly scheduleMinutes?: number;
  /** How long a run may take, at most the interval (see runTimeoutMinutes). @default 10 */
  readonly runTimeoutMinutes?: number;
  /** Where a schedule that could not start a run lands. */
  readonly failures: sqs.IQueue;
}

/** Attempts after the first for a shard that failed; then its failure goes to Finish by name. */
export const SHARD_RETRIES = 2;

/**
 * A scan run spread over AWS's own engine when the fleet outgrows one invocation: a Step
 * Functions state machine (standard: a shard may run up to the function's timeout) of
 *
 *   Plan (`{kind: 'plan'}` → `{runId, startedAt, shards}`)
 *   → Shards, a Distributed Map over `$.shards`, one standard child execution per shard, each
 *     invoking `{kind: 'shard', runId, startedAt, shard}`, retried twice with backoff, and a
 *     final failure caught into `{shard, error}` so the map always finishes with every shard
 *   → Finish (`{kind: 'finish', runId, startedAt, shards}`), which runs the fleet-wide steps,
 *     publishes the metrics, and fails the execution when any shard or connector failed.
 *
 * The schedule starts one execution per interval. Every state, with its data (shard ids and
 * counts, never credentials), is logged, and X-Ray traces the runs.
 */
export class ScanFanOut extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ScanFanOutProps) {
    super(scope, id);
    const scheduleMinutes = props.scheduleMinutes ?? 15;
    const fn = props.function;

    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({ kind: 'plan' }),
      payloadResponseOnly: true,
    });

    const shard = new tasks.LambdaInvoke(this, 'ScanShard', {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({
        kind: 'shard',
        runId: sfn.JsonPath.stringAt('$.runId'),
        startedAt: sfn.JsonPath.stringAt('$.startedAt'),
        shard: sfn.JsonPath.objectAt('$.shard'),
      }),
      payloadResponseOnly: true,
      // The retrier below covers Lambda's own transient errors as well as the shard's.
      retryOnServiceExceptions: false,
    });
    // A shard throws only on errors worth another try (functions/lambda/fan-out-events.ts);
    // throttling, a cold start gone wrong and a 5xx from Lambda are among them.
    shard.addRetry({
      errors: [sfn.Errors.ALL],
      maxAttempts: SHARD_RETRIES,
      interval: Duration.seconds(10),
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const shardFailed = new sfn.Pass(this, 'ShardFailed', {
      comment: 'A shard that failed after its retries, named for Finish: {shard, error}',
      parameters: {
        shard: sfn.JsonPath.objectAt('$.shard'),
        error: sfn.JsonPath.objectAt('$.error'),
      },
    });
    shard.addCatch(shardFailed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const map = new sfn.DistributedMap(this, 'Shards', {
      itemsPath: '$.shards',
      itemSelector: {
        runId: sfn.JsonPath.stringAt('$.runId'),
        startedAt: sfn.JsonPath.stringAt('$.startedAt'),
        shard: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
      },
      // Every shard at once: the run is planned so that each fits the interval side by side.
      maxConcurrency: props.shards,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      // The outcomes are a few bytes a shard, returned inline to Finish beside the plan.
      resultPath: '$.shards',
      label: 'Shards',
    });
    map.itemProcessor(shard);

    const finish = new tasks.LambdaInvoke(this, 'Finish', {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({
        kind: 'finish',
        runId: sfn.JsonPath.stringAt('$.runId'),
        startedAt: sfn.JsonPath.stringAt('$.startedAt'),
        shards: sfn.JsonPath.listAt('$.shards'),
      }),
      payloadResponseOnly: true,
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'depot-watch: one scan run, fanned out over shards of the fleet',
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(map).next(finish)),
      timeout: Duration.minutes(props.runTimeoutMinutes ?? scheduleMinutes - 5),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.#acknowledgeWildcards();

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Starts a depot-watch scan run',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(scheduleMinutes)),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        maxEventAge: Duration.minutes(scheduleMinutes),
        deadLetterQueue: props.failures,
      }),
    });
  }

  /**
   * What the state machine's role needs beyond invoking the function: log delivery and X-Ray
   * (actions AWS defines on no resource), and the Distributed Map's own child executions.
   */
  #acknowledgeWildcards(): void {
    const id = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as CfnElement);
    const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${id}"}]}]}`;
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}`;
    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery (logs:CreateLogDelivery and the like) and X-Ray (xray:PutTraceSegments) take no resource ARN: AWS defines them on "*".',
      },
      ...[`${executions}:*`, `${executions}/Shards:*`].map((resource) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          "The Distributed Map starts, describes and stops this state machine's own child executions, whose names are made at run time.",
      })),
    );
  }
}
