import type { Logger } from '../log';
import { startEdgeAgent, type EdgeAgentOptions } from '../server';
import { startFakeWorker, type FakeWorker } from './fake-worker';
import { SECRET, TOKEN, tempDir } from './fixtures';

/** Tests read fields of several answer shapes, so the body is loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PostResult = { status: number; body: any };

export interface TestAgent {
  url: string;
  agent: Awaited<ReturnType<typeof startEdgeAgent>>['agent'];
  worker: FakeWorker;
  spoolDir: string;
  logs: string[];
  /** POSTs JSON to the agent as Kamailio would. */
  post(path: string, body: unknown, token?: string | null): Promise<PostResult>;
  /** Stops the agent only (the spool stays on disk). */
  stopAgent(): Promise<void>;
  /** Starts a new agent on the same spool directory and Worker. */
  restartAgent(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A running agent in front of a fake Worker, with a fresh spool and captured log lines.
 * @example
 * const t = await startTestAgent({ budgetMs: 300 });
 * const res = await t.post('/v1/decide', callFacts());
 */
export async function startTestAgent(
  options: Partial<Omit<EdgeAgentOptions, 'workerUrl' | 'edgeSecret' | 'spoolDir'>> & {
    workerSecret?: string;
  } = {},
): Promise<TestAgent> {
  const worker = await startFakeWorker({ secret: options.workerSecret ?? SECRET });
  const spool = tempDir('agent-spool-');
  const logs: string[] = [];
  const log: Logger = (level, event, fields) =>
    logs.push(`${level} ${event} ${JSON.stringify(fields ?? {})}`);
  const start = () =>
    startEdgeAgent({
      port: 0,
      token: TOKEN,
      log,
      // Tests that want the background /health probe ask for it; others count Worker requests.
      probeIntervalMs: 0,
      ...options,
      workerUrl: worker.url,
      edgeSecret: SECRET,
      spoolDir: spool.dir,
    });
  let running = await start();
  const t: TestAgent = {
    url: running.url,
    agent: running.agent,
    worker,
    spoolDir: spool.dir,
    logs,
    async post(path, body, token = TOKEN) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? JSON.parse(text) : undefined,
      };
    },
    async stopAgent() {
      await running.close();
    },
    async restartAgent() {
      running = await start();
      t.url = running.url;
      t.agent = running.agent;
    },
    async close() {
      await running.close();
      await worker.stop();
      spool.remove();
    },
  };
  return t;
}
