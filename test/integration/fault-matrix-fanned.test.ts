import { faultMatrix } from '../helpers/fault-matrix.ts';

// The same faults and the same oracles, with every run fanned out over three shards.
faultMatrix('fanned out');
