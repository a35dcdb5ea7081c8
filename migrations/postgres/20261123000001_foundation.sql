-- Foundation: reference data (priority areas, districts), people and actors (groups).
-- Ids are UUIDs as text; timestamps are RFC 3339 UTC text (see app/src/db/mod.rs for why).

CREATE TABLE priority_areas (
    id             TEXT PRIMARY KEY NOT NULL,
    slug           TEXT NOT NULL UNIQUE,
    name_sv        TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    description_sv TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    sort_order     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE districts (
    id         TEXT PRIMARY KEY NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    display_name  TEXT NOT NULL,
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('volunteer', 'staff', 'admin')),
    created_at    TEXT NOT NULL DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    CONSTRAINT users_reachable CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

CREATE TABLE user_districts (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    district_id TEXT NOT NULL REFERENCES districts (id),
    PRIMARY KEY (user_id, district_id)
);

-- An actor is a group: informal (no legal entity) or formal (with an organisationsnummer).
CREATE TABLE actors (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('informal', 'association', 'foundation', 'faith_community', 'other_formal')),
    org_number  TEXT,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    CONSTRAINT actors_org_number_key UNIQUE (org_number),
    CONSTRAINT actors_formal_has_org_number CHECK ((kind = 'informal') = (org_number IS NULL))
);

CREATE TABLE actor_districts (
    actor_id    TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    district_id TEXT NOT NULL REFERENCES districts (id),
    PRIMARY KEY (actor_id, district_id)
);

CREATE TABLE actor_priority_areas (
    actor_id         TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    priority_area_id TEXT NOT NULL REFERENCES priority_areas (id),
    PRIMARY KEY (actor_id, priority_area_id)
);

CREATE TABLE actor_members (
    actor_id TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('contact', 'member')),
    PRIMARY KEY (actor_id, user_id)
);
CREATE INDEX actor_members_user ON actor_members (user_id);
