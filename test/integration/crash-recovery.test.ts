import { crashMatrix } from '../helpers/crash-matrix.ts';

// Every kill point, one seed, a one-day window, and the stores failing at the commit and at
// the receipt; `npm run test:faults` runs every point for several seeds and a 90-day window.
crashMatrix({ seeds: [7], windowDays: [1], faultPoints: ['after-archiving', 'before-receipt'] });
