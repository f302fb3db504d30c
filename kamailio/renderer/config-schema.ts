import { z } from 'zod';
import { parseCidr, parseIp } from '@sip-bridge/contract/cidr';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { isTlsTarget, LINE_MEDIA } from '@sip-bridge/contract/line-media';

// The one YAML file an operator writes (kamailio/templates/sipbridge.example.yaml shows every key).

const port = z
  .number()
  .int()
  .min(1, 'must be a port, 1-65535')
  .max(65535, 'must be a port, 1-65535');
const int = (min: number, max: number) =>
  z
    .number()
    .int(`must be a whole number`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** An IP literal without brackets; the cfg never needs a name resolved for its own sockets. */
const ipAddress = z
  .string()
  .refine(
    (v) => parseIp(v) !== undefined,
    'must be an IPv4 or IPv6 address (no brackets, no name)',
  );

const isLoopback = (ip: string) => ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);

/** A file path rendered into a `#!define "..."`: absolute, and nothing a cfg string cannot hold. */
const cfgPath = z
  .string()
  .regex(/^\/[A-Za-z0-9._/-]+$/, 'must be an absolute path of letters, digits, ".", "_", "-", "/"');

/** `sip:` or `sips:` URI with a host, in the characters a dispatcher.list field can hold. */
const sipTarget = z.string().superRefine((value, ctx) => {
  const reason = sipTargetProblem(value);
  if (reason) ctx.addIssue({ code: 'custom', message: `"${value}": ${reason}` });
});

export function sipTargetProblem(value: string): string | undefined {
  const m =
    /^(sips?):(?:([^@\s;]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?((?:;[A-Za-z0-9_.=-]+)*)$/.exec(
      value,
    );
  if (!m) return 'not a SIP URI (expected sip:user@host[:port][;params] or sips:...)';
  const [, , user, host, portText] = m;
  if (user !== undefined && !/^[A-Za-z0-9_.!~*'()&=+$,?/%+-]+$/.test(user)) {
    return 'the user part has characters a SIP URI does not allow unescaped';
  }
  if (host!.startsWith('[') && !parseIp(host!.slice(1, -1)))
    return 'the host is not an IPv6 address';
  if (/^[0-9.]+$/.test(host!) && !parseIp(host!)) return 'the host is not a valid IPv4 address';
  if (portText !== undefined && (Number(portText) < 1 || Number(portText) > 65535)) {
    return 'the port must be 1-65535';
  }
  return undefined;
}

const cidrText = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `"${value}": ${parsed.reason}` });
});

const ListenSchema = z.strictObject({
  transport: z.enum(['udp', 'tcp', 'tls']),
  address: ipAddress,
  port: port.default(5060),
  /** Public address or name written in Via/Record-Route when behind NAT. */
  advertise: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/, 'must be an IP address or a host name')
    .optional(),
});

/**
 * How the edge routes a line's calls (the Worker's `routing`; limits in docs/admins.md). Unset
 * timers take `limits.target_timeout_ms` and `limits.ring_timeout_seconds`.
 */
export const LineRoutingSchema = z.strictObject({
  /** `sequential`: targets in their order; `round_robin`: each call starts at the next target. */
  mode: z.enum(['sequential', 'round_robin']).default('sequential'),
  /** Give a target up when it did not ring (180-189) within this time (then the next one). */
  no_ringback_ms: int(100, 60_000).optional(),
  /** End the call when the ringing target has not answered within this time. */
  no_answer_ms: int(1_000, 3_600_000).optional(),
  /** Calls in progress on the line; over it 503 Concurrent Call Limit Reached. 0 = unlimited. */
  max_concurrent_calls: int(0, 100_000).default(0),
});

export const LineSchema = z.strictObject({
  /** The Worker's line slug; it is the ACL tag. */
  slug: SlugSchema,
  /** The line's Zendesk SIP-IN addresses, tried in this order. */
  targets: z.array(sipTarget).min(1, 'needs at least one target').max(16, 'at most 16 targets'),
  /** Source networks allowed to call this line (IPv4 or IPv6 CIDR, or a bare address). */
  acl: z.array(cidrText).min(1, 'needs at least one network'),
  /** Calls per second on this line; 0 = limits.cps_per_line. */
  max_cps: int(0, 10000).default(0),
  /**
   * `rtp`: plain RTP only (SRTP refused with 488). `secure`: callers over TLS with SDES SRTP only,
   * relayed to TLS targets (docs/secure-media.md).
   */
  media: z.enum(LINE_MEDIA).default('rtp'),
  /** Allows ACL entries wider than /8 (IPv4) or /32 (IPv6) on this line, as the admin API does. */
  acl_confirm_wide: z.boolean().default(false),
  routing: LineRoutingSchema.prefault({}),
});

const LimitsSchema = z.strictObject({
  /** Requests per source per flood window before a source outside every ACL is banned. */
  flood_requests: int(1, 100000).default(64),
  flood_window_seconds: int(1, 60).default(2),
  ban_seconds: int(1, 86400).default(300),
  /** Default calls per second per line; 0 = no limit. */
  cps_per_line: int(0, 10000).default(5),
  dialog_timeout_seconds: int(60, 86400).default(7200),
  /**
   * In-dialog OPTIONS to both sides of each answered call this often (Kamailio 5.6 takes 30 at
   * least); `keepalive_failures` answers of 408 or 481 in a row (a lost BYE) end the call. 0 = off.
   */
  keepalive_seconds: int(0, 3600)
    .refine((s) => s === 0 || s >= 30, 'must be 0 (off) or at least 30 (Kamailio 5.6 minimum)')
    .default(30),
  keepalive_failures: int(1, 10).default(2),
  /**
   * Async workers asking the agent, each waiting for one decision: size ≥ calls per second × the
   * round trip to the agent in seconds, with room for bursts (16 held 700 calls/s on 2 cores).
   */
  async_workers: int(1, 256).default(16),
  /**
   * Processes posting lifecycle events (two or three per call) from the events queue, each waiting
   * for the agent's fsync; SIP workers only queue them. Size them like async_workers, for twice
   * the rate (8 held 700 calls/s on 2 cores).
   */
  event_workers: int(1, 64).default(8),
  /**
   * Events Kamailio keeps queued while the agent cannot take them (restart, outage), about 1.5 KB
   * of shared memory each; beyond it new events are logged and dropped.
   */
  event_queue_max: int(100, 1_000_000).default(20_000),
  sip_children: int(1, 256).default(4),
  /** Shared memory for Kamailio (`shm_mem_size`, overridden by `kamailio -m`). */
  shared_memory_mb: int(64, 65536).default(512),
  /** Consecutive agent failures that open the circuit breaker, and how long it stays open. */
  breaker_failures: int(1, 1000).default(5),
  breaker_seconds: int(1, 3600).default(1),
  /** A target that sends nothing back within this time is skipped (failover). */
  target_timeout_ms: int(500, 60000).default(5000),
  ring_timeout_seconds: int(5, 600).default(120),
  /**
   * OPTIONS to every target this often (seconds, 0 = off); `probe_failures` failed probes in a
   * row mark a target down (skipped by calls, shown by metrics and `sipbridge status`) until it
   * answers one again. A 2xx, 403, 404, 405 or 481 answer counts as up.
   */
  probe_interval_seconds: int(0, 3600).default(0),
  probe_failures: int(1, 10).default(2),
});

/** How the edge runs the lines' caller authentication (the checks themselves come from the Worker). */
const CallerAuthSchema = z.strictObject({
  /** A digest nonce older than this gets a new challenge (stale=true); each nonce is used once. */
  nonce_expire_seconds: int(10, 3600).default(30),
  /**
   * Failed credentials (wrong digest password or user, wrong or missing token or tech prefix)
   * from one source within failed_window_seconds before that source is refused outright (403).
   */
  failed_attempts: int(1, 10000).default(10),
  failed_window_seconds: int(1, 86400).default(60),
});

export const ConfigSchema = z
  .strictObject({
    listen: z.array(ListenSchema).min(1, 'needs at least one listen address'),
    rpc: z
      .strictObject({
        address: ipAddress.refine(isLoopback, 'must be a loopback address (127.0.0.0/8 or ::1)'),
        port: port.default(5080),
      })
      .default({ address: '127.0.0.1', port: 5080 }),
    agent: z
      .strictObject({
        url: z
          .string()
          .regex(
            /^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]):\d{1,5}$/,
            'must be http://<loopback IP>:<port> with no path (the agent runs beside Kamailio)',
          ),
        /** The bearer token itself; prefer token_env so no secret sits in this file. */
        token: z.string().optional(),
        /** Name of the environment variable that holds the token (e.g. EDGE_AGENT_TOKEN). */
        token_env: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
          .optional(),
      })
      .refine((a) => (a.token === undefined) !== (a.token_env === undefined), {
        message: 'set exactly one of token or token_env',
      }),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    caller_auth: CallerAuthSchema.default(CallerAuthSchema.parse({})),
    tls: z
      .strictObject({
        certificate: cfgPath,
        private_key: cfgPath,
        /** CAs that sign the certificates of `sips:` targets (Debian's bundle by default). */
        ca_list: cfgPath.default('/etc/ssl/certs/ca-certificates.crt'),
      })
      .optional(),
    debug: z.boolean().default(false),
    lines: z.array(LineSchema).min(1, 'needs at least one line'),
  })
  .superRefine((config, ctx) => {
    const slugs = new Map<string, number>();
    config.lines.forEach((line, i) => {
      const first = slugs.get(line.slug);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'slug'],
          message: `"${line.slug}" is already used by lines[${first}]`,
        });
      } else slugs.set(line.slug, i);
      const networks = new Map<string, number>();
      line.acl.forEach((entry, j) => {
        const parsed = parseCidr(entry);
        if (!parsed.ok) return;
        const widest = parsed.cidr.text.includes(':') ? 32 : 8;
        if (parsed.cidr.prefix < widest && !line.acl_confirm_wide) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', i, 'acl', j],
            message:
              `"${entry}" is wider than /${widest}: it admits a large part of the Internet; ` +
              'set acl_confirm_wide: true on the line if you mean it',
          });
        }
        const seen = networks.get(parsed.cidr.text);
        if (seen !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', i, 'acl', j],
            message: `"${entry}" is the same network as lines[${i}].acl[${seen}]`,
          });
        } else networks.set(parsed.cidr.text, j);
      });
      line.targets.forEach((target, j) => {
        if (isTlsTarget(target) && !config.tls) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', i, 'targets', j],
            message: `"${target}" needs TLS: add a tls section (certificate and private_key)`,
          });
        } else if (line.media === 'secure' && !isTlsTarget(target)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', i, 'targets', j],
            message: `"${target}" is not reached over TLS: a secure line needs sips: or ;transport=tls targets`,
          });
        }
      });
      if (line.media === 'secure' && !config.listen.some((l) => l.transport === 'tls')) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'media'],
          message: 'secure needs a tls listen address: its callers must reach the edge over TLS',
        });
      }
    });
    const sockets = new Map<string, number>();
    config.listen.forEach((l, i) => {
      const key = `${l.transport === 'udp' ? 'udp' : 'tcp'} ${l.address} ${l.port}`;
      const seen = sockets.get(key);
      if (seen !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['listen', i],
          message: `the same socket as listen[${seen}]`,
        });
      } else sockets.set(key, i);
      if (l.transport === 'tls' && !config.tls) {
        ctx.addIssue({
          code: 'custom',
          path: ['listen', i, 'transport'],
          message: 'tls needs a tls section (certificate and private_key)',
        });
      }
    });
    const rpcKey = `tcp ${config.rpc.address} ${config.rpc.port}`;
    if (sockets.has(rpcKey)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rpc', 'port'],
        message: `${config.rpc.port} is also a SIP tcp/tls listen port on ${config.rpc.address}`,
      });
    }
  });

export type SipBridgeConfig = z.infer<typeof ConfigSchema>;
export type LineConfig = z.infer<typeof LineSchema>;
export type ListenConfig = z.infer<typeof ListenSchema>;
