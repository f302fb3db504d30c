-- Routing rules per line (issue 16): an ordered list of rules, each with conditions on the caller
-- (returning, first-time, withheld; the matched user's tags and organization; time windows in the
-- rules' time zone) and its own Zendesk SIP targets. The first rule that holds routes the call;
-- none: the line's sip_targets. One JSON document (RoutingRulesSchema) the edge config carries.
ALTER TABLE lines ADD COLUMN routing_rules TEXT NOT NULL DEFAULT '{"time_zone":"UTC","rules":[]}';

-- The phone index keeps what rules read of the user, from the same export page as the number:
-- its tags (a JSON array) and organization, so a rule costs no Zendesk request in the call path.
ALTER TABLE phone_index ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE phone_index ADD COLUMN organization_id INTEGER;
-- Users indexed before now have no tags: the next runs export every user again from the start,
-- replacing each user's rows with their tags. The index stays in use meanwhile, trusted as its
-- last catch-up allows (docs/worker.md, "Routing rules"); a new deployment has no state row yet.
UPDATE phone_index_state SET cursor = NULL, start_time = 0;

-- Which rule routed the call (its id and name when it was decided), NULL: the line's targets.
ALTER TABLE calls ADD COLUMN route_rule_id TEXT;
ALTER TABLE calls ADD COLUMN route_rule_name TEXT;

-- The admin API checks it first, with field paths; these keep the secure-media rule of 0015 for
-- the rules' targets however writes race: a secure line's rule targets are all TLS too.
CREATE TRIGGER lines_secure_media_rule_tls_insert BEFORE INSERT ON lines
WHEN NEW.media = 'secure' AND EXISTS (
  SELECT 1 FROM json_each(NEW.routing_rules, '$.rules') AS r, json_each(r.value, '$.sip_targets') AS t
  WHERE NOT (t.value LIKE 'sips:%' OR t.value LIKE '%;transport=tls' OR t.value LIKE '%;transport=tls;%')
)
BEGIN
  SELECT RAISE(ABORT, 'secure_media_needs_tls_targets');
END;

CREATE TRIGGER lines_secure_media_rule_tls_update BEFORE UPDATE OF media, routing_rules ON lines
WHEN NEW.media = 'secure' AND EXISTS (
  SELECT 1 FROM json_each(NEW.routing_rules, '$.rules') AS r, json_each(r.value, '$.sip_targets') AS t
  WHERE NOT (t.value LIKE 'sips:%' OR t.value LIKE '%;transport=tls' OR t.value LIKE '%;transport=tls;%')
)
BEGIN
  SELECT RAISE(ABORT, 'secure_media_needs_tls_targets');
END;
