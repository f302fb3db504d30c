// The process entry of `sipbridge` (kamailio/bin/sipbridge.mjs imports it; also runnable as
// `npx tsx kamailio/cli/entry.ts`): prints the result and sets the exit code.
import { runSipbridge } from './main';

const result = await runSipbridge(process.argv.slice(2), process.env);
for (const line of result.stdout) console.log(line);
for (const line of result.stderr) console.error(line);
process.exitCode = result.code;
