-- 0009: a participant (a team) names its members.
ALTER TABLE contest_participants ADD COLUMN members text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(members) <= 20);
