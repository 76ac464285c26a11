-- 0018: the judge keeps each test's program output for the jury (issue 14 point 4): the first
-- 4 KiB of what the program wrote to stdout (codearena.judgements.OUTPUT_KEPT_BYTES), as the
-- jury's details show a test's input and answer, so a contest's results stay small (and per
-- judgement a budget: judgements.OUTPUT_BUDGET_*; tests past it keep NULL).
-- NULL: not kept (judged before 0015, or an interactive test, whose transcript is kept instead).
ALTER TABLE test_results ADD COLUMN output text CHECK (length(output) <= 4096);
ALTER TABLE test_results ADD COLUMN output_truncated boolean NOT NULL DEFAULT false;
