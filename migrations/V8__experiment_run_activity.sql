-- Labbook schema v8: an experiment's run count and last run activity (Experiment.run_count and
-- last_run_update_time_ms), which ListExperiments computes for a whole page with one grouped
-- query: count(*) FILTER (WHERE deleted_at IS NULL) and max(updated_at) over the runs of the
-- page's experiment ids.
--
-- run_experiment_id_idx (experiment_id, id) now also carries deleted_at and updated_at, so that
-- this aggregate is an index-only scan instead of a heap fetch per run. Measured on PostgreSQL
-- 14 with 1,000,000 runs (a page of 50 experiments holding 100,000 runs scattered through the
-- table, warm cache): 130 ms with bitmap heap scans before, 18-28 ms index-only after; one
-- experiment of 2,000 runs (GetExperiment and every experiment change): 11 ms before, 0.4 ms
-- after. The index's keys are unchanged, so the listing of an experiment's runs newest first
-- keeps its plan; it grows by two timestamps per run, and since updated_at is now indexed, run
-- updates (status changes, tags, params: a few per run) are no longer HOT updates. Replacing
-- the index rather than adding a second one keeps run inserts at the same number of indexes.
-- The rebuild blocks writes to runs while it lasts (about a second per million runs).
-- [jooq ignore start]
-- (jOOQ's DDL parser does not need indexes; INCLUDE is PostgreSQL-only.)
DROP INDEX run_experiment_id_idx;
CREATE INDEX run_experiment_id_idx ON run (experiment_id, id) INCLUDE (deleted_at, updated_at);
-- [jooq ignore stop]
