import { crashMatrix } from '../helpers/crash-matrix.ts';

// Every kill point and every failing step over a first run's 90-day window: thousands of
// reports, days of KPI partitions. Run by `npm run test:faults` (and CI), not by `npm test`.
crashMatrix({ seeds: [5], windowDays: [90] });
