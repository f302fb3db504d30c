// Users: show, create (with the optional "Validate user phone numbers" check), update, delete,
// and a user's identities (list, add, remove).
import { json } from 'itty-router';
import { FieldErrorList, isRecord, notFound, parameterMissing, recordInvalid } from '../responses';
import { identityJson, userJson } from '../serialize';
import { USER_ROLES, type IdentityType, type UserChanges, type UserRole } from '../store';
import { parseId, type ApiContext, type ApiRequest, type ApiRouter } from './context';

/** E.164: a plus, a non-zero country digit, 7 to 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

export function registerUserRoutes(router: ApiRouter): void {
  // `me` first: it would otherwise be read as a (non-numeric, so unknown) user id.
  router
    .get('/api/v2/users/me', showMe)
    .get('/api/v2/users/:id', showUser)
    .post('/api/v2/users', createUser)
    .put('/api/v2/users/:id', updateUser)
    .delete('/api/v2/users/:id', deleteUser)
    .get('/api/v2/users/:id/identities', listIdentities)
    .post('/api/v2/users/:id/identities', addIdentity)
    .delete('/api/v2/users/:id/identities/:identity', removeIdentity);
}

/** Identity types Create Identity accepts (ZENDESK_API.md §4). */
const CREATABLE_IDENTITY_TYPES: IdentityType[] = [
  'email',
  'twitter',
  'facebook',
  'google',
  'agent_forwarding',
  'phone_number',
];

function findUser(req: ApiRequest, ctx: ApiContext) {
  const id = parseId(req.params.id);
  return id === null ? undefined : ctx.store.users.get(id);
}

/**
 * Update User: `name`, `phone` (`""` clears it, as ZENDESK_API.md §4 says to after deleting a
 * phone identity) and `role`; other fields are ignored. UNCONFIRMED simplification: the stand-in
 * updates only these three.
 */
function updateUser(req: ApiRequest, ctx: ApiContext): Response {
  const user = findUser(req, ctx);
  if (!user) return notFound();
  const input = isRecord(ctx.body) ? ctx.body.user : undefined;
  if (!isRecord(input)) return parameterMissing('user');
  const errors = new FieldErrorList();
  const changes: UserChanges = {};
  if (input.name !== undefined) {
    if (typeof input.name === 'string' && input.name.trim() !== '')
      changes.name = input.name.trim();
    else errors.add('name', 'Name: cannot be blank', 'BlankValue');
  }
  if (input.phone !== undefined) {
    if (input.phone === null || typeof input.phone === 'string') {
      if (input.phone && ctx.options.validatePhoneNumbers && !E164.test(input.phone)) {
        errors.add('phone', `Phone ${input.phone} is not properly formatted`, 'InvalidFormat');
      } else changes.phone = input.phone;
    } else errors.add('phone', 'Phone: must be a string');
  }
  if (input.role !== undefined) {
    if (USER_ROLES.includes(input.role as UserRole)) changes.role = input.role as UserRole;
    else errors.add('role', `Role: ${String(input.role)} is not one of ${USER_ROLES.join(', ')}`);
  }
  if (!errors.empty) return recordInvalid(errors.details);
  return json({ user: userJson(ctx.store.updateUser(user.id, changes), ctx.origin) });
}

/**
 * Delete User: the user stays, `active: false`, and is answered. UNCONFIRMED: the answer's
 * status (200 with the user) and that a second delete is a 404.
 */
function deleteUser(req: ApiRequest, ctx: ApiContext): Response {
  const user = findUser(req, ctx);
  if (!user || !user.active) return notFound();
  return json({ user: userJson(ctx.store.deleteUser(user.id), ctx.origin) });
}

function listIdentities(req: ApiRequest, ctx: ApiContext): Response {
  const user = findUser(req, ctx);
  if (!user) return notFound();
  const wanted = ctx.searchParams.getAll('type[]');
  const identities = ctx.store
    .identitiesOf(user.id)
    .filter((i) => wanted.length === 0 || wanted.includes(i.type))
    .map((i) => identityJson(i, ctx.origin));
  return json({ identities, next_page: null, previous_page: null, count: identities.length });
}

function addIdentity(req: ApiRequest, ctx: ApiContext): Response {
  const user = findUser(req, ctx);
  if (!user) return notFound();
  const input = isRecord(ctx.body) ? ctx.body.identity : undefined;
  if (!isRecord(input)) return parameterMissing('identity');
  const errors = new FieldErrorList();
  const type = input.type as IdentityType;
  if (!CREATABLE_IDENTITY_TYPES.includes(type)) {
    errors.add('type', `Type: ${String(input.type)} is not one of ${CREATABLE_IDENTITY_TYPES}`);
  }
  const value = typeof input.value === 'string' ? input.value.trim() : '';
  if (value === '') errors.add('value', 'Value: cannot be blank', 'BlankValue');
  if (!errors.empty) return recordInvalid(errors.details);
  const identity = ctx.store.addIdentity(user.id, { type, value });
  return json({ identity: identityJson(identity, ctx.origin) }, { status: 201 });
}

/** Delete Identity. UNCONFIRMED: 204 without a body. */
function removeIdentity(req: ApiRequest, ctx: ApiContext): Response {
  const user = findUser(req, ctx);
  const id = parseId(req.params.identity);
  const identity = id === null ? undefined : ctx.store.identities.get(id);
  if (!user || !identity || identity.user_id !== user.id) return notFound();
  ctx.store.removeIdentity(identity.id);
  return new Response(null, { status: 204 });
}

/** The authenticated user: the API user for Basic token auth, the token's owner for OAuth. */
function showMe(_req: ApiRequest, ctx: ApiContext): Response {
  return json({ user: userJson(ctx.actor, ctx.origin) });
}

function showUser(req: ApiRequest, ctx: ApiContext): Response {
  const id = parseId(req.params.id);
  const user = id === null ? undefined : ctx.store.users.get(id);
  return user ? json({ user: userJson(user, ctx.origin) }) : notFound();
}

function optionalText(input: Record<string, unknown>, key: string, errors: FieldErrorList) {
  const value = input[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  errors.add(key, `${key[0]?.toUpperCase()}${key.slice(1)}: must be a string`);
  return null;
}

function createUser(_req: ApiRequest, ctx: ApiContext): Response {
  const input = isRecord(ctx.body) ? ctx.body.user : undefined;
  if (!isRecord(input)) return parameterMissing('user');
  const created = addValidUser(input, ctx);
  if (created instanceof FieldErrorList) return recordInvalid(created.details);
  return json({ user: userJson(created, ctx.origin) }, { status: 201 });
}

/**
 * Create User's checks and the new user (also run by each item of a Create Or Update Many Users
 * job); the field errors when it is refused.
 */
export function addValidUser(input: Record<string, unknown>, ctx: ApiContext) {
  const errors = new FieldErrorList();
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '') errors.add('name', 'Name: cannot be blank', 'BlankValue');
  const phone = optionalText(input, 'phone', errors);
  if (phone !== null && ctx.options.validatePhoneNumbers && !E164.test(phone)) {
    errors.add('phone', `Phone ${phone} is not properly formatted`, 'InvalidFormat');
  }
  const email = optionalText(input, 'email', errors);
  if (email !== null && ctx.store.findUserByEmail(email)) {
    errors.add('email', `Email: ${email} is already being used by another user`, 'DuplicateValue');
  }
  const role = input.role ?? 'end-user';
  if (!USER_ROLES.includes(role as UserRole)) {
    errors.add('role', `Role: ${String(role)} is not one of ${USER_ROLES.join(', ')}`);
  }
  const externalId = optionalText(input, 'external_id', errors);
  if (!errors.empty) return errors;

  const now = ctx.options.now();
  return ctx.store.addUser({
    name,
    phone,
    email,
    role: role as UserRole,
    external_id: externalId,
    createdAt: now,
    // New records reach the search index only after a while ("up to a few minutes").
    searchableAt: now + ctx.options.searchIndexDelayMs,
  });
}
