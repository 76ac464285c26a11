-- CodeArena schema: the source of truth. Applied whole to a fresh database by
-- `codearena db migrate`; existing databases get the numbered files in sql/migrations/.
-- A test checks that both paths give the same catalog.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{3,32}$'),
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'contestant' CHECK (role IN ('admin', 'jury', 'contestant')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- tokens carry the generation they were issued in; raising it revokes every older token
    token_generation integer NOT NULL DEFAULT 0 CHECK (token_generation >= 0),
    banned_at     timestamptz,
    ban_reason    text NOT NULL DEFAULT '' CHECK (length(ban_reason) <= 500)
);
CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username));

-- One token revoked by its holder (log out); kept until the token would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        text PRIMARY KEY CHECK (length(jti) BETWEEN 1 AND 64),
    user_id    bigint NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_user_idx ON revoked_tokens (user_id, expires_at);

-- Teams' organizations as the CLICS Contest API has them.
CREATE TABLE organizations (
    id          bigserial PRIMARY KEY,
    external_id text UNIQUE CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    formal_name text CHECK (length(formal_name) BETWEEN 1 AND 300),
    country     text CHECK (country ~ '^[A-Z]{3}$')
);

CREATE TABLE contests (
    id              bigserial PRIMARY KEY,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL,
    freeze_at       timestamptz,
    unfrozen_at     timestamptz,
    scoring         text NOT NULL DEFAULT 'icpc' CHECK (scoring IN ('icpc', 'points')),
    penalty_minutes integer NOT NULL DEFAULT 20 CHECK (penalty_minutes BETWEEN 0 AND 1000),
    practice        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- open: anyone may submit; invite: only invited users; approval: users an organizer approved
    registration    text NOT NULL DEFAULT 'open' CHECK (registration IN ('open', 'invite', 'approval')),
    -- the contest's id in the CLICS package it was imported from (NULL: our own id serves)
    external_id     text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    -- medals for the top of the final board (0: no such medal); the best team of each
    -- organization awarded
    gold_medals          integer NOT NULL DEFAULT 0 CHECK (gold_medals BETWEEN 0 AND 1000),
    silver_medals        integer NOT NULL DEFAULT 0 CHECK (silver_medals BETWEEN 0 AND 1000),
    bronze_medals        integer NOT NULL DEFAULT 0 CHECK (bronze_medals BETWEEN 0 AND 1000),
    organization_winners boolean NOT NULL DEFAULT false,
    -- the verdicts whose rejected attempts cost penalty
    penalty_verdicts text[] NOT NULL DEFAULT '{WA,TLE,MLE,RTE,OLE}'
                    CHECK (penalty_verdicts <@ '{WA,TLE,MLE,RTE,OLE,CE}'::text[]),
    -- public: listed and open to everyone; hidden: only the jury sees it
    visibility      text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'hidden')),
    -- award the best team of each of the contest's groups (contest_groups)
    group_winners   boolean NOT NULL DEFAULT false,
    CHECK (end_at > start_at),
    CHECK (freeze_at IS NULL OR (freeze_at >= start_at AND freeze_at <= end_at))
);
CREATE INDEX contests_start_at_idx ON contests (start_at);

CREATE TABLE contest_participants (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id),
    status     text NOT NULL CHECK (status IN ('invited', 'pending', 'approved', 'rejected')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- a participant is a team: its name on the boards, its organization, and its category
    -- (participant: ranked; observer: shown, not ranked publicly; hidden: on no board)
    display_name    text CHECK (length(display_name) BETWEEN 1 AND 200),
    organization_id bigint REFERENCES organizations (id),
    category        text NOT NULL DEFAULT 'participant'
                    CHECK (category IN ('participant', 'observer', 'hidden')),
    external_id     text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    PRIMARY KEY (contest_id, user_id),
    CONSTRAINT contest_participants_external_id_key UNIQUE (contest_id, external_id),
    -- the team's members by name
    members         text[] NOT NULL DEFAULT '{}' CHECK (cardinality(members) <= 20),
    -- when first approved: when its team appears in the CLICS event feed (participants_approved_at)
    approved_at     timestamptz
);
CREATE INDEX contest_participants_user_idx ON contest_participants (user_id);

CREATE FUNCTION participants_approved_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'approved' AND NEW.approved_at IS NULL THEN
        NEW.approved_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER participants_approved_at BEFORE INSERT OR UPDATE ON contest_participants
    FOR EACH ROW EXECUTE FUNCTION participants_approved_at();

-- A contest's team groups as its CLICS package has them, and the groups of each team.
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

CREATE TABLE problems (
    id              bigserial PRIMARY KEY,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    statement       text NOT NULL DEFAULT '',
    time_limit_ms   integer NOT NULL CHECK (time_limit_ms BETWEEN 100 AND 60000),
    memory_limit_kb integer NOT NULL CHECK (memory_limit_kb BETWEEN 16384 AND 4194304),
    points          integer NOT NULL DEFAULT 100 CHECK (points >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    test_data_hash  text NOT NULL DEFAULT '',  -- test_data_hash(id), set when tests change
    -- the output checker: tokens (default), exact, float[:TOL[:REL]], then ,nocase and ,spaces
    -- (sandbox.checkers); or validator: the problem's own, in problem_files (0006); or
    -- interactive: that validator is the interactor the submission talks to (0008); either
    -- over several passes: multi-pass:N, interactive,multi-pass:N (0016)
    checker         text NOT NULL DEFAULT 'tokens'
                    CHECK (checker ~ '^((exact|tokens|float(:[0-9.eE+-]+){0,2})(,nocase)?(,spaces)?|validator|interactive|(interactive,)?multi-pass:[0-9]{1,2})$'),
    -- what a run may write to stdout (problems stored before 0006 kept 64 MiB)
    output_limit_kb integer NOT NULL DEFAULT 8192 CHECK (output_limit_kb BETWEEN 1 AND 1048576),
    -- the language the output validator is compiled as; NULL with a built-in checker
    validator_language text CHECK ((checker ~ '^(validator|interactive|multi-pass)') = (validator_language IS NOT NULL)),
    -- arguments the output validator gets after its feedback directory (validator_flags)
    validator_flags text NOT NULL DEFAULT '' CHECK (length(validator_flags) <= 1000)
);

CREATE TABLE contest_problems (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    problem_id bigint NOT NULL REFERENCES problems (id),
    label      text NOT NULL CHECK (label ~ '^[A-Z][0-9]?$'),
    external_id text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),  -- its id in a CLICS package
    rgb         text CHECK (rgb ~ '^#[0-9A-Fa-f]{6}$'),
    -- when attached: when the jury's CLICS event feed announces it
    attached_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contest_id, problem_id),
    UNIQUE (contest_id, label),
    CONSTRAINT contest_problems_external_id_key UNIQUE (contest_id, external_id)
);
CREATE INDEX contest_problems_problem_idx ON contest_problems (problem_id);

CREATE TABLE test_cases (
    id         bigserial PRIMARY KEY,
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    ordinal    integer NOT NULL CHECK (ordinal >= 1),
    input      text NOT NULL,
    answer     text NOT NULL,
    test_group text NOT NULL DEFAULT 'main' CHECK (length(test_group) BETWEEN 1 AND 64),
    points     integer NOT NULL DEFAULT 0 CHECK (points >= 0),
    is_sample  boolean NOT NULL DEFAULT false,
    -- its name in the package it came from (data/secret/group1/03), '' for others
    name       text NOT NULL DEFAULT '' CHECK (length(name) <= 255),
    UNIQUE (problem_id, ordinal)
);

-- The files of a problem's package besides its test data, kept as they came: the output
-- validator, the bundled submissions, the statement and attachments; export writes them back.
CREATE TABLE problem_files (
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    path       text NOT NULL CHECK (length(path) BETWEEN 1 AND 255),
    content    bytea NOT NULL,
    PRIMARY KEY (problem_id, path)
);

-- A submission never changes after intake except for its status; see the trigger below.
CREATE TABLE submissions (
    id         bigserial PRIMARY KEY,
    contest_id bigint NOT NULL REFERENCES contests (id),
    problem_id bigint NOT NULL REFERENCES problems (id),
    user_id    bigint NOT NULL REFERENCES users (id),
    language   text NOT NULL,
    source     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    status     text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'judging', 'judged')),
    -- the judgement number the next judging writes (a rejudge raises it)
    judgement  integer NOT NULL DEFAULT 1 CHECK (judgement >= 1),
    -- judgings started for that judgement; past three the job is poisoned and ends as JE
    deliveries integer NOT NULL DEFAULT 0 CHECK (deliveries >= 0),
    last_error text NOT NULL DEFAULT '',  -- why the last judging did not finish
    -- imported from a CLICS contest package: no source, any language, its id there
    imported    boolean NOT NULL DEFAULT false,
    external_id text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    FOREIGN KEY (contest_id, problem_id) REFERENCES contest_problems (contest_id, problem_id),
    CONSTRAINT submissions_language_check CHECK (
        language IN ('python', 'c', 'cpp', 'java', 'javascript', 'go', 'rust', 'pypy',
            'kotlin', 'csharp', 'ruby', 'php', 'haskell', 'pascal', 'ocaml', 'lua',
            'perl', 'scala', 'fortran', 'ada', 'commonlisp', 'elixir', 'r', 'prolog',
            'awk', 'bash')
        OR (imported AND language ~ '^[a-z0-9_.+-]{1,36}$')),
    CONSTRAINT submissions_source_check CHECK (
        octet_length(source) BETWEEN 1 AND 65536 OR (imported AND source = ''))
);
CREATE UNIQUE INDEX submissions_external_id_idx ON submissions (contest_id, external_id);
CREATE INDEX submissions_contest_user_idx ON submissions (contest_id, user_id, created_at);
CREATE INDEX submissions_user_idx ON submissions (user_id, created_at DESC);
CREATE INDEX submissions_queued_idx ON submissions (created_at) WHERE status <> 'judged';
-- a user's submissions not yet judged (intake caps them)
CREATE INDEX submissions_pending_user_idx ON submissions (user_id) WHERE status <> 'judged';

CREATE FUNCTION submissions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'submissions are never deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.id, NEW.contest_id, NEW.problem_id, NEW.user_id, NEW.language, NEW.source, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.contest_id, OLD.problem_id, OLD.user_id, OLD.language, OLD.source, OLD.created_at) THEN
        RAISE EXCEPTION 'submission % is immutable; only its status may change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER submissions_immutable BEFORE UPDATE OR DELETE ON submissions
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();

-- One row per judging of a submission; a rejudge adds a row and moves `is_current`.
CREATE TABLE submission_results (
    id             bigserial PRIMARY KEY,
    submission_id  bigint NOT NULL REFERENCES submissions (id),
    judgement      integer NOT NULL DEFAULT 1 CHECK (judgement >= 1),
    verdict        text NOT NULL CHECK (verdict IN ('AC', 'WA', 'TLE', 'MLE', 'RTE', 'OLE', 'CE', 'JE')),
    score          numeric(10, 2) NOT NULL DEFAULT 0 CHECK (score >= 0),
    max_time_ms    integer NOT NULL DEFAULT 0 CHECK (max_time_ms >= 0),
    max_memory_kb  integer NOT NULL DEFAULT 0 CHECK (max_memory_kb >= 0),
    compile_output text NOT NULL DEFAULT '',
    judge_host     text NOT NULL DEFAULT '',
    is_current     boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    subtask_scores jsonb NOT NULL DEFAULT '{}',  -- test group → points of this judgement
    -- as recorded by an imported contest: when it started, and its CLICS judgement type where
    -- that is not one of ours (PE, NO, …; the verdict says what it counts as), its id there
    started_at     timestamptz,
    judgement_type text CHECK (judgement_type ~ '^[A-Za-z0-9_.-]{1,36}$'),
    external_id    text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$'),
    UNIQUE (submission_id, judgement)
);
CREATE UNIQUE INDEX submission_results_current_idx ON submission_results (submission_id) WHERE is_current;

-- A content hash of a problem's test data: judge hosts cache tests under it.
CREATE FUNCTION test_data_hash(problem bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(coalesce(string_agg(
        t.ordinal || ':' || md5(t.input) || ':' || md5(t.answer) || ':' || t.test_group || ':'
        || t.points || ':' || t.is_sample, ',' ORDER BY t.ordinal), ''), 'UTF8')), 'hex')
    FROM test_cases t WHERE t.problem_id = problem
$$;

CREATE TABLE test_results (
    result_id    bigint NOT NULL REFERENCES submission_results (id) ON DELETE CASCADE,
    -- NULL once the problem's tests were replaced: the result stays, its test case is gone
    test_case_id bigint REFERENCES test_cases (id) ON DELETE SET NULL,
    ordinal      integer NOT NULL CHECK (ordinal >= 1),
    verdict      text NOT NULL CHECK (verdict IN ('AC', 'WA', 'TLE', 'MLE', 'RTE', 'OLE', 'JE')),
    time_ms      integer NOT NULL CHECK (time_ms >= 0),
    memory_kb    integer NOT NULL CHECK (memory_kb >= 0),
    -- what crossed the pipes of an interactive test, for the jury ('' otherwise)
    transcript   text NOT NULL DEFAULT '' CHECK (length(transcript) <= 200000),
    -- the first 4 KiB of the program's stdout, for the jury (NULL: not kept, e.g. interactive)
    output       text CHECK (length(output) <= 4096),
    output_truncated boolean NOT NULL DEFAULT false,
    PRIMARY KEY (result_id, ordinal)
);

-- The jury's current standing cell per contestant and problem, written with the result.
CREATE TABLE contest_penalties (
    contest_id      bigint NOT NULL REFERENCES contests (id),
    user_id         bigint NOT NULL REFERENCES users (id),
    problem_id      bigint NOT NULL REFERENCES problems (id),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    pending         integer NOT NULL DEFAULT 0 CHECK (pending >= 0),
    solved          boolean NOT NULL DEFAULT false,
    time_minutes    integer CHECK (time_minutes >= 0),
    penalty_minutes integer NOT NULL DEFAULT 0 CHECK (penalty_minutes >= 0),
    score           numeric(10, 2) NOT NULL DEFAULT 0 CHECK (score >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contest_id, user_id, problem_id),
    CHECK (NOT solved OR time_minutes IS NOT NULL)
);

-- Append-only log of absolute standing rows; Redis boards are rebuilt from it.
CREATE TABLE leaderboard_events (
    id            bigserial PRIMARY KEY,
    contest_id    bigint NOT NULL REFERENCES contests (id),
    user_id       bigint NOT NULL REFERENCES users (id),
    submission_id bigint REFERENCES submissions (id),
    jury_row      jsonb NOT NULL,
    public_row    jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- the earlier event whose public row this one repeats unchanged (a verdict the freeze
    -- hides), NULL when its public row is new: the public board's version moves only with new rows
    public_repeats bigint REFERENCES leaderboard_events (id) CHECK (public_repeats < id)
);
CREATE INDEX leaderboard_events_contest_user_idx ON leaderboard_events (contest_id, user_id, id DESC);
CREATE INDEX leaderboard_events_contest_time_idx ON leaderboard_events (contest_id, created_at);

CREATE FUNCTION leaderboard_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'leaderboard_events is append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER leaderboard_events_append_only BEFORE UPDATE OR DELETE ON leaderboard_events
    FOR EACH ROW EXECUTE FUNCTION leaderboard_events_append_only();

-- A participant's question to the jury, the jury's answer to them or to everyone, an
-- announcement. from_user_id NULL: the jury wrote it; to_user_id NULL: everyone (a question: the jury).
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
    CHECK (reply_to_id IS NULL OR reply_to_id < id),
    -- imported from a CLICS contest package: its id there
    external_id  text CHECK (external_id ~ '^[A-Za-z0-9_.-]{1,36}$')
);
CREATE INDEX clarifications_contest_idx ON clarifications (contest_id, created_at);
CREATE UNIQUE INDEX clarifications_external_id_idx ON clarifications (contest_id, external_id);

-- One row per successful jury or admin action route (a non-GET route that needs a staff
-- role), written after the action: who, which declared route, its path ids, which contest.
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
