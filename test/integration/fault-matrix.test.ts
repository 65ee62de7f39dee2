import { faultMatrix } from '../helpers/fault-matrix.ts';

faultMatrix('one invocation');
