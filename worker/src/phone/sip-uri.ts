/** The parts of a `sip:`, `sips:` or `tel:` URI that identify a caller. */
export interface CallerUri {
  scheme: 'sip' | 'sips' | 'tel';
  /** Percent-decoded user part without parameters; `undefined` for host-only SIP URIs. */
  user: string | undefined;
  /** Lower-cased host of a SIP URI, without port; `undefined` for `tel:`. */
  host: string | undefined;
  /** Telephone-subscriber and URI parameters (`ext`, `isub`, `phone-context`…), names lower-cased. */
  params: Map<string, string>;
}

const CALLER_URI_SCHEME = /^(sips?|tel):/i;

/**
 * Decodes `%XX` escapes; malformed UTF-8 falls back to byte-per-character so it never throws.
 *
 * @example
 * percentDecode('%2B14155550100'); // '+14155550100'
 */
export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  }
}

/**
 * The URI inside a name-addr (`"Ada" <sip:…>;tag=x` → `sip:…`), or the trimmed input when it has
 * no angle brackets. A quoted display name may itself contain `<`.
 *
 * @example
 * addrSpec('"Ada <CEO>" <sip:+14155550100@carrier.example>;tag=1'); // 'sip:+14155550100@carrier.example'
 */
export function addrSpec(value: string): string {
  const text = value.trim();
  let from = 0;
  if (text.startsWith('"')) {
    from = 1;
    while (from < text.length && text[from] !== '"') from += text[from] === '\\' ? 2 : 1;
    from += 1;
  }
  const open = text.indexOf('<', from);
  if (open === -1) return text;
  const close = text.indexOf('>', open + 1);
  return text.slice(open + 1, close === -1 ? undefined : close).trim();
}

/** Splits `user;name=value;flag` into the user and its parameters (values percent-decoded). */
export function splitParams(value: string): { user: string; params: Map<string, string> } {
  const [user = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    const name = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name && !params.has(name))
      params.set(name, eq === -1 ? '' : percentDecode(param.slice(eq + 1)));
  }
  return { user: percentDecode(user), params };
}

/**
 * Parses a `sip:`, `sips:` or `tel:` URI (bare or inside a name-addr); `undefined` for any other
 * input. Never throws.
 *
 * @example
 * parseCallerUri('sip:0612345678;phone-context=+33@pbx.example;user=phone');
 * // { scheme: 'sip', user: '0612345678', host: 'pbx.example',
 * //   params: Map { 'user' => 'phone', 'phone-context' => '+33' } }
 */
export function parseCallerUri(value: string): CallerUri | undefined {
  const spec = addrSpec(value);
  const match = CALLER_URI_SCHEME.exec(spec);
  if (!match?.[1]) return undefined;
  const scheme = match[1].toLowerCase() as CallerUri['scheme'];
  const rest = spec.slice(match[0].length);

  if (scheme === 'tel') {
    const { user, params } = splitParams(rest.split('?')[0] ?? '');
    return { scheme, user, host: undefined, params };
  }

  // The user part may hold `;` parameters and `?` but never an unescaped `@`.
  const at = rest.indexOf('@');
  const hostPart = splitParams(rest.slice(at + 1).split('?')[0] ?? '');
  const host = hostOf(hostPart.user);
  if (at === -1) return { scheme, user: undefined, host, params: hostPart.params };

  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const userPart = splitParams(colon === -1 ? userinfo : userinfo.slice(0, colon));
  // Subscriber parameters in the user part win over misplaced URI parameters after the host.
  const params = new Map([...hostPart.params, ...userPart.params]);
  return { scheme, user: userPart.user, host, params };
}

function hostOf(hostport: string): string | undefined {
  const host = hostport.trim().toLowerCase();
  if (!host) return undefined;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1) || host;
  return host.split(':')[0];
}

/**
 * The user part of a sip:/sips:/tel: URI (or name-addr like
 * `"Ada" <sip:+1415...@host;user=phone>;tag=x`), percent-decoded, without parameters.
 * `undefined` when the input is not such a URI or the SIP URI has no user part.
 *
 * @example
 * uriUserPart('"Ada" <sip:%2B14155550100:secret@carrier.example;user=phone>;tag=x'); // '+14155550100'
 * uriUserPart('tel:+33-6-12-34-56-78;ext=12'); // '+33-6-12-34-56-78'
 */
export function uriUserPart(uri: string): string | undefined {
  if (typeof uri !== 'string') return undefined;
  return parseCallerUri(uri)?.user;
}

/**
 * Splits a header holding several comma-separated values (P-Asserted-Identity may carry a SIP
 * and a tel URI), ignoring commas inside quotes and angle brackets.
 *
 * @example
 * splitHeaderValues('"A, B" <sip:+1@x>, <tel:+1>'); // ['"A, B" <sip:+1@x>', '<tel:+1>']
 */
export function splitHeaderValues(header: string): string[] {
  const values: string[] = [];
  let quoted = false;
  let angled = false;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const char = header[i];
    if (char === '\\' && quoted) i++;
    else if (char === '"' && !angled) quoted = !quoted;
    else if (char === '<' && !quoted) angled = true;
    else if (char === '>' && !quoted) angled = false;
    else if (char === ',' && !quoted && !angled) {
      values.push(header.slice(start, i));
      start = i + 1;
    }
  }
  values.push(header.slice(start));
  return values.map((value) => value.trim()).filter(Boolean);
}
