-- 0004: the public board moves only when a public row changes (issue 11, the freeze side channel).
-- `public_repeats`: the earlier event whose public row this event repeats unchanged (a verdict
-- the freeze hides); NULL when its public row is new. The public board shows, and versions,
-- each contestant's row by coalesce(public_repeats, id), live, rebuilt and as it stood at ?at=.
ALTER TABLE leaderboard_events
    ADD COLUMN public_repeats bigint REFERENCES leaderboard_events (id) CHECK (public_repeats < id);
