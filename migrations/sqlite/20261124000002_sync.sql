-- Offline-first sync (issue 4): offers, the commit counter that orders every change, the
-- devices' sequence numbers, the changes applied (each once), and refused pushes.

-- One row. Every push takes this row first (so pushes commit one after another) and numbers
-- its changes from `value`; a pull's cursor is such a number. `min_cursor`: removals up to
-- here have been forgotten, so an older cursor gets a reset.
CREATE TABLE sync_counter (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    value      BIGINT NOT NULL,
    min_cursor BIGINT NOT NULL DEFAULT 0
);
INSERT INTO sync_counter (id, value, min_cursor) VALUES (1, 0, 0);

CREATE TABLE offers (
    id         TEXT PRIMARY KEY NOT NULL,
    owner_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- domain::offer::OfferData as JSON; NULL once removed (the row is the tombstone).
    body       TEXT,
    version    BIGINT NOT NULL,
    removed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX offers_owner_version ON offers (owner_id, version);
CREATE INDEX offers_removed ON offers (removed_at) WHERE removed_at IS NOT NULL;

CREATE TABLE sync_devices (
    id       TEXT PRIMARY KEY NOT NULL,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq BIGINT NOT NULL,
    seen_at  TEXT NOT NULL
);
CREATE INDEX sync_devices_user ON sync_devices (user_id);

-- Each change applied (or refused by `apply`) once, with its answer for any resend.
CREATE TABLE sync_changes (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id  TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    record_id  TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    version    BIGINT,
    applied_at TEXT NOT NULL
);
CREATE INDEX sync_changes_user ON sync_changes (user_id);

-- Pushes and pulls refused as a whole (4xx), for support and abuse review.
CREATE TABLE sync_rejections (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT,
    device_id  TEXT,
    change_id  TEXT,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX sync_rejections_created ON sync_rejections (created_at);
