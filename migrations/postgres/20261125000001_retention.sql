-- Retention (gallring, issue 14): the daily job deletes by age; these keep it from scanning.
CREATE INDEX sync_changes_applied ON sync_changes (applied_at);
CREATE INDEX login_throttle_last ON login_throttle (last_failure_at);
