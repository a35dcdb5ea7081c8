-- Accounts, sessions, groups' history, invitations and login throttling (issue 3).
-- A closed account keeps its row as a pseudonym but loses every way to reach the person.
ALTER TABLE users ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN privacy_accepted_at TEXT;
ALTER TABLE users ADD COLUMN closed_at TEXT;
ALTER TABLE users DROP CONSTRAINT users_reachable;
ALTER TABLE users ADD CONSTRAINT users_reachable
    CHECK (closed_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL);
-- E-mail addresses are unique whatever their case.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

ALTER TABLE actors ADD COLUMN verified_at TEXT;
ALTER TABLE actors ADD COLUMN verified_by TEXT REFERENCES users (id);
ALTER TABLE actors ADD COLUMN verified_note TEXT;

CREATE TABLE actor_events (
    id         TEXT PRIMARY KEY NOT NULL,
    actor_id   TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    user_id    TEXT REFERENCES users (id),
    kind       TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX actor_events_actor ON actor_events (actor_id, created_at);

CREATE TABLE actor_invites (
    code       TEXT PRIMARY KEY NOT NULL,
    actor_id   TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('contact', 'member')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    uses_left  BIGINT
);

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

CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY NOT NULL,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);
