// Saves text the console fetched (through Zendesk's proxy) as a file: a Blob URL and a link click,
// so no token or signed URL is ever put in an address the browser opens.

/** Starts the browser's download of `text` as `filename`. */
export function downloadText(text: string, filename: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
