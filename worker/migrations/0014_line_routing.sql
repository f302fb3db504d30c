-- Per-line routing (issue 16): target order, the no-ringback and no-answer timers, and the
-- concurrent-call limit, as one JSON object the edge config carries to Kamailio. Existing lines
-- keep today's behaviour: targets in order, no concurrent limit.
ALTER TABLE lines ADD COLUMN routing TEXT NOT NULL
  DEFAULT '{"mode":"sequential","no_ringback_ms":5000,"no_answer_ms":300000,"max_concurrent_calls":0}';

-- Which timer of the edge ended a call ('no_ringback_timeout', 'no_answer_timeout'), when one
-- did: on the event as the edge sent it, and on the record derived from its events.
ALTER TABLE call_events ADD COLUMN cause TEXT;
ALTER TABLE calls ADD COLUMN final_cause TEXT;
