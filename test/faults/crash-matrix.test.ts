import { crashMatrix } from '../helpers/crash-matrix.ts';

// Every kill point and every failing step, three seeds, a one-day window. Run by
// `npm run test:faults` (and CI), not by `npm test`.
crashMatrix({ seeds: [7, 11, 23], windowDays: [1] });
