// bench:sip's stand-in for the Worker when BENCH_SIP_WORKER=stub: measures the edge alone
// (Kamailio and the agent) on this machine, the part an operator runs; the Worker itself runs on
// Cloudflare. It answers like the Worker's cached path does (relay, with the caller's ticket header),
// acknowledges every event, checks no signature, and counts decisions per sipp process.
import { createServer } from 'node:http';

const port = Number(process.env.STUB_WORKER_PORT);
const decidedByPid = {};
let decisions = 0;
let events = 0;

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/health') return json(res, 200, { status: 'ok' });
    if (req.method === 'GET' && req.url === '/__stub/decided') {
      return json(res, 200, { decisions, events, decidedByPid });
    }
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return json(res, 400, { error: 'invalid_json' });
    }
    if (req.method === 'POST' && req.url === '/v1/edge/decisions') {
      decisions++;
      // sipp's Call-IDs are "<call number>-<sipp pid>@<ip>": the pid tells which step made the call.
      const pid = /^\d+-(\d+)@/.exec(body.call_id ?? '')?.[1];
      if (pid) decidedByPid[pid] = (decidedByPid[pid] ?? 0) + 1;
      const headers = body.ticket_id
        ? [{ name: 'X-Zendesk-Ticket-Id', value: body.ticket_id }]
        : [];
      return json(res, 200, { action: 'relay', headers });
    }
    if (req.method === 'POST' && req.url === '/v1/edge/events') {
      const list = Array.isArray(body.events) ? body.events : [];
      events += list.length;
      return json(res, 200, {
        results: list.map((e) => ({ call_id: e.call_id, kind: e.kind, status: 'applied' })),
      });
    }
    json(res, 404, { error: 'not_found' });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => server.close(() => process.exit(0)));
