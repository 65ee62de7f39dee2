// Run by test/unit/local-lock.test.ts in its own process: takes the lock of one folder per try,
// every try at an agreed wall-clock instant, so two racers reach each lock within microseconds.
// Prints the tries it won. Locks are left held: each try has its own folder.
import { join } from 'node:path';
import { lockStateFolder } from '../../functions/adapters/local-lock.ts';

const [root = '', startAt = '0', tries = '0', stepMs = '0'] = process.argv.slice(2);
const won: number[] = [];
for (let i = 0; i < Number(tries); i++) {
  const at = Number(startAt) + i * Number(stepMs);
  while (performance.timeOrigin + performance.now() < at) {
    // Spin: a timer would wake each racer up to a millisecond apart.
  }
  try {
    lockStateFolder(join(root, `try-${i}`), `${process.pid}-${i}`);
    won.push(i);
  } catch {
    // The other racer has it.
  }
}
process.stdout.write(JSON.stringify(won));
