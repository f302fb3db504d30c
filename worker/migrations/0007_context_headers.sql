-- Context headers (X-…, User-to-User) a line maps to its calls' tickets: a JSON array of
-- {header, to: tag|custom_field|note, field_id?, label?, tag_prefix?}, validated by the admin API.
ALTER TABLE lines ADD COLUMN context_headers TEXT NOT NULL DEFAULT '[]';

-- What a call's mapped context headers became ({items, refused}), and its way to the ticket:
-- 'none' (nothing mapped), 'not_applied' (no ticket), 'pending' → 'posting' → 'posted' | 'failed'.
ALTER TABLE calls ADD COLUMN context_json TEXT;
ALTER TABLE calls ADD COLUMN context_status TEXT NOT NULL DEFAULT 'none'
  CHECK (context_status IN ('none', 'not_applied', 'pending', 'posting', 'posted', 'failed'));
ALTER TABLE calls ADD COLUMN context_attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_context_due ON calls (context_status) WHERE context_status IN ('pending', 'posting');
