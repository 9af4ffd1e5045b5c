-- The mails the housekeeping forgets each minute (sent or given up, past
-- SAMHAND_MAIL_RETENTION_DAYS), found by an index of their age instead of
-- a scan of the whole queue every minute.
CREATE INDEX mails_done_age ON mails ((coalesce(sent_at, next_attempt_at, created_at)))
    WHERE state IN ('SENT', 'DEAD');
