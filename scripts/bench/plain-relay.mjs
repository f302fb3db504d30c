// The reference bench:sip measures the edge against: a plain stateful Kamailio relay, the least a
// SIP proxy in front of Zendesk does (permissions allowlist, dialog tracking, record-route, tm),
// with none of the bridge (no decision, no events, no policy). Same Kamailio binary, children and
// shared memory as the edge, run in the same benchmark, so "edge CPU per call ÷ plain relay CPU
// per call" compares like with like on the machine as it is during the run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKamailio } from './edge.mjs';

/** The relay's kamailio.cfg: listens on `sipPort`, JSON-RPC on `rpcPort`, relays to `target`. */
export function plainRelayCfg({ dir, sipPort, rpcPort, target, children }) {
  const addressFile = join(dir, 'address.list');
  writeFileSync(addressFile, '1 127.0.0.1 32 0 bench\n');
  return `#!KAMAILIO
# bench:sip reference: a plain stateful relay (scripts/bench/plain-relay.mjs).
debug=1
log_stderror=yes
memdbg=5
memlog=5
children=${children}
auto_aliases=no
listen=udp:127.0.0.1:${sipPort}
listen=tcp:127.0.0.1:${rpcPort}
tcp_accept_no_cl=yes
tcp_children=1

loadmodule "jsonrpcs.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "permissions.so"
loadmodule "dialog.so"
loadmodule "xhttp.so"

modparam("jsonrpcs", "transport", 1)
modparam("jsonrpcs", "pretty_format", 0)
modparam("permissions", "address_file", "${addressFile}")
modparam("permissions", "load_backends", 1)
modparam("dialog", "dlg_match_mode", 0)
modparam("dialog", "enable_stats", 1)
modparam("rr", "append_fromtag", 1)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK") && t_check_trans()) t_relay();
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	t_check_trans();
	if (!allow_source_address("1")) {
		sl_send_reply("403", "Forbidden");
		exit;
	}
	if (is_method("INVITE")) {
		dlg_manage();
		record_route();
	}
	$du = "${target}";
	if (!t_relay()) sl_reply_error();
}

event_route[xhttp:request] {
	if ($hu =~ "^/RPC") {
		jsonrpc_dispatch();
		exit;
	}
	xhttp_reply("404", "Not Found", "text/plain", "");
}
`;
}

/** Starts the plain relay; resolves with { pid, rpc } once its JSON-RPC answers. */
export async function startPlainRelay({ dir, sipPort, rpcPort, target, children, sharedMemoryMb }) {
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(cfg, plainRelayCfg({ dir, sipPort, rpcPort, target, children }));
  return startKamailio({ dir, cfg, rpcPort, sharedMemoryMb });
}
