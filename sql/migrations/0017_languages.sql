-- 0017: the languages of issue 18 (point 1), nineteen beside the seven: submissions may name
-- them (the list is the sandbox's registry, layers/codearena/languages.json).
ALTER TABLE submissions
    DROP CONSTRAINT submissions_language_check,
    ADD CONSTRAINT submissions_language_check CHECK (
        language IN ('python', 'c', 'cpp', 'java', 'javascript', 'go', 'rust', 'pypy',
            'kotlin', 'csharp', 'ruby', 'php', 'haskell', 'pascal', 'ocaml', 'lua',
            'perl', 'scala', 'fortran', 'ada', 'commonlisp', 'elixir', 'r', 'prolog',
            'awk', 'bash')
        OR (imported AND language ~ '^[a-z0-9_.+-]{1,36}$'));
