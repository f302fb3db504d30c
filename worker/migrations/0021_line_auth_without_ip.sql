-- Lines without an IP allowlist (auth.ip false, docs/caller-auth.md): the edge finds such a line
-- by its caller's credential, so that credential must name one line only. The admin API checks it
-- first, with field paths; these triggers keep every write to the rule however writes race (two
-- lines created at once with the same digest username):
-- - a line with ip false has digest users, or a tech prefix with a token;
-- - no two lines with ip false share a digest username or a tech prefix;
-- - lines with ip false that use digest share one realm (the edge challenges a caller from an
--   unknown address before it knows the line).
-- Lines with ip true are found by their ACL only and never count here.
CREATE TRIGGER lines_auth_without_ip_credential_insert BEFORE INSERT ON lines
WHEN json_extract(NEW.auth, '$.ip') = 0
  AND json_extract(NEW.auth, '$.digest') IS NULL
  AND (json_extract(NEW.auth, '$.tech_prefix') IS NULL OR json_extract(NEW.auth, '$.token') IS NULL)
BEGIN
  SELECT RAISE(ABORT, 'line_auth_without_ip_needs_credential');
END;

CREATE TRIGGER lines_auth_without_ip_credential_update BEFORE UPDATE OF auth ON lines
WHEN json_extract(NEW.auth, '$.ip') = 0
  AND json_extract(NEW.auth, '$.digest') IS NULL
  AND (json_extract(NEW.auth, '$.tech_prefix') IS NULL OR json_extract(NEW.auth, '$.token') IS NULL)
BEGIN
  SELECT RAISE(ABORT, 'line_auth_without_ip_needs_credential');
END;

CREATE TRIGGER lines_auth_without_ip_unique_insert BEFORE INSERT ON lines
WHEN json_extract(NEW.auth, '$.ip') = 0 AND EXISTS (
  SELECT 1 FROM lines o
  WHERE o.slug != NEW.slug AND json_extract(o.auth, '$.ip') = 0 AND (
    json_extract(o.auth, '$.tech_prefix') = json_extract(NEW.auth, '$.tech_prefix')
    OR json_extract(o.auth, '$.digest.realm') != json_extract(NEW.auth, '$.digest.realm')
    OR EXISTS (
      SELECT 1 FROM json_each(NEW.auth, '$.digest.users') n, json_each(o.auth, '$.digest.users') u
      WHERE json_extract(n.value, '$.username') = json_extract(u.value, '$.username')
    )
  )
)
BEGIN
  SELECT RAISE(ABORT, 'line_auth_without_ip_conflict');
END;

CREATE TRIGGER lines_auth_without_ip_unique_update BEFORE UPDATE OF auth ON lines
WHEN json_extract(NEW.auth, '$.ip') = 0 AND EXISTS (
  SELECT 1 FROM lines o
  WHERE o.id != NEW.id AND json_extract(o.auth, '$.ip') = 0 AND (
    json_extract(o.auth, '$.tech_prefix') = json_extract(NEW.auth, '$.tech_prefix')
    OR json_extract(o.auth, '$.digest.realm') != json_extract(NEW.auth, '$.digest.realm')
    OR EXISTS (
      SELECT 1 FROM json_each(NEW.auth, '$.digest.users') n, json_each(o.auth, '$.digest.users') u
      WHERE json_extract(n.value, '$.username') = json_extract(u.value, '$.username')
    )
  )
)
BEGIN
  SELECT RAISE(ABORT, 'line_auth_without_ip_conflict');
END;
