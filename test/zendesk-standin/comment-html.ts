// The two forms of a comment Zendesk keeps: text (`body`, `plain_body`) and HTML (`html_body`).

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
};

/**
 * UNCONFIRMED rendering: the text Zendesk derives from an `html_body` (tags removed, block ends
 * and `<br>` as line breaks, entities decoded). Enough for tests to read what an agent sees.
 * @example htmlToText('<p><strong>Caller:</strong> 1 &lt; 2</p>') // 'Caller: 1 < 2'
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A plain-text comment as HTML: escaped, one paragraph, line breaks kept. */
export function textToHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<p>${escaped.replace(/\n/g, '<br>')}</p>`;
}
