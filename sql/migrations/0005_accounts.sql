-- 0005: accounts that can be revoked and banned, usernames unique whatever their case, and
-- contests that only registered participants may enter (invitation or approval).
ALTER TABLE users
    -- tokens carry the generation they were issued in; raising it revokes every older token
    ADD COLUMN token_generation integer NOT NULL DEFAULT 0 CHECK (token_generation >= 0),
    ADD COLUMN banned_at timestamptz,
    ADD COLUMN ban_reason text NOT NULL DEFAULT '' CHECK (length(ban_reason) <= 500);
CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username));

-- One token revoked by its holder (log out); kept until the token would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        text PRIMARY KEY CHECK (length(jti) BETWEEN 1 AND 64),
    user_id    bigint NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_user_idx ON revoked_tokens (user_id, expires_at);

-- open: anyone may submit; invite: only invited users; approval: users an organizer approved.
ALTER TABLE contests ADD COLUMN registration text NOT NULL DEFAULT 'open'
    CHECK (registration IN ('open', 'invite', 'approval'));

CREATE TABLE contest_participants (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id),
    status     text NOT NULL CHECK (status IN ('invited', 'pending', 'approved', 'rejected')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contest_id, user_id)
);
CREATE INDEX contest_participants_user_idx ON contest_participants (user_id);

-- a user's submissions not yet judged (intake caps them)
CREATE INDEX submissions_pending_user_idx ON submissions (user_id) WHERE status <> 'judged';
