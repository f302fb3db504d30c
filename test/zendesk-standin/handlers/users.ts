// Users: show and create (with the optional "Validate user phone numbers" check).
import { json } from 'itty-router';
import { FieldErrorList, isRecord, notFound, parameterMissing, recordInvalid } from '../responses';
import { userJson } from '../serialize';
import { USER_ROLES, type UserRole } from '../store';
import { parseId, type ApiContext, type ApiRequest, type ApiRouter } from './context';

/** E.164: a plus, a non-zero country digit, 7 to 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

export function registerUserRoutes(router: ApiRouter): void {
  // `me` first: it would otherwise be read as a (non-numeric, so unknown) user id.
  router
    .get('/api/v2/users/me', showMe)
    .get('/api/v2/users/:id', showUser)
    .post('/api/v2/users', createUser);
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
  if (!errors.empty) return recordInvalid(errors.details);

  const now = ctx.options.now();
  const user = ctx.store.addUser({
    name,
    phone,
    email,
    role: role as UserRole,
    external_id: externalId,
    createdAt: now,
    // New records reach the search index only after a while ("up to a few minutes").
    searchableAt: now + ctx.options.searchIndexDelayMs,
  });
  return json({ user: userJson(user, ctx.origin) }, { status: 201 });
}
