-- Activities (issue 10): an activity is a need of kind 'activity' (its schedule in the need's
-- body); the server writes its occasions from the schedule, and volunteers' sign-ups to their
-- shifts. Both are synced records (`db::records`): the whole record as JSON in `body`, the
-- queryable fields in columns. Times are Unix seconds (UTC). An occasion has no author (the
-- server writes it); a sign-up is its volunteer's, kept under a pseudonym when they leave.

CREATE TABLE occasions (
    id           TEXT PRIMARY KEY NOT NULL,
    need_id      TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    group_id     TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    district_id  TEXT NOT NULL REFERENCES districts (id),
    date         TEXT NOT NULL,
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL CONSTRAINT occasions_ends_after_start CHECK (ends_at >= starts_at),
    status       TEXT NOT NULL CONSTRAINT occasions_status CHECK (status IN ('scheduled', 'cancelled')),
    is_open      BIGINT NOT NULL,
    places       BIGINT NOT NULL,
    confirmed    BIGINT NOT NULL,
    body         TEXT,
    version      BIGINT NOT NULL,
    removed_at   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX occasions_need ON occasions (need_id, starts_at);
CREATE INDEX occasions_open ON occasions (is_open, district_id, starts_at);

CREATE TABLE sign_ups (
    id                 TEXT PRIMARY KEY NOT NULL,
    occasion_id        TEXT NOT NULL REFERENCES occasions (id) ON DELETE CASCADE,
    need_id            TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    group_id           TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    volunteer_id       TEXT NOT NULL REFERENCES users (id),
    shift              BIGINT NOT NULL,
    status             TEXT NOT NULL CONSTRAINT sign_ups_status CHECK (status IN ('requested', 'confirmed', 'waiting', 'withdrawn', 'cancelled')),
    requested_at       BIGINT NOT NULL,
    starts_at          BIGINT NOT NULL,
    attended           BIGINT,
    minutes            BIGINT CONSTRAINT sign_ups_minutes_positive CHECK (minutes IS NULL OR minutes > 0),
    hours_confirmed_by TEXT REFERENCES users (id),
    body               TEXT,
    version            BIGINT NOT NULL,
    removed_at         TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX sign_ups_shift ON sign_ups (occasion_id, shift, status);
CREATE INDEX sign_ups_volunteer ON sign_ups (volunteer_id, starts_at);
CREATE INDEX sign_ups_group ON sign_ups (group_id, starts_at);
