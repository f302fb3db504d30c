// Demo data for `npm start` and tests: callers with phones stored in human formats across countries.
import type { StandinStore } from './store';

export const ADA_LOVELACE_ID = 20001;
export const MARIE_CURIE_ID = 20002;
export const ALAN_TURING_ID = 20003;
export const KENJI_SATO_ID = 20004;
/** Sam and Alex Rivera share one family phone: a search by it finds two users (ambiguous). */
export const SAM_RIVERA_ID = 20005;
export const ALEX_RIVERA_ID = 20006;
export const LISE_MEITNER_ID = 20007;
/** An end-user without a phone: no phone search finds her. */
export const KATHERINE_JOHNSON_ID = 20008;
export const GRACE_HOPPER_AGENT_ID = 20009;
/** The user the API credentials belong to (email from the options). */
export const API_USER_ID = 20010;
/** An agent restricted to the tickets of the Billing group (Zendesk's "groups" restriction). */
export const HEDY_LAMARR_RESTRICTED_ID = 20011;

/** Groups: Support holds 1001, 1003 and 1004; Billing holds 1002. */
const SUPPORT_GROUP_ID = 360001;
/** Ada Lovelace's organization, and her tag: routing rules' VIP caller (tags and organization). */
export const ACME_ORG_ID = 360000501;
export const VIP_TAG = 'vip';
/** Alan Turing's organization: a rule on another organization does not take Ada. */
export const BLETCHLEY_ORG_ID = 360000502;
export const BILLING_GROUP_ID = 360002;

/**
 * OAuth access tokens the seed grants, as each user's authorization of the sidebar app would:
 * `Authorization: Bearer <token>` answers as that user. Stand-in values, never real secrets.
 */
export const DEMO_OAUTH_TOKENS = {
  graceHopper: 'standin-oauth-grace-hopper-agent',
  hedyLamarr: 'standin-oauth-hedy-lamarr-restricted',
  katherineJohnson: 'standin-oauth-katherine-johnson-end-user',
  apiUser: 'standin-oauth-sip-bridge-admin',
} as const;

export const OPEN_TICKET_ID = 1001;
export const PENDING_TICKET_ID = 1002;
export const SOLVED_TICKET_ID = 1003;
export const CLOSED_TICKET_ID = 1004;
/** The id the next created ticket gets. */
export const FIRST_NEW_TICKET_ID = 1005;

/**
 * Custom ticket fields of the demo account (`GET /api/v2/ticket_fields` lists them after the system
 * fields): a text, a drop-down (`tagger`), a checkbox, a multi-select, an integer, and an inactive
 * text field.
 */
export const TICKET_FIELD_IDS = {
  orderNumber: 360000101,
  product: 360000102,
  callbackRequested: 360000103,
  topics: 360000104,
  contractNumber: 360000105,
  retiredCode: 360000106,
} as const;

/** Phones exactly as stored; searches must cope with these formats. */
export const DEMO_PHONES = {
  adaLovelace: '+1 (415) 555-0100',
  marieCurie: '+33 6 12 34 56 78',
  alanTuring: '+44 20 7946 0958',
  kenjiSato: '+81 3-1234-5678',
  riveraFamily: '+1 415 555 0199',
  liseMeitner: '+4930901820',
} as const;

// Fixed times keep responses stable across runs.
const SEEDED_AT = Date.UTC(2024, 0, 15, 9, 0, 0);
const hoursLater = (hours: number) => SEEDED_AT + hours * 3_600_000;

/**
 * Loads the demo users and tickets into an empty store.
 *
 * @example
 * applyDemoSeed(store, { apiUserEmail: 'bridge@example.com' });
 */
export function applyDemoSeed(store: StandinStore, options: { apiUserEmail: string }): void {
  const users = [
    {
      id: ADA_LOVELACE_ID,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: DEMO_PHONES.adaLovelace,
      tags: [VIP_TAG, 'hardware_owner'],
      organization_id: ACME_ORG_ID,
    },
    {
      id: MARIE_CURIE_ID,
      name: 'Marie Curie',
      email: 'marie.curie@example.fr',
      phone: DEMO_PHONES.marieCurie,
      locale: 'fr-FR',
      time_zone: 'Paris',
    },
    {
      id: ALAN_TURING_ID,
      name: 'Alan Turing',
      email: 'alan.turing@example.co.uk',
      phone: DEMO_PHONES.alanTuring,
      locale: 'en-GB',
      time_zone: 'London',
      organization_id: BLETCHLEY_ORG_ID,
    },
    {
      id: KENJI_SATO_ID,
      name: 'Kenji Sato',
      phone: DEMO_PHONES.kenjiSato,
      locale: 'ja',
      time_zone: 'Tokyo',
    },
    { id: SAM_RIVERA_ID, name: 'Sam Rivera', phone: DEMO_PHONES.riveraFamily },
    { id: ALEX_RIVERA_ID, name: 'Alex Rivera', phone: DEMO_PHONES.riveraFamily },
    {
      id: LISE_MEITNER_ID,
      name: 'Lise Meitner',
      phone: DEMO_PHONES.liseMeitner,
      locale: 'de',
      time_zone: 'Berlin',
    },
    { id: KATHERINE_JOHNSON_ID, name: 'Katherine Johnson', email: 'katherine@example.com' },
    {
      id: GRACE_HOPPER_AGENT_ID,
      name: 'Grace Hopper',
      email: 'grace@example.com',
      role: 'agent' as const,
      group_ids: [SUPPORT_GROUP_ID],
    },
    // An admin, as the bridge's API user must be for the incremental user export (phone index).
    { id: API_USER_ID, name: 'SIP Bridge', email: options.apiUserEmail, role: 'admin' as const },
    {
      id: HEDY_LAMARR_RESTRICTED_ID,
      name: 'Hedy Lamarr',
      email: 'hedy@example.com',
      role: 'agent' as const,
      ticket_restriction: 'groups' as const,
      group_ids: [BILLING_GROUP_ID],
    },
  ];
  for (const user of users) store.addUser({ ...user, createdAt: SEEDED_AT });
  store.addOAuthToken(DEMO_OAUTH_TOKENS.graceHopper, GRACE_HOPPER_AGENT_ID);
  store.addOAuthToken(DEMO_OAUTH_TOKENS.hedyLamarr, HEDY_LAMARR_RESTRICTED_ID);
  store.addOAuthToken(DEMO_OAUTH_TOKENS.katherineJohnson, KATHERINE_JOHNSON_ID);
  store.addOAuthToken(DEMO_OAUTH_TOKENS.apiUser, API_USER_ID);

  applyTicketFields(store);

  store.addTicket({
    id: OPEN_TICKET_ID,
    subject: 'Router keeps rebooting',
    description: 'My router restarts every few minutes since the firmware update.',
    status: 'open',
    requester_id: ADA_LOVELACE_ID,
    assignee_id: GRACE_HOPPER_AGENT_ID,
    group_id: SUPPORT_GROUP_ID,
    tags: ['hardware'],
    via_id: 0,
    createdAt: hoursLater(1),
  });
  store.addComment(OPEN_TICKET_ID, {
    body: 'Asked the customer for the router model.',
    public: false,
    author_id: GRACE_HOPPER_AGENT_ID,
    createdAt: hoursLater(2),
  });
  store.addTicket({
    id: PENDING_TICKET_ID,
    subject: 'Question about my invoice',
    description: 'Why was I charged twice in December?',
    status: 'pending',
    requester_id: MARIE_CURIE_ID,
    assignee_id: GRACE_HOPPER_AGENT_ID,
    group_id: BILLING_GROUP_ID,
    tags: ['billing'],
    via_id: 4,
    createdAt: hoursLater(3),
  });
  store.addTicket({
    id: SOLVED_TICKET_ID,
    subject: 'Callback about order 7741',
    description: 'Customer called about a late delivery.',
    status: 'solved',
    requester_id: ALAN_TURING_ID,
    submitter_id: GRACE_HOPPER_AGENT_ID,
    assignee_id: GRACE_HOPPER_AGENT_ID,
    group_id: SUPPORT_GROUP_ID,
    tags: ['delivery'],
    via_id: 34,
    createdAt: hoursLater(4),
  });
  store.addTicket({
    id: CLOSED_TICKET_ID,
    subject: 'Password reset',
    description: 'I cannot log in to my account.',
    status: 'closed',
    requester_id: KENJI_SATO_ID,
    assignee_id: GRACE_HOPPER_AGENT_ID,
    group_id: SUPPORT_GROUP_ID,
    via_id: 0,
    createdAt: hoursLater(5),
  });
}

const SYSTEM_FIELDS = [
  ['subject', 'Subject'],
  ['description', 'Description'],
  ['status', 'Status'],
  ['tickettype', 'Type'],
  ['priority', 'Priority'],
  ['group', 'Group'],
  ['assignee', 'Assignee'],
] as const;

function applyTicketFields(store: StandinStore): void {
  for (const [type, title] of SYSTEM_FIELDS) {
    store.addTicketField({ type, title, createdAt: SEEDED_AT });
  }
  const options = (id: number, values: string[]) =>
    values.map((value, i) => ({ id: id * 10 + i, name: value.replaceAll('_', ' '), value }));
  const custom = [
    { id: TICKET_FIELD_IDS.orderNumber, type: 'text' as const, title: 'Order number' },
    {
      id: TICKET_FIELD_IDS.product,
      type: 'tagger' as const,
      title: 'Product',
      custom_field_options: options(3601021, ['router_x1', 'router_x2', 'mesh_pro']),
    },
    {
      id: TICKET_FIELD_IDS.callbackRequested,
      type: 'checkbox' as const,
      title: 'Callback requested',
      tag: 'callback_requested',
    },
    {
      id: TICKET_FIELD_IDS.topics,
      type: 'multiselect' as const,
      title: 'Topics',
      custom_field_options: options(3601041, ['billing', 'outage', 'hardware']),
    },
    { id: TICKET_FIELD_IDS.contractNumber, type: 'integer' as const, title: 'Contract number' },
    {
      id: TICKET_FIELD_IDS.retiredCode,
      type: 'text' as const,
      title: 'Retired code',
      active: false,
    },
  ];
  for (const field of custom) store.addTicketField({ ...field, createdAt: SEEDED_AT });
}
