/* global window, document, location, Option */
// Plays Zendesk's side of the ZAF v2 postMessage protocol for one app location (the installation's:
// ticket_sidebar, or nav_bar for the admin console, shown full width), as the
// SDK (zendesk_app_framework_sdk 2.0.11, lib/client.js) expects it:
//   app → host  {key:'iframe.handshake', message:{version}, appGuid, instanceGuid}   (JSON string)
//   host → app  {key:'zaf.app.registered', message:{metadata, context}}
//   app → host  {id, request:'get'|'set'|'invoke', params, appGuid, instanceGuid}
//   host → app  {id, result:{…, errors:{}}}   or   {id, error:{name, message, path}}
//   app → host  {key:'request:N', message:<request options>}
//   host → app  {key:'zaf.request:N.done'|'zaf.request:N.fail', message:{responseArgs:[…]}}
// Requests go to this page's server (/__zaf/request), which acts as Zendesk's proxy: it fills in
// {{setting.*}}, signs {{jwt.token}} and performs the HTTP request, so no secret reaches the page.

const params = new URLSearchParams(location.search);
const installation = params.get('installation') ?? '1';
// This run's token, put in the page by the server; every request to it carries it.
const run = document.querySelector('meta[name="harness-run"]')?.content ?? '';
const harnessFetch = (url, init = {}) =>
  fetch(url, { ...init, headers: { ...init.headers, 'X-Harness-Run': run } });
const config = await (await harnessFetch(`/__zaf/installations/${installation}`)).json();
const appGuid = crypto.randomUUID();
const appOrigin = new URL(config.appUrl).origin;
const iframe = document.getElementById('app');
const appLocation = config.location ?? 'ticket_sidebar';
document.body.dataset.location = appLocation;

const ticketId = params.has('ticket') ? Number(params.get('ticket')) : null;
// With a ticket list (npm start's page), the ticket's own requester; the installation's otherwise.
const choice = config.tickets?.find((t) => t.id === ticketId);
const data = {
  ticket: { id: ticketId, requester: choice ? choice.requester : (config.requester ?? null) },
  currentUser: { ...config.currentUser, locale: params.get('locale') ?? 'en-US' },
};

/** What the tests read back: every message, set, invoke and request, and when it registered. */
const log = (window.__zaf = {
  registeredAt: null,
  messages: [],
  sets: [],
  invokes: [],
  requests: [],
  height: null,
});

const post = (message) => iframe.contentWindow.postMessage(JSON.stringify(message), appOrigin);

function read(path) {
  let node = data;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return { missing: true };
    node = node[part];
  }
  return { value: node };
}

function answerGet({ id, params: paths }) {
  const result = { errors: {} };
  for (const path of paths) {
    const found = read(path);
    if (found.missing) {
      result.errors[path] = { name: 'Error', message: 'Could not find path', path };
    } else result[path] = found.value;
  }
  post({ id, result });
}

function answerSet({ id, params: values }) {
  for (const [path, value] of Object.entries(values)) {
    log.sets.push({ path, value });
    if (path === 'ticket.requester') data.ticket.requester = value;
  }
  post({ id, result: { errors: {} } });
}

function answerInvoke({ id, params: calls }) {
  for (const [name, args] of Object.entries(calls)) {
    log.invokes.push({ name, args });
    if (name === 'resize' && args[0]?.height) {
      iframe.style.height = args[0].height;
      log.height = args[0].height;
    }
  }
  post({ id, result: { errors: {} } });
}

async function answerRequest(key, options) {
  log.requests.push({ key, url: options.url, type: options.type ?? 'GET' });
  let outcome;
  try {
    const res = await harnessFetch(`/__zaf/request?installation=${installation}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(options),
    });
    outcome = await res.json();
  } catch {
    outcome = { status: 0, responseText: '', headers: {} };
  }
  let responseJSON;
  try {
    responseJSON = JSON.parse(outcome.responseText);
  } catch {
    responseJSON = undefined;
  }
  const ok = outcome.status >= 200 && outcome.status < 300;
  const complete = {
    status: outcome.status,
    responseJSON,
    responseText: outcome.responseText,
    headers: outcome.headers,
  };
  // Without httpCompleteResponse, jQuery-style arguments: (body, textStatus, xhr) or (xhr, textStatus).
  const responseArgs = options.httpCompleteResponse
    ? [complete]
    : ok
      ? [responseJSON ?? outcome.responseText, 'success', complete]
      : [complete, 'error'];
  post({ key: `zaf.${key}.${ok ? 'done' : 'fail'}`, message: { responseArgs } });
}

window.addEventListener('message', (event) => {
  if (event.source !== iframe.contentWindow || event.origin !== appOrigin) return;
  let message;
  try {
    message = JSON.parse(event.data);
  } catch {
    return;
  }
  log.messages.push(message);
  if (message.key === 'iframe.handshake') {
    log.registeredAt = performance.timeOrigin + performance.now();
    post({
      key: 'zaf.app.registered',
      message: {
        metadata: { ...config.metadata, settings: config.settings },
        context: {
          instanceGuid: appGuid,
          product: 'support',
          account: { subdomain: 'harness' },
          location: appLocation,
          ...(appLocation === 'ticket_sidebar' ? { ticketId } : {}),
        },
      },
    });
  } else if (message.request === 'get') answerGet(message);
  else if (message.request === 'set') answerSet(message);
  else if (message.request === 'invoke') answerInvoke(message);
  else if (/^request:\d+$/.test(message.key ?? ''))
    void answerRequest(message.key, message.message);
  // iframe.on:/iframe.off: subscriptions need no answer here.
});

if (Array.isArray(config.tickets) && appLocation === 'ticket_sidebar')
  showTicketPicker(config.tickets);

/** A select above the sidebar that reloads the page on another ticket (npm start's page only). */
function showTicketPicker(tickets) {
  const nav = document.getElementById('tickets');
  const form = document.createElement('form');
  form.method = 'get';
  for (const name of ['installation', 'locale']) {
    if (!params.has(name)) continue;
    const input = Object.assign(document.createElement('input'), { type: 'hidden', name });
    input.value = params.get(name);
    form.append(input);
  }
  const select = Object.assign(document.createElement('select'), { name: 'ticket', id: 'ticket' });
  const ids = tickets.map((t) => t.id);
  if (ticketId !== null && !ids.includes(ticketId))
    tickets = [{ id: ticketId, subject: '' }, ...tickets];
  for (const t of tickets) {
    const option = new Option(`#${t.id} ${t.subject}${t.status ? ` (${t.status})` : ''}`, t.id);
    option.selected = t.id === ticketId;
    select.append(option);
  }
  select.addEventListener('change', () => form.submit());
  const label = Object.assign(document.createElement('label'), { htmlFor: 'ticket' });
  label.textContent = 'Ticket ';
  form.append(label, select);
  nav.append(form);
  nav.hidden = false;
}

iframe.src = `${config.appUrl}?origin=${encodeURIComponent(location.origin)}&app_guid=${appGuid}`;
