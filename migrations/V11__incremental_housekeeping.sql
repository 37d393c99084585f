-- Labbook schema v11: indexes that let metric compaction and artifact garbage collection find
-- their work without reading whole tables (see docs/scaling.md), and the cursor they walk with.
-- Each pass reads a bounded slice of one of these indexes, never the metric_chunk heap or all
-- of artifact_upload.
--
-- * metric_chunk_small_idx: only chunks of fewer than 1,000 points (MetricLimits
--   .SMALL_CHUNK_POINTS), the ones compaction merges. A pass walks it from a cursor over series
--   ids; chunks of fast loggers (5,000-10,000 points) are never in it, so it stays a small
--   fraction of the table. The predicate's constant must be at least the compactor's threshold,
--   or the planner cannot use the index (MetricCompactionScaleIT checks the plan).
-- * artifact_upload_run_idx: the uploads of one run (the collector's per-run check, and the
--   ON DELETE CASCADE of a purged run, which scanned the table per run before).
-- * artifact_upload_open_idx / artifact_upload_done_idx: unfinished and finished uploads by
--   age, for the abandoned-upload and finished-record expiry of each pass.

-- Where the last pass of a background task stopped (a series id for compaction, an object key
-- for garbage collection), written by the replica holding the task's advisory lock at the end
-- of its pass, so the next pass continues there whichever replica runs it.
CREATE TABLE housekeeping_cursor (
    task      varchar(32)  NOT NULL,
    position  text,
    CONSTRAINT housekeeping_cursor_pk PRIMARY KEY (task)
);

-- [jooq ignore start]
-- (jOOQ's DDL parser does not need indexes; partial indexes are PostgreSQL-only.)
CREATE INDEX metric_chunk_small_idx ON metric_chunk (series_id, chunk_seq) WHERE point_count < 1000;
CREATE INDEX artifact_upload_run_idx ON artifact_upload (run_id);
CREATE INDEX artifact_upload_open_idx ON artifact_upload (updated_at) WHERE NOT completed;
CREATE INDEX artifact_upload_done_idx ON artifact_upload (updated_at) WHERE completed;
-- [jooq ignore stop]
