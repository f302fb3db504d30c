// A line's context mapping applied to the headers a call brought (sip.context): which values
// become tags, custom field values or lines of an internal note, and which are refused and why.
// Only mapped headers are read; a refusal never repeats the value (it came from the caller).
import type { CallContextItem } from '@sip-bridge/contract/call-context';
import type { ContextHeader } from '@sip-bridge/contract/edge';
import type { ContextMapping } from '../schemas/lines';

export interface MappedContext {
  items: CallContextItem[];
  refused: { header: string; reason: string }[];
}

/** Zendesk tags as the bridge writes them: lower case, no spaces, at most 80 characters. */
const TAG = /^[a-z0-9_\-:./]{1,80}$/;
/** Text a note line or a field may hold: printable, no control characters. */
const PRINTABLE = /^[^\p{Cc}]+$/u;

type Read = { ok: true; text: string } | { ok: false; reason: string };

/**
 * The text a User-to-User header carries (RFC 7433): `data;encoding=hex;…` is hex-decoded, a
 * leading ISDN protocol discriminator byte (below 0x20) dropped, and must be UTF-8 text; without
 * an encoding parameter the data is taken as it is (a token, or a quoted string unquoted).
 */
export function readUserToUser(value: string): Read {
  const [rawData = '', ...params] = value.split(';');
  const data = rawData.trim().replace(/^"(.*)"$/, '$1');
  const encoding = params
    .map((p) => p.trim().split('='))
    .find(([name]) => name?.toLowerCase() === 'encoding')?.[1]
    ?.trim()
    .toLowerCase();
  if (encoding === undefined) {
    return data ? { ok: true, text: data } : { ok: false, reason: 'carries no data' };
  }
  if (encoding !== 'hex') return { ok: false, reason: 'has an encoding other than hex' };
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(data)) {
    return { ok: false, reason: 'says encoding=hex but its data is not hex digits in pairs' };
  }
  let bytes = Uint8Array.from(data.match(/../g)!, (h) => parseInt(h, 16));
  if (bytes[0]! < 0x20) bytes = bytes.subarray(1);
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text ? { ok: true, text } : { ok: false, reason: 'carries no data' };
  } catch {
    return { ok: false, reason: 'hex data is not UTF-8 text' };
  }
}

function readValue(header: ContextHeader): Read {
  const read: Read = /^user-to-user$/i.test(header.name)
    ? readUserToUser(header.value)
    : header.value.trim()
      ? { ok: true, text: header.value.trim() }
      : { ok: false, reason: 'is empty' };
  if (read.ok && !PRINTABLE.test(read.text)) {
    return { ok: false, reason: 'contains control characters' };
  }
  return read;
}

/**
 * Applies the line's mappings to the call's context headers: for each mapping, the first header
 * of that name (names compare case-insensitively). Unmapped headers are ignored.
 * @example mapContext([{ header: 'X-Intent', to: 'tag', tag_prefix: 'intent_' }], [{ name: 'x-intent', value: 'Billing' }])
 *          // → items: [{ header: 'X-Intent', to: 'tag', value: 'intent_billing' }]
 */
export function mapContext(
  mappings: readonly ContextMapping[],
  headers: readonly ContextHeader[],
): MappedContext {
  const out: MappedContext = { items: [], refused: [] };
  for (const mapping of mappings) {
    const sent = headers.find((h) => h.name.toLowerCase() === mapping.header.toLowerCase());
    if (!sent) continue;
    const read = readValue(sent);
    if (!read.ok) {
      out.refused.push({ header: mapping.header, reason: read.reason });
      continue;
    }
    if (mapping.to === 'tag') {
      const tag = `${mapping.tag_prefix ?? ''}${read.text}`.toLowerCase().replace(/\s+/g, '_');
      if (!TAG.test(tag)) {
        out.refused.push({
          header: mapping.header,
          reason: 'is not a tag (letters, digits, _ - : . / only, at most 80 characters)',
        });
      } else {
        out.items.push({ header: mapping.header, to: 'tag', value: tag });
      }
    } else if (mapping.to === 'custom_field') {
      out.items.push({
        header: mapping.header,
        to: 'custom_field',
        value: read.text,
        field_id: mapping.field_id!,
      });
    } else {
      out.items.push({
        header: mapping.header,
        to: 'note',
        value: read.text,
        label: mapping.label ?? mapping.header,
      });
    }
  }
  return out;
}
