-- 0003: each problem names its output checker (DESIGN §6): "tokens" (whitespace-separated
-- tokens, the default), "exact", or "float[:TOL[:REL]]" (numbers within a tolerance).
ALTER TABLE problems ADD COLUMN checker text NOT NULL DEFAULT 'tokens'
    CHECK (checker ~ '^(exact|tokens|float(:[0-9.eE+-]+){0,2})$');
