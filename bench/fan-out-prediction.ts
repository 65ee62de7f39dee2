import {
  connectorsPerInvocation,
  type InvocationSize,
  msPerConnector,
  SCAN_MODEL,
} from '../functions/scan/capacity.ts';
import { connectorCount, planShards, type Shard, shardFleet } from '../functions/scan/shards.ts';
import { runTimeoutMinutes } from '../infra/scan-sizing.ts';
import {
  CONCURRENCY,
  CONNECTORS,
  LATENCY_MS,
  mib,
  PER_SHARD,
  seconds,
  type Timed,
} from './fan-out-setup.ts';
import { type Figure, fmt, simulatedFleet } from './harness.ts';

/** The prediction: a continent of depots at the stack's defaults. */
const PREDICTED = {
  chargers: 20_000,
  depots: 5,
  scheduleMinutes: 15,
  timeoutMinutes: 5,
  memoryMb: 512,
} as const;

/** What the model predicts for 20,000 chargers across 5 depots, with this run's measured costs. */
export function prediction(
  cpuMsPerConnector: number,
  planMs: number,
  finish: Timed,
  shardRss: number[],
  wholeRssKb: number,
) {
  const size: InvocationSize = {
    timeoutMinutes: PREDICTED.timeoutMinutes,
    memoryMb: PREDICTED.memoryMb,
    concurrency: CONCURRENCY,
  };
  const perInvocation = connectorsPerInvocation(size);
  const depots = Array.from({ length: PREDICTED.depots }, (_, i) => ({
    name: `depot-${i + 1}`,
    fleet: simulatedFleet(PREDICTED.chargers / PREDICTED.depots),
  }));
  const connectors = depots.reduce((n, d) => n + connectorCount(d.fleet), 0);
  const shards = planShards(depots, perInvocation);
  const shardSize = (s: Shard) =>
    connectorCount(shardFleet(depots.find((d) => d.name === s.depot)?.fleet ?? [], s));
  const largest = Math.max(...shards.map(shardSize));
  const perDepot = shards.filter((s) => s.depot === depots[0]?.name).length;

  const vcpu = Math.min(1, PREDICTED.memoryMb / SCAN_MODEL.mbPerVcpu);
  const networkMs = SCAN_MODEL.roundTripMsPerConnector / CONCURRENCY;
  const modelShardMs = largest * msPerConnector(size);
  const measuredCpuMs = cpuMsPerConnector / vcpu;
  const measuredShardMs = largest * Math.max(networkMs, measuredCpuMs);
  // Plan and finish scaled from this run: linear in connectors, all of it taken as CPU.
  const scale = connectors / CONNECTORS / vcpu;
  const planFinishMs = (planMs + finish.wallMs) * scale;
  const limitMinutes = runTimeoutMinutes(PREDICTED.scheduleMinutes, PREDICTED.timeoutMinutes);
  const runMs = Math.max(modelShardMs, measuredShardMs) + planFinishMs;
  const fits = runMs <= limitMinutes * 60_000;
  const timeoutMs = PREDICTED.timeoutMinutes * 60_000;
  const where = `${fmt(PREDICTED.chargers)} chargers × 2 in ${PREDICTED.depots} depots`;
  const figures: Figure[] = [
    {
      label: `prediction: ${where}, shards`,
      value: `${fmt(perInvocation)} connectors an invocation (${PREDICTED.timeoutMinutes}-minute timeout, ${PREDICTED.memoryMb} MB): ${perDepot} shards a depot of ${fmt(connectors / PREDICTED.depots)}, ${shards.length} in all, the largest ${fmt(largest)} connectors`,
    },
    {
      label: 'prediction: wall time of a shard',
      value:
        `model ${seconds(modelShardMs)} (${fmt(msPerConnector(size), 1)} ms a connector); ` +
        `with this run's CPU ${seconds(measuredShardMs)} (${fmt(cpuMsPerConnector, 2)} ms a connector here / ${fmt(vcpu, 3)} vCPU = ${fmt(measuredCpuMs, 1)} ms, against ${fmt(networkMs, 1)} ms of network); ` +
        `timeout ${seconds(timeoutMs)}`,
    },
    {
      label: 'prediction: plan + finish',
      value: `${seconds(planFinishMs)} (${fmt(planMs + finish.wallMs)} ms here × ${fmt(connectors)} / ${fmt(CONNECTORS)} connectors / ${fmt(vcpu, 3)} vCPU)`,
    },
    {
      label: `prediction: run every ${PREDICTED.scheduleMinutes} minutes vs its ${limitMinutes}-minute limit`,
      value: `${seconds(runMs)} = ${fmt(runMs / 60_000, 1)} min (plan + slowest shard + finish, all shards at once; Step Functions and cold starts not counted)`,
      target: `≤ ${limitMinutes} min (interval − timeout)`,
      pass: fits,
      ratio: runMs / (limitMinutes * 60_000),
    },
  ];
  const notes = [
    `Prediction (computed, not measured): ${where} (${fmt(connectors)} connectors) on a ${PREDICTED.scheduleMinutes}-minute schedule at the stack's defaults (${PREDICTED.timeoutMinutes}-minute timeout, ${PREDICTED.memoryMb} MB): ` +
      `${shards.length} shards of at most ${fmt(largest)} connectors, all at once (the map's maxConcurrency is the shard count), predicted at ${fmt(runMs / 60_000, 1)} minutes against the ${limitMinutes}-minute execution limit the stack sets (interval − timeout): ${fits ? 'PASS' : 'MISS'}. ` +
      `A shard is predicted at ${fmt((Math.max(modelShardMs, measuredShardMs) / timeoutMs) * 100)} % of its ${PREDICTED.timeoutMinutes}-minute timeout (the plan fills at most half of it).`,
    `Assumptions: the network term is the model's (functions/scan/capacity.ts), ${SCAN_MODEL.roundTripMsPerConnector} ms of API and S3 round trips a connector on AWS, ${CONCURRENCY} in flight; the ${LATENCY_MS} ms here is the simulator's, with a local disk for S3, so it measures none of that. ` +
      `The CPU term scales this run's CPU time per connector (user + system of the shard processes, inside the step) by ${PREDICTED.memoryMb}/${SCAN_MODEL.mbPerVcpu} = ${fmt(vcpu, 3)} vCPU, taking a Lambda vCPU to be as fast as a core here; ` +
      `here it is measured with a local archive, where the model's ${SCAN_MODEL.cpuMsPerConnector} ms includes the S3 SDK's CPU. ` +
      `Plan and finish are this run's (one depot of ${fmt(CONNECTORS)} connectors, local state) scaled by connectors and by the vCPU share as if all CPU, with no S3 latency added for the parts the finish reads. ` +
      'Not counted: Step Functions (starting the execution, the Distributed Map starting a child execution per shard, state transitions), Lambda cold starts (about half a second each, see Cold start), and retries (a shard that fails is retried after 10 s and then 20 s, with jitter, and then costs its whole time again).',
    `Memory is outside the model. The finish holds every connector's result and keeps the sessions and state records of every shard in temp files: ${mib(finish.maxRssKb)} peak RSS here for ${fmt(CONNECTORS)} connectors in one depot; ` +
      `whether ${fmt(connectors)} connectors fit one ${PREDICTED.memoryMb} MB invocation is not measured here (see Peak memory of a scan). ` +
      `A shard of ${fmt(PER_SHARD)} connectors peaked at ${mib(Math.max(...shardRss))}, the whole run of ${fmt(CONNECTORS)} at ${mib(wholeRssKb)}.`,
  ];
  return { figures, notes };
}
