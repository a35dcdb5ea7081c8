-- Accounts, sessions, groups' history, invitations and login throttling (issue 3).
--
-- A closed account keeps its row as a pseudonym (records the municipality must keep still point
-- at it) but loses every way to reach the person, so `users_reachable` must allow a closed row
-- without e-mail or phone. SQLite cannot alter a CHECK constraint: the table is rebuilt with
-- SQLite's documented procedure. SQLite migrations run with foreign keys off (see
-- app/src/db/mod.rs), so dropping the old table does not cascade into user_districts and
-- actor_members; the keys are checked after the migrations.

CREATE TABLE users_new (
    id                  TEXT PRIMARY KEY NOT NULL,
    display_name        TEXT NOT NULL,
    email               TEXT UNIQUE,
    phone               TEXT UNIQUE,
    password_hash       TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('volunteer', 'staff', 'admin')),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- JSON arrays of short texts, optional at sign-up.
    languages           TEXT NOT NULL DEFAULT '[]',
    skills              TEXT NOT NULL DEFAULT '[]',
    privacy_accepted_at TEXT,
    closed_at           TEXT,
    CONSTRAINT users_reachable CHECK (closed_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL)
);
INSERT INTO users_new (id, display_name, email, phone, password_hash, role, created_at)
    SELECT id, display_name, email, phone, password_hash, role, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- E-mail addresses are unique whatever their case.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

ALTER TABLE actors ADD COLUMN verified_at TEXT;
ALTER TABLE actors ADD COLUMN verified_by TEXT REFERENCES users (id);
ALTER TABLE actors ADD COLUMN verified_note TEXT;

-- What happened to a group, who did it and when: registration, conversion to a formal actor,
-- verification, members joining and leaving. Kept when a person closes their account (the
-- person is then a pseudonym).
CREATE TABLE actor_events (
    id         TEXT PRIMARY KEY NOT NULL,
    actor_id   TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    user_id    TEXT REFERENCES users (id),
    kind       TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX actor_events_actor ON actor_events (actor_id, created_at);

-- Invitations to a group: the code is given as a link or typed; contact invitations are single-use.
CREATE TABLE actor_invites (
    code       TEXT PRIMARY KEY NOT NULL,
    actor_id   TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('contact', 'member')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    uses_left  BIGINT
);

-- Sessions (tower-sessions records). user_id is copied out of the data so that closing an
-- account or changing a password can end every session of that person.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed sign-ins per account identifier and per client address (see domain::throttle).
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY NOT NULL,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);
