-- Labbook schema v7: one writer state for every appended kind, block envelopes of metric chunks
-- for fast downsampled reads, and a byte-ordered index for paging a run's metric keys.

-- Appends of every kind (metric batches, log lines, table rows) are de-duplicated by writer id
-- and sequence (see docs/metrics.md): one last_sequence per (run, writer_id), shared by all
-- kinds. The call's data and the writer's new last_sequence commit in one transaction, with this
-- row locked for its duration. It was the metric-only metric_writer of V2.
ALTER TABLE metric_writer RENAME TO run_writer;
ALTER TABLE run_writer RENAME CONSTRAINT metric_writer_pk TO run_writer_pk;
ALTER TABLE run_writer RENAME CONSTRAINT metric_writer_run_fk TO run_writer_run_fk;

-- The envelope of a chunk whose steps never decrease: for every block of 128 consecutive
-- points, its step range and its smallest and largest points (ChunkEnvelope). Downsampled reads
-- take a block that lies inside one bucket from here instead of decoding the chunk, so a chart
-- of many long series costs a few percent of their points. NULL for short or unsorted chunks and
-- for chunks written before v7: those are decoded.
ALTER TABLE metric_chunk ADD COLUMN envelope bytea;

-- ListMetrics pages through a run's keys in byte order (COLLATE "C", as every key listing
-- does), with an optional key prefix; the unique constraint's index has the database's
-- collation, which may not be "C".
-- [jooq ignore start]
CREATE INDEX metric_series_run_key_c_idx ON metric_series (run_id, metric_key COLLATE "C");
-- [jooq ignore stop]
