import { crashMatrix } from '../helpers/crash-matrix.ts';

// The whole matrix with the archive and state in S3 (s3rver behind S3's conditional writes),
// S3 answering 500 where a store fails. Run by `npm run test:faults` (and CI), not by `npm test`.
crashMatrix({ seeds: [11], windowDays: [1], store: 's3' });
