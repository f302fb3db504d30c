// `npm run call -- --from <number> [--ticket <id>] [--line <slug>] [--hold <seconds>] [--source <ip>]`:
// places one real SIP call through the bridge `npm start` runs (Kamailio → edge agent → Worker →
// the sipp UAS standing in for Zendesk), then tells what happened at each step.
// Runs with tsx: placing the call (lib/call/place.mjs) reuses the SIP test harness
// (test/sip/harness/sipp.ts) and its uac-call scenario; lib/call/explain.mjs tells the outcome.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { answers, devVars, fail, ports, workerUrl } from './lib/call/bridge.mjs';
import { callerOutcome, explainCall, isFinal } from './lib/call/explain.mjs';
import { placeCall, sourceForLine, SIPP } from './lib/call/place.mjs';

const USAGE = `Usage: npm run call -- --from <number> [--ticket <id>] [--line <slug>] [--hold <seconds>] [--source <ip>]

  --from     the caller's number, in any format: +14155550100, "(415) 555-0100"
  --ticket   sends X-Zendesk-Ticket-Id: <id> (the bridge verifies it before passing it on)
  --line     calls from a loopback address in that line's allowlist (the edge picks lines by source)
  --hold     seconds to stay on the line after the answer (default 3)
  --source   the local address to call from (default 127.0.0.1; 127.0.0.2 is not allowed: 403)

Try: npm run call -- --from +14155550100 --ticket 1001`;

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        from: { type: 'string' },
        ticket: { type: 'string' },
        line: { type: 'string' },
        hold: { type: 'string', default: '3' },
        source: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    fail(`${err.message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.from?.trim()) fail(`--from is required\n\n${USAGE}`);
  const hold = Number(values.hold);
  if (!Number.isFinite(hold) || hold < 0 || hold > 600)
    fail('--hold takes seconds between 0 and 600');
  // Anything sipp would read as a [keyword] or that would end the CDATA block is refused.
  if (values.ticket !== undefined && !/^[A-Za-z0-9._~+-]{1,64}$/.test(values.ticket))
    fail('--ticket takes an id like 1001');
  if (values.source !== undefined && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(values.source))
    fail('--source takes a loopback IPv4 address such as 127.0.0.2');
  return { ...values, from: values.from.trim(), hold };
}

async function main() {
  const options = parseOptions();
  const vars = devVars();
  const down = [];
  if (!(await answers(`http://127.0.0.1:${ports.agent}/health`)))
    down.push(`edge agent 127.0.0.1:${ports.agent}`);
  if (!(await answers(`${workerUrl}/health`))) down.push(`Worker 127.0.0.1:${ports.worker}`);
  if (down.length)
    fail(`No answer from the ${down.join(' or the ')}: start the bridge with npm start first.`);
  if (!vars.ADMIN_TOKEN)
    fail('worker/.dev.vars has no ADMIN_TOKEN: start the bridge with npm start first.');
  if (!existsSync(SIPP))
    fail(`${SIPP} not found: apt-get install -y sip-tester (npm start does this as root)`);

  const source =
    options.source ??
    (options.line ? await sourceForLine(options.line, vars.ADMIN_TOKEN) : '127.0.0.1');
  const since = Math.floor(Date.now() / 1000) - 5;
  console.log(
    `Calling sip:zendesk@127.0.0.1:${ports.sip} (Kamailio) from ${options.from}, source ${source}, UDP` +
      `${options.ticket ? `, X-Zendesk-Ticket-Id: ${options.ticket}` : ''}, holding ${options.hold} s…\n`,
  );
  let call;
  try {
    call = await placeCall({ ...options, source });
  } catch (err) {
    fail(`sipp could not place the call: ${err.message}`);
  }
  const outcome = callerOutcome(call.messages);
  console.log(`At the caller\n  ${outcome.text}`);
  const invite = call.messages.find(
    (m) => m.direction === 'sent' && m.startLine.startsWith('INVITE'),
  );
  const callId = invite?.headers('Call-ID')[0];
  if (!callId || !call.messages.some(isFinal)) {
    console.log(
      `\nsipp said (exit ${call.code}):\n${call.output.trim().split('\n').slice(-15).join('\n')}`,
    );
    process.exit(1);
  }
  console.log(`  Call-ID ${callId}`);

  await explainCall({ callId, since, outcome, vars });
}

await main();
