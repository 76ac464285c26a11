-- 0002: judging you can trust (issue 4): rejudge numbers, poison counting, subtask scores,
-- and a content hash of each problem's test data so judge hosts cache it.

ALTER TABLE problems ADD COLUMN test_data_hash text NOT NULL DEFAULT '';

-- `judgement`: the judgement number the next judging writes (a rejudge raises it);
-- `deliveries`: judgings started for it, so a job that kills its judge three times ends as JE;
-- `last_error`: why the last judging did not finish (kept for the JE reason).
ALTER TABLE submissions
    ADD COLUMN judgement integer NOT NULL DEFAULT 1 CHECK (judgement >= 1),
    ADD COLUMN deliveries integer NOT NULL DEFAULT 0 CHECK (deliveries >= 0),
    ADD COLUMN last_error text NOT NULL DEFAULT '';

-- Points per subtask (test group) of one judgement; the points rule keeps the best of each.
ALTER TABLE submission_results ADD COLUMN subtask_scores jsonb NOT NULL DEFAULT '{}';

CREATE FUNCTION test_data_hash(problem bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(coalesce(string_agg(
        t.ordinal || ':' || md5(t.input) || ':' || md5(t.answer) || ':' || t.test_group || ':'
        || t.points || ':' || t.is_sample, ',' ORDER BY t.ordinal), ''), 'UTF8')), 'hex')
    FROM test_cases t WHERE t.problem_id = problem
$$;

UPDATE problems SET test_data_hash = test_data_hash(id);
