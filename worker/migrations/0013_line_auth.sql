-- How callers prove they may use a line (docs/caller-auth.md), as JSON in the edge's form
-- (contract/src/caller-auth.ts EdgeLineAuth): digest HA1s and the token's SHA-256, never a
-- password or a token. '{"ip":true}' is the ACL alone, as before.
ALTER TABLE lines ADD COLUMN auth TEXT NOT NULL DEFAULT '{"ip":true}';
