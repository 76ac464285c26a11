-- 0010: per-contest judgement rules and visibility (issue 14 point 2).
-- The verdicts whose rejected attempts cost penalty (some regionals charge compile errors).
ALTER TABLE contests ADD COLUMN penalty_verdicts text[] NOT NULL DEFAULT '{WA,TLE,MLE,RTE,OLE}'
    CHECK (penalty_verdicts <@ '{WA,TLE,MLE,RTE,OLE,CE}'::text[]);
-- public: listed and open to everyone; hidden: only the jury sees it.
ALTER TABLE contests ADD COLUMN visibility text NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'hidden'));
