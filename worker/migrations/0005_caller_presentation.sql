-- How a line presents callers to Zendesk: 'as_received', or 'e164' (From and P-Asserted-Identity
-- rewritten at the edge to the caller's E.164 number; the call record keeps the original).
ALTER TABLE lines ADD COLUMN caller_presentation TEXT NOT NULL DEFAULT 'as_received'
  CHECK (caller_presentation IN ('as_received', 'e164'));
