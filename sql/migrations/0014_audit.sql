-- 0014: the audit log (issue 14 point 4): one row per successful jury or admin action route
-- (every non-GET route that needs a staff role), written after the action by routing.py.
-- `route` is the declared path ("/admin/submissions/{sid}/rejudge"), `ids` its path ids; the
-- contest the action concerns (its cid, or the contest of its submission) when there is one.
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    user_id    bigint REFERENCES users (id),
    username   text NOT NULL,
    role       text NOT NULL,
    method     text NOT NULL,
    route      text NOT NULL,
    ids        jsonb NOT NULL DEFAULT '{}',
    contest_id bigint REFERENCES contests (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_contest_idx ON audit_log (contest_id, id);
