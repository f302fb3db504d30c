// Child process for the crash test: appends events as fast as it can and prints the id of every
// append the spool confirmed as durable, until the test kills it with SIGKILL. Stops by itself
// after 20 000 events or 10 s.
import { Spool } from '../spool';

const dir = process.argv[2];
if (!dir) throw new Error('usage: spool-writer.ts <dir>');
const spool = await Spool.open({ dir, segmentMaxEvents: 500 });
const until = Date.now() + 10_000;
let n = 0;
while (n < 20_000 && Date.now() < until) {
  const batch = Array.from({ length: 50 }, () => {
    n += 1;
    return spool.append({
      call_id: `crash-${n}@127.0.0.1`,
      kind: 'answered',
      at: new Date().toISOString(),
    });
  });
  for (const p of batch) void p.then((id) => process.stdout.write(`${id}\n`));
  // Keep a few batches in flight so the kill lands in the middle of a write.
  await batch[0];
}
await spool.close();
