/** SIP codes with their own plain-language meaning in the translations (`ui.sip.<code>`). */
const KNOWN = new Set([200, 400, 403, 404, 408, 410, 480, 486, 487, 488, 500, 502, 503, 504, 603]);

/**
 * The translation key that explains a final SIP status to an agent.
 * @example sipMeaningKey(486) // 'ui.sip.486' ("Busy"); sipMeaningKey(481) // 'ui.sip.4xx'
 */
export function sipMeaningKey(code: number): string {
  if (KNOWN.has(code)) return `ui.sip.${code}`;
  const family = Math.floor(code / 100);
  return family >= 1 && family <= 6 ? `ui.sip.${family}xx` : 'ui.call.not_known';
}
