-- A line's media (docs/secure-media.md): 'rtp' takes plain RTP only, as before; 'secure' takes
-- calls over TLS with SDES SRTP only and relays them to TLS targets.
ALTER TABLE lines ADD COLUMN media TEXT NOT NULL DEFAULT 'rtp' CHECK (media IN ('rtp', 'secure'));

-- The admin API checks it first, with field paths; these keep every write to the rule however it
-- races (two PATCHes, one making the line secure, one changing its targets): a secure line's
-- targets are all sips: or carry ;transport=tls (contract/src/line-media.ts isTlsTarget).
CREATE TRIGGER lines_secure_media_tls_insert BEFORE INSERT ON lines
WHEN NEW.media = 'secure' AND EXISTS (
  SELECT 1 FROM json_each(NEW.sip_targets)
  WHERE NOT (value LIKE 'sips:%' OR value LIKE '%;transport=tls' OR value LIKE '%;transport=tls;%')
)
BEGIN
  SELECT RAISE(ABORT, 'secure_media_needs_tls_targets');
END;

CREATE TRIGGER lines_secure_media_tls_update BEFORE UPDATE OF media, sip_targets ON lines
WHEN NEW.media = 'secure' AND EXISTS (
  SELECT 1 FROM json_each(NEW.sip_targets)
  WHERE NOT (value LIKE 'sips:%' OR value LIKE '%;transport=tls' OR value LIKE '%;transport=tls;%')
)
BEGIN
  SELECT RAISE(ABORT, 'secure_media_needs_tls_targets');
END;
