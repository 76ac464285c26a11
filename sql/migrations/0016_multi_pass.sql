-- 0016: multi-pass problems (judge_host.judging). Checker "multi-pass:N": the problem's own
-- validator over at most N passes; "interactive,multi-pass:N": its interactor over N passes.
ALTER TABLE problems DROP CONSTRAINT problems_checker_check;
ALTER TABLE problems ADD CONSTRAINT problems_checker_check
    CHECK (checker ~ '^((exact|tokens|float(:[0-9.eE+-]+){0,2})(,nocase)?(,spaces)?|validator|interactive|(interactive,)?multi-pass:[0-9]{1,2})$');
ALTER TABLE problems DROP CONSTRAINT problems_check;
ALTER TABLE problems ADD CONSTRAINT problems_check
    CHECK ((checker ~ '^(validator|interactive|multi-pass)') = (validator_language IS NOT NULL));
