/** The chargers and connectors of one depot, as listed. */
type Fleet = readonly { chargerId: string; connectors: readonly string[] }[];

/**
 * One part of a run that fans out: a slice of one depot's chargers, `index` of `of`. The
 * slice is worked out again from the config wherever it is needed, so what travels between
 * the steps of a run stays a few bytes however large the fleet.
 */
export interface Shard {
  /** The depot, in a config of several. */
  depot?: string;
  index: number;
  of: number;
}

/**
 * Splits each depot into as few shards as hold at most `perShard` connectors each (a charger
 * is never split, so a shard can exceed it by one charger's connectors). A depot that fits
 * is one shard.
 */
export function planShards(
  depots: readonly { name?: string | undefined; fleet: Fleet }[],
  perShard: number,
): Shard[] {
  return depots.flatMap(({ name, fleet }) => {
    const of = Math.max(1, Math.ceil(connectorCount(fleet) / Math.max(1, perShard)));
    return Array.from({ length: of }, (_, index) => ({
      ...(name !== undefined ? { depot: name } : {}),
      index,
      of,
    }));
  });
}

/**
 * The chargers of one shard: the depot's chargers in config order, cut into `of` runs of
 * about equal connector counts. Every charger is in exactly one shard.
 */
export function shardFleet<Charger extends { connectors: readonly string[] }>(
  fleet: readonly Charger[],
  shard: Pick<Shard, 'index' | 'of'>,
): Charger[] {
  const total = connectorCount(fleet);
  const from = (total * shard.index) / shard.of;
  const to = (total * (shard.index + 1)) / shard.of;
  let before = 0;
  return fleet.filter(({ connectors }) => {
    // A charger belongs to the shard its first connector falls in.
    const start = before;
    before += connectors.length;
    return start >= from && start < to;
  });
}

/** How many connectors a fleet lists. */
export function connectorCount(fleet: readonly { connectors: readonly string[] }[]): number {
  return fleet.reduce((n, { connectors }) => n + connectors.length, 0);
}

/** A shard's name in logs, state and errors: `north 2/5`, or `2/5` for a config of one fleet. */
export function shardName(shard: Shard): string {
  return `${shard.depot === undefined ? '' : `${shard.depot} `}${shard.index + 1}/${shard.of}`;
}
