-- Micro-support cases (issue 11). A case is a synced record (`db::records`): the whole case as
-- JSON in `body`, its queryable fields in columns for the handlers' queue and the support
-- report. The server opens one when a group asks the municipality for something (a need of a
-- micro-support kind, `need_id`), and never removes it.
--
-- Every step of a case is also a row of `case_trail`, written in the same transaction as the
-- case. The trail is append-only: no server function updates or deletes it, and the database
-- refuses to (the triggers below). A person who closes their account stays in it under the
-- pseudonym their user row keeps.

CREATE TABLE cases (
    id              TEXT PRIMARY KEY NOT NULL,
    need_id         TEXT NOT NULL CONSTRAINT cases_one_per_request UNIQUE REFERENCES needs (id),
    group_id        TEXT NOT NULL REFERENCES actors (id),
    number          TEXT NOT NULL CONSTRAINT cases_number_key UNIQUE,
    year            BIGINT NOT NULL,
    seq             BIGINT NOT NULL,
    kind            TEXT NOT NULL CONSTRAINT cases_kind CHECK (kind IN ('micro_grant', 'premises', 'storage', 'admin_help')),
    state           TEXT NOT NULL CONSTRAINT cases_state CHECK (state IN ('received', 'in_review', 'more_info', 'awaiting_second', 'approved', 'rejected', 'paid', 'followed_up', 'closed', 'withdrawn')),
    handler_id      TEXT REFERENCES users (id),
    requested_ore   BIGINT,
    granted_ore     BIGINT CONSTRAINT cases_granted_positive CHECK (granted_ore IS NULL OR granted_ore > 0),
    decided_at      BIGINT,
    paid_on         TEXT,
    opened_at       BIGINT NOT NULL,
    state_since     BIGINT NOT NULL,
    body            TEXT,
    version         BIGINT NOT NULL,
    removed_at      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cases_queue ON cases (state, state_since);
CREATE INDEX cases_handler ON cases (handler_id, state_since);
CREATE INDEX cases_group_year ON cases (group_id, decided_at);
CREATE INDEX cases_decided ON cases (decided_at);

-- Sync now also carries cases: the kind's check names it. (SQLite cannot change a check, so
-- the table is made again with the same rows.)
CREATE TABLE sync_records_next (
    id         TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL CONSTRAINT sync_records_kind CHECK (kind IN ('offer', 'need', 'occasion', 'sign_up', 'case')),
    version    BIGINT NOT NULL,
    removed_at TEXT
);
INSERT INTO sync_records_next (id, kind, version, removed_at)
    SELECT id, kind, version, removed_at FROM sync_records;
DROP TABLE sync_records;
ALTER TABLE sync_records_next RENAME TO sync_records;
CREATE INDEX sync_records_removed ON sync_records (removed_at) WHERE removed_at IS NOT NULL;

CREATE TABLE case_trail (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    TEXT REFERENCES users (id),
    role        TEXT NOT NULL CONSTRAINT case_trail_role CHECK (role IN ('staff', 'group_contact', 'system', 'other')),
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    step        TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- The municipality's decision rules: one row, JSON (`domain::case::CaseRules`); absent until an
-- administrator first changes them (the defaults are the code's).
CREATE TABLE case_rules (
    id          BIGINT PRIMARY KEY NOT NULL CONSTRAINT case_rules_one_row CHECK (id = 1),
    body        TEXT NOT NULL,
    updated_by  TEXT REFERENCES users (id),
    updated_at  TEXT NOT NULL
);

CREATE TRIGGER case_trail_no_update BEFORE UPDATE ON case_trail
BEGIN
    SELECT RAISE(ABORT, 'case_trail_append_only');
END;
CREATE TRIGGER case_trail_no_delete BEFORE DELETE ON case_trail
BEGIN
    SELECT RAISE(ABORT, 'case_trail_append_only');
END;
