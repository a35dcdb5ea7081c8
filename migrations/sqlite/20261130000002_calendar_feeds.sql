-- "My shifts" in the phone's calendar (issue 10): one private feed address per person, a
-- random token that is the whole credential (a calendar app sends no cookie). Revoking it
-- deletes the row, so the old address answers 404 at once; a new one is another token. The
-- token is kept as is, not hashed, so the person can open the address again from another
-- device (as Google's and Karrot's secret calendar addresses): it reads one person's own shifts
-- and nothing else. The feed's language is the one the person used when they made it.

CREATE TABLE calendar_feeds (
    token       TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL CONSTRAINT calendar_feeds_one_per_person UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    lang        TEXT NOT NULL CONSTRAINT calendar_feeds_lang CHECK (lang IN ('sv', 'en')),
    created_at  TEXT NOT NULL
);
