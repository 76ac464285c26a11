-- 0006: teams and organizations as the CLICS Contest API has them (issue 15), and contests
-- imported from a CLICS contest package: their ids, and their submissions and judgements as
-- recorded (times, CLICS judgement types, no source).
CREATE TABLE organizations (
    id          bigserial PRIMARY KEY,
    external_id text UNIQUE CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    formal_name text CHECK (length(formal_name) BETWEEN 1 AND 300),
    country     text CHECK (country ~ '^[A-Z]{3}$')
);

-- A participant is a team: its name on the boards, its organization, and its category
-- (participant: ranked; observer: shown, not ranked publicly; hidden: on no board).
ALTER TABLE contest_participants
    ADD COLUMN display_name    text CHECK (length(display_name) BETWEEN 1 AND 200),
    ADD COLUMN organization_id bigint REFERENCES organizations (id),
    ADD COLUMN category        text NOT NULL DEFAULT 'participant'
                               CHECK (category IN ('participant', 'observer', 'hidden')),
    ADD COLUMN external_id     text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    ADD CONSTRAINT contest_participants_external_id_key UNIQUE (contest_id, external_id);

-- The ids a contest imported from a CLICS package had there (NULL: our own id serves).
ALTER TABLE contests ADD COLUMN external_id text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$');
ALTER TABLE contest_problems
    ADD COLUMN external_id text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    ADD COLUMN rgb         text CHECK (rgb ~ '^#[0-9A-Fa-f]{6}$'),
    ADD CONSTRAINT contest_problems_external_id_key UNIQUE (contest_id, external_id);

-- An imported submission has no source and may be in a language no judge host runs.
ALTER TABLE submissions
    ADD COLUMN imported    boolean NOT NULL DEFAULT false,
    ADD COLUMN external_id text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    DROP CONSTRAINT submissions_language_check,
    DROP CONSTRAINT submissions_source_check,
    ADD CONSTRAINT submissions_language_check CHECK (
        language IN ('python', 'c', 'cpp', 'java', 'javascript', 'go', 'rust')
        OR (imported AND language ~ '^[a-z0-9_.+-]{1,36}$')),
    ADD CONSTRAINT submissions_source_check CHECK (
        octet_length(source) BETWEEN 1 AND 65536 OR (imported AND source = ''));
CREATE UNIQUE INDEX submissions_external_id_idx ON submissions (contest_id, external_id);

-- A judgement as recorded: when it started, and its CLICS judgement type (PE, NO, …) where
-- that is not one of ours (the verdict then says what the type counts as).
ALTER TABLE submission_results
    ADD COLUMN started_at     timestamptz,
    ADD COLUMN judgement_type text CHECK (judgement_type ~ '^[A-Za-z0-9_.-]{1,36}$'),
    ADD COLUMN external_id    text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$');
