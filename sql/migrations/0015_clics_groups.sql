-- 0015: what a CLICS contest package carries besides the results (issue 15): the contest's
-- team groups (ids, names as the package has them) and each team's groups; whether the best
-- team of each group is awarded (`group-winner-<id>`, as organization winners are); and the
-- ids of imported clarifications.
ALTER TABLE contests ADD COLUMN group_winners boolean NOT NULL DEFAULT false;
CREATE TABLE contest_groups (
    contest_id  bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    external_id text NOT NULL CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    icpc_id     text CHECK (length(icpc_id) BETWEEN 1 AND 36),
    type        text CHECK (length(type) BETWEEN 1 AND 100),
    PRIMARY KEY (contest_id, external_id)
);
CREATE TABLE participant_groups (
    contest_id bigint NOT NULL,
    user_id    bigint NOT NULL,
    group_id   text NOT NULL,
    PRIMARY KEY (contest_id, user_id, group_id),
    FOREIGN KEY (contest_id, user_id) REFERENCES contest_participants (contest_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (contest_id, group_id) REFERENCES contest_groups (contest_id, external_id) ON DELETE CASCADE
);
ALTER TABLE clarifications ADD COLUMN external_id text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$');
CREATE UNIQUE INDEX clarifications_external_id_idx ON clarifications (contest_id, external_id);
-- When a participant was first approved: when its team appears in the CLICS event feed (a
-- team approved long after it registered is announced then, after what readers were told).
ALTER TABLE contest_participants ADD COLUMN approved_at timestamptz;
UPDATE contest_participants SET approved_at = created_at WHERE status = 'approved';
CREATE FUNCTION participants_approved_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'approved' AND NEW.approved_at IS NULL THEN
        NEW.approved_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER participants_approved_at BEFORE INSERT OR UPDATE ON contest_participants
    FOR EACH ROW EXECUTE FUNCTION participants_approved_at();
-- When a problem was attached to its contest: when the jury's CLICS event feed announces it (a
-- problem attached later comes after what readers were told). Those attached before this
-- column existed count from their contest's creation, as they came before its teams.
ALTER TABLE contest_problems ADD COLUMN attached_at timestamptz NOT NULL DEFAULT now();
UPDATE contest_problems cp SET attached_at = c.created_at FROM contests c WHERE c.id = cp.contest_id;
