-- 0013: a problem's tests can be replaced after submissions were judged on them (PATCH
-- /admin/problems/{pid}): the earlier judgements' per-test results stay, with their ordinal,
-- verdict, time and memory, and no longer point at a test case that is gone.
ALTER TABLE test_results
    ALTER COLUMN test_case_id DROP NOT NULL,
    DROP CONSTRAINT test_results_test_case_id_fkey,
    ADD CONSTRAINT test_results_test_case_id_fkey
        FOREIGN KEY (test_case_id) REFERENCES test_cases (id) ON DELETE SET NULL;
