-- 0012: clarifications (issue 15): a participant's question to the jury (about a problem of
-- the contest, or general), the jury's answer to that participant or to everyone, and the
-- jury's announcements. from_user_id NULL: the jury wrote it; to_user_id NULL: everyone (or,
-- for a question, the jury) may read it. A question goes to the jury only.
CREATE TABLE clarifications (
    id           bigserial PRIMARY KEY,
    contest_id   bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    from_user_id bigint REFERENCES users (id),
    to_user_id   bigint REFERENCES users (id),
    reply_to_id  bigint REFERENCES clarifications (id),
    problem_id   bigint,
    text         text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (contest_id, problem_id) REFERENCES contest_problems (contest_id, problem_id),
    CHECK (from_user_id IS NULL OR to_user_id IS NULL),
    CHECK (reply_to_id IS NULL OR reply_to_id < id)
);
CREATE INDEX clarifications_contest_idx ON clarifications (contest_id, created_at);
