-- 0008: the awards a contest gives (issue 15, the CLICS awards endpoint): how many gold, silver
-- and bronze medals go to the top of the final board (0: no such medal), and whether the best
-- team of each organization gets an award.
ALTER TABLE contests
    ADD COLUMN gold_medals          integer NOT NULL DEFAULT 0 CHECK (gold_medals BETWEEN 0 AND 1000),
    ADD COLUMN silver_medals        integer NOT NULL DEFAULT 0 CHECK (silver_medals BETWEEN 0 AND 1000),
    ADD COLUMN bronze_medals        integer NOT NULL DEFAULT 0 CHECK (bronze_medals BETWEEN 0 AND 1000),
    ADD COLUMN organization_winners boolean NOT NULL DEFAULT false;
