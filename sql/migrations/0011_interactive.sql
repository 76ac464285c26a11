-- 0011: interactive problems (sandbox.interactive). Checker "interactive": the problem's own
-- validator, in problem_files, is the interactor the submission talks to.
ALTER TABLE problems DROP CONSTRAINT problems_checker_check;
ALTER TABLE problems ADD CONSTRAINT problems_checker_check
    CHECK (checker ~ '^((exact|tokens|float(:[0-9.eE+-]+){0,2})(,nocase)?(,spaces)?|validator|interactive)$');
ALTER TABLE problems DROP CONSTRAINT problems_check;
ALTER TABLE problems ADD CONSTRAINT problems_check
    CHECK ((checker IN ('validator', 'interactive')) = (validator_language IS NOT NULL));
-- What crossed the pipes of an interactive test, for the jury ('' for other problems).
ALTER TABLE test_results ADD COLUMN transcript text NOT NULL DEFAULT '' CHECK (length(transcript) <= 200000);
