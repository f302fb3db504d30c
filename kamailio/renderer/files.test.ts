import { agentBasicPassword } from '../agent/credential';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from './config-schema';
import {
  assignLineIds,
  idKeys,
  listenLine,
  parseLineIds,
  renderAddressList,
  renderAll,
  renderDispatcherList,
  renderEventsCfg,
  renderLinesCfg,
  renderLocalCfg,
  renderTlsCfg,
} from './files';

const config = ConfigSchema.parse({
  listen: [
    { transport: 'udp', address: '127.0.0.1', port: 5060 },
    { transport: 'tcp', address: '::1', port: 5060, advertise: 'sip.example.com' },
  ],
  agent: { url: 'http://127.0.0.1:8090', token_env: 'EDGE_AGENT_TOKEN' },
  limits: { cps_per_line: 3 },
  lines: [
    { slug: 'zeta', targets: ['sip:zendesk@127.0.0.1:5070'], acl: ['127.0.0.1', '2001:DB8::/32'] },
    {
      slug: 'alpha',
      targets: ['sip:line@alpha.sip.twilio.com', 'sip:backup@[2001:db8::5]:5080;transport=tcp'],
      acl: ['192.0.2.0/24'],
      max_cps: 7,
    },
  ],
});
const rows = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('line ids', () => {
  it('numbers new lines in slug order from 1', () => {
    expect(assignLineIds(['zeta', 'alpha'])).toEqual({ version: 1, ids: { alpha: 1, zeta: 2 } });
  });

  it('keeps ids already given, never reuses a retired one, and appends new slugs', () => {
    const previous = { version: 1 as const, ids: { zeta: 1, gone: 2 } };
    expect(assignLineIds(['zeta', 'alpha', 'beta'], previous).ids).toEqual({
      zeta: 1,
      gone: 2,
      alpha: 3,
      beta: 4,
    });
  });

  it('refuses a malformed line-ids.json', () => {
    expect(() => parseLineIds('{"version":1,"ids":{"a":0}}')).toThrow(/positive integer/);
    expect(() => parseLineIds('{"version":1,"ids":{"a":1,"b":1}}')).toThrow(/share an id/);
    expect(parseLineIds('{"version":1,"ids":{"a":1}}').ids).toEqual({ a: 1 });
  });
});

describe('rendered lists', () => {
  const ids = assignLineIds(config.lines.map((l) => l.slug));

  it('writes the address file as group ip mask port tag, IPv4 and IPv6 in canonical form', () => {
    expect(rows(renderAddressList(config.lines, ids))).toEqual([
      '2 127.0.0.1 32 0 zeta',
      '2 2001:db8:: 32 0 zeta',
      '1 192.0.2.0 24 0 alpha',
    ]);
  });

  it('writes the dispatcher list with falling priorities and flag 16 for host names', () => {
    expect(rows(renderDispatcherList(config.lines, ids))).toEqual([
      '2 sip:zendesk@127.0.0.1:5070 0 10 line=zeta',
      '1 sip:line@alpha.sip.twilio.com 16 20 line=alpha',
      '1 sip:backup@[2001:db8::5]:5080;transport=tcp 0 10 line=alpha',
    ]);
  });

  it("writes each routing rule's targets as a set of its own, numbered after the lines", () => {
    const lines = [
      {
        slug: 'zeta',
        targets: ['sip:zendesk@127.0.0.1:5070'],
        rules: [
          { id: 'vip', targets: ['sip:vip@vip.sip.twilio.com', 'sip:vip@192.0.2.7'] },
          { id: 'first-time', targets: ['sip:new@192.0.2.8:5070'] },
        ],
      },
    ];
    const withRules = assignLineIds(idKeys(lines), ids);
    // Lines keep their ids; rule sets come after the highest one, never reusing a line's.
    expect(withRules.ids).toEqual({ ...ids.ids, 'zeta/first-time': 3, 'zeta/vip': 4 });
    expect(rows(renderDispatcherList(lines, withRules))).toEqual([
      '2 sip:zendesk@127.0.0.1:5070 0 10 line=zeta',
      '4 sip:vip@vip.sip.twilio.com 16 20 line=zeta;rule=vip',
      '4 sip:vip@192.0.2.7 0 10 line=zeta;rule=vip',
      '3 sip:new@192.0.2.8:5070 0 10 line=zeta;rule=first-time',
    ]);
    expect(() => renderDispatcherList(lines, ids)).toThrow(/"zeta\/vip" has no id/);
  });

  it('declares one event worker timer per limits.event_workers, each draining the events queue', () => {
    const events = renderEventsCfg({ ...config, limits: { ...config.limits, event_workers: 3 } });
    const timers = events.split('\n').filter((l) => l.startsWith('modparam("rtimer", "timer"'));
    expect(timers).toEqual(
      [1, 2, 3].map((n) => `modparam("rtimer", "timer", "name=events${n};interval=20000u;")`),
    );
    expect(events).toContain('modparam("rtimer", "exec", "timer=events3;route=EVENT_DRAIN")');
  });

  it('writes per-line CPS limits, the default for max_cps 0', () => {
    expect(renderLinesCfg(config)).toContain(
      '\t$sht(linecps=>zeta) = 3;\n\t$sht(linecps=>alpha) = 7;\n',
    );
  });

  it('writes each line’s routing, 0 for the edge’s own timers when the line sets none', () => {
    const routed = ConfigSchema.parse({
      ...config,
      lines: [
        {
          ...config.lines[0]!,
          routing: { mode: 'round_robin', no_ringback_ms: 800, max_concurrent_calls: 4 },
        },
      ],
    });
    const slug = routed.lines[0]!.slug;
    expect(renderLinesCfg(routed)).toContain(
      [
        `\t$sht(lineroute=>${slug}::mode) = 1;`,
        `\t$sht(lineroute=>${slug}::ringback) = 800;`,
        `\t$sht(lineroute=>${slug}::answer) = 0;`,
        `\t$sht(lineroute=>${slug}::calls) = 4;`,
      ].join('\n'),
    );
  });

  it('refuses routing out of bounds, naming the field', () => {
    const bad = ConfigSchema.safeParse({
      ...config,
      lines: [{ ...config.lines[0]!, routing: { no_answer_ms: 10 } }],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['lines', 0, 'routing', 'no_answer_ms']);
  });
});

describe('kamailio-local.cfg', () => {
  const local = renderLocalCfg({
    config,
    token: 'tok-0123456789abcdef',
    dir: '/etc/kamailio/sipbridge',
  });

  it('sets the paths, the agent and the limits', () => {
    expect(local).toContain(
      '#!define SIPBRIDGE_ADDRESS_FILE "/etc/kamailio/sipbridge/address.list"',
    );
    // The agent as a named connection, with Basic credentials derived from the token: the token
    // itself is not in the cfg.
    expect(local).toContain(
      `#!substdef "!SIPBRIDGE_AGENT_CON!http://kamailio:${agentBasicPassword('tok-0123456789abcdef')}@127.0.0.1:8090!"`,
    );
    expect(local).not.toContain('tok-0123456789abcdef');
    expect(local).toContain('#!define DEFAULT_CPS 3');
    expect(local).toContain('shm_mem_size=512');
    expect(local).not.toContain('WITH_TLS');
  });

  it('probes targets only when limits.probe_interval_seconds is set', () => {
    expect(local).not.toContain('WITH_PROBING');
    const probing = renderLocalCfg({
      config: { ...config, limits: { ...config.limits, probe_interval_seconds: 10 } },
      token: 'tok-0123456789abcdef',
      dir: '/etc/kamailio/sipbridge',
    });
    expect(probing).toContain('#!define PROBE_INTERVAL 10\n#!define PROBE_FAILURES 2');
    expect(probing).toContain('#!define WITH_PROBING');
  });

  it('turns dialog keepalives on by default, and off at keepalive_seconds 0', () => {
    expect(local).toContain('#!define KEEPALIVE_SECONDS 30\n#!define KEEPALIVE_FAILURES 2');
    expect(local).toContain('#!define WITH_KEEPALIVE');
    const off = renderLocalCfg({
      config: { ...config, limits: { ...config.limits, keepalive_seconds: 0 } },
      token: 'tok-0123456789abcdef',
      dir: '/etc/kamailio/sipbridge',
    });
    expect(off).not.toContain('WITH_KEEPALIVE');
  });

  it('brackets IPv6 sockets, adds advertise, and listens for JSON-RPC on loopback', () => {
    expect(listenLine(config.listen[1]!)).toBe(
      'listen=tcp:[::1]:5060 advertise sip.example.com:5060',
    );
    expect(local).toContain('listen=udp:127.0.0.1:5060\n');
    expect(local).toContain('listen=tcp:127.0.0.1:5080\n');
  });

  it('switches TLS on with the certificate paths', () => {
    const tls = ConfigSchema.parse({
      ...config,
      listen: [{ transport: 'tls', address: '127.0.0.1', port: 5061 }],
      tls: { certificate: '/etc/ssl/edge.crt', private_key: '/etc/ssl/edge.key' },
    });
    const text = renderLocalCfg({ config: tls, token: 'tok-0123456789abcdef', dir: '/x' });
    expect(text).toContain('#!define WITH_TLS\n#!define TLS_CONFIG "/x/tls.cfg"');
    expect(text).toContain('listen=tls:127.0.0.1:5061');
  });

  it('verifies the certificates of sips: targets (client profile), never asks callers for one', () => {
    const tls = ConfigSchema.parse({
      ...config,
      tls: { certificate: '/etc/ssl/edge.crt', private_key: '/etc/ssl/edge.key' },
    }).tls!;
    const text = renderTlsCfg(tls);
    const [server, client] = text.split('[client:default]');
    expect(server).toContain('[server:default]');
    expect(server).toContain('certificate = /etc/ssl/edge.crt');
    expect(server).toContain('verify_certificate = no');
    expect(client).toContain('verify_certificate = yes');
    expect(client).toContain('require_certificate = yes');
    expect(client).toContain('ca_list = /etc/ssl/certs/ca-certificates.crt');
  });
});

describe('renderAll', () => {
  it('renders every file, the token file 0640, kamailio.cfg last, ids persisted', () => {
    const { files, ids } = renderAll({
      config,
      token: 'tok-0123456789abcdef',
      template: '#!KAMAILIO\n',
      dir: '/d',
      previousIds: { version: 1, ids: { zeta: 5 } },
    });
    expect(files.map((f) => [f.name, f.mode.toString(8)])).toEqual([
      ['line-ids.json', '644'],
      ['address.list', '644'],
      ['dispatcher.list', '644'],
      ['blocked', '644'],
      ['callerauth', '640'],
      ['linemedia', '644'],
      ['kamailio-lines.cfg', '644'],
      ['kamailio-events.cfg', '644'],
      ['kamailio-local.cfg', '640'],
      ['kamailio.cfg', '644'],
    ]);
    expect(ids.ids).toEqual({ zeta: 5, alpha: 6 });
    expect(JSON.parse(files[0]!.content)).toEqual(ids);
  });
});
