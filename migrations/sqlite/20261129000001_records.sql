-- Sync carries many kinds of record, each seen by whoever its scopes say (issue 9); groups'
-- needs are the second kind. See docs/SYNC.md, "Many kinds, many scopes".

-- Every record sync carries, whatever its kind: the kind's own table holds its content.
CREATE TABLE sync_records (
    id         TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL CONSTRAINT sync_records_kind CHECK (kind IN ('offer', 'need', 'occasion', 'sign_up')),
    version    BIGINT NOT NULL,
    removed_at TEXT
);
CREATE INDEX sync_records_removed ON sync_records (removed_at) WHERE removed_at IS NOT NULL;

-- Who may see each live record now: `o:<user>` (its owner), `g:<group>` (the group's
-- members), `p:<district>` (everyone following a district). A device entering a scope gets
-- its rows from here.
CREATE TABLE sync_scopes (
    scope     TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version   BIGINT NOT NULL,
    PRIMARY KEY (scope, record_id)
);
CREATE INDEX sync_scopes_record ON sync_scopes (record_id);
CREATE INDEX sync_scopes_newest ON sync_scopes (scope, version);

-- What changed in each scope: a row for every scope a change entered, kept or left, so a
-- device holding the scope re-reads the record (and drops it if it may no longer see it).
CREATE TABLE sync_scope_log (
    scope     TEXT NOT NULL,
    version   BIGINT NOT NULL,
    record_id TEXT NOT NULL,
    logged_at TEXT NOT NULL,
    PRIMARY KEY (scope, version, record_id)
);
CREATE INDEX sync_scope_log_logged ON sync_scope_log (logged_at);

INSERT INTO sync_records (id, kind, version, removed_at)
    SELECT id, 'offer', version, removed_at FROM offers;
INSERT INTO sync_scopes (scope, record_id, version)
    SELECT 'o:' || owner_id, id, version FROM offers WHERE body IS NOT NULL;
INSERT INTO sync_scope_log (scope, version, record_id, logged_at)
    SELECT 'o:' || owner_id, version, id, updated_at FROM offers;

-- Offers' queryable fields in real columns (staff list and match them by these).
ALTER TABLE offers ADD COLUMN availability TEXT
    CONSTRAINT offers_availability CHECK (availability IN ('one_off', 'weekly', 'flexible'));
ALTER TABLE offers ADD COLUMN paused BIGINT NOT NULL DEFAULT 0;
CREATE TABLE offer_districts (
    offer_id    TEXT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    district_id TEXT NOT NULL,
    PRIMARY KEY (offer_id, district_id)
);
CREATE INDEX offer_districts_district ON offer_districts (district_id, offer_id);
CREATE TABLE offer_priority_areas (
    offer_id         TEXT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    priority_area_id TEXT NOT NULL,
    PRIMARY KEY (offer_id, priority_area_id)
);
CREATE INDEX offer_priority_areas_area ON offer_priority_areas (priority_area_id, offer_id);
-- Skills and languages as typed; `folded` is lower-cased for matching.
CREATE TABLE offer_tags (
    offer_id TEXT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CONSTRAINT offer_tags_kind CHECK (kind IN ('skill', 'language')),
    tag      TEXT NOT NULL,
    folded   TEXT NOT NULL,
    PRIMARY KEY (offer_id, kind, tag)
);
CREATE INDEX offer_tags_folded ON offer_tags (kind, folded, offer_id);

-- A group's need. Queryable fields in columns; the whole need (domain::need::NeedData) as
-- JSON in `body`, NULL once removed (the row is the tombstone).
CREATE TABLE needs (
    id                TEXT PRIMARY KEY NOT NULL,
    group_id          TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    created_by        TEXT REFERENCES users (id),
    kind              TEXT NOT NULL CONSTRAINT needs_kind CHECK (kind IN ('micro_grant', 'premises', 'storage', 'admin_help', 'recognition', 'other', 'activity')),
    status            TEXT NOT NULL CONSTRAINT needs_status CHECK (status IN ('draft', 'open', 'in_progress', 'fulfilled', 'closed', 'withdrawn')),
    district_id       TEXT NOT NULL REFERENCES districts (id),
    urgency           TEXT NOT NULL CONSTRAINT needs_urgency CHECK (urgency IN ('low', 'normal', 'high')),
    urgency_rank      BIGINT NOT NULL,
    title             TEXT NOT NULL,
    needed_by         TEXT,
    amount_ore        BIGINT CONSTRAINT needs_amount_positive CHECK (amount_ore IS NULL OR amount_ore > 0),
    asks_municipality BIGINT NOT NULL,
    payee_id          TEXT REFERENCES users (id),
    body              TEXT,
    version           BIGINT NOT NULL,
    removed_at        TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX needs_listed ON needs (status, district_id, urgency_rank, created_at);
CREATE INDEX needs_newest ON needs (urgency_rank, created_at);
CREATE INDEX needs_group ON needs (group_id, created_at);
CREATE INDEX needs_kind ON needs (kind, status);
CREATE TABLE need_priority_areas (
    need_id          TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    priority_area_id TEXT NOT NULL REFERENCES priority_areas (id),
    PRIMARY KEY (need_id, priority_area_id)
);
CREATE INDEX need_priority_areas_area ON need_priority_areas (priority_area_id, need_id);

-- The offers made before: their columns from their JSON body (nothing is lost; the body stays).
UPDATE offers SET availability = json_extract(body, '$.availability.type'),
    paused = CASE WHEN json_extract(body, '$.paused') THEN 1 ELSE 0 END
    WHERE body IS NOT NULL;
INSERT INTO offer_districts (offer_id, district_id)
    SELECT o.id, j.value FROM offers o, json_each(o.body, '$.districts') j WHERE o.body IS NOT NULL;
INSERT INTO offer_priority_areas (offer_id, priority_area_id)
    SELECT o.id, j.value FROM offers o, json_each(o.body, '$.areas') j WHERE o.body IS NOT NULL;
INSERT OR IGNORE INTO offer_tags (offer_id, kind, tag, folded)
    SELECT o.id, 'skill', j.value, lower(j.value) FROM offers o, json_each(o.body, '$.skills') j WHERE o.body IS NOT NULL;
INSERT OR IGNORE INTO offer_tags (offer_id, kind, tag, folded)
    SELECT o.id, 'language', j.value, lower(j.value) FROM offers o, json_each(o.body, '$.languages') j WHERE o.body IS NOT NULL;
