-- 0007: problems as Kattis/ICPC problem packages carry them (codearena.packages).
-- Checker options ",nocase" and ",spaces" (the format's validator_flags), and "validator": the
-- problem's own output validator, kept in problem_files under output_validators/.
ALTER TABLE problems DROP CONSTRAINT problems_checker_check;
ALTER TABLE problems ADD CONSTRAINT problems_checker_check
    CHECK (checker ~ '^((exact|tokens|float(:[0-9.eE+-]+){0,2})(,nocase)?(,spaces)?|validator)$');
-- What a run may write to stdout. Problems stored before keep the 64 MiB every run had;
-- new ones get 8 MiB, the format's default (and DOMjudge's).
ALTER TABLE problems ADD COLUMN output_limit_kb integer NOT NULL DEFAULT 65536
    CHECK (output_limit_kb BETWEEN 1 AND 1048576);
ALTER TABLE problems ALTER COLUMN output_limit_kb SET DEFAULT 8192;
-- The language the output validator is compiled as; NULL when the checker is a built-in one.
ALTER TABLE problems ADD COLUMN validator_language text
    CHECK ((checker = 'validator') = (validator_language IS NOT NULL));
-- Arguments the output validator gets after its feedback directory (the package's validator_flags).
ALTER TABLE problems ADD COLUMN validator_flags text NOT NULL DEFAULT '' CHECK (length(validator_flags) <= 1000);

-- A test's name in the package it came from (data/secret/group1/03), '' for others.
ALTER TABLE test_cases ADD COLUMN name text NOT NULL DEFAULT '' CHECK (length(name) <= 255);

-- The files of a problem's package besides its test data, kept as they came: the output
-- validator, the bundled submissions, the statement and attachments; export writes them back.
CREATE TABLE problem_files (
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    path       text NOT NULL CHECK (length(path) BETWEEN 1 AND 255),
    content    bytea NOT NULL,
    PRIMARY KEY (problem_id, path)
);
