-- Labbook schema v5: text logs of runs (console output captured by `labbook run`, lines logged
-- through the SDKs). See docs/logs.md for the API semantics.

-- One row per run that has logs: the offset the next appended line gets. An append transaction
-- reserves its range with one upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), which
-- locks this row until the transaction ends. Hence:
--   * offsets are dense (0, 1, 2, ...) and unique: concurrent appenders of one run queue on the
--     row, and a rolled-back append rolls back its reservation with it;
--   * offsets become visible in increasing order: a later range is reserved only after the
--     earlier range's transaction committed, so a reader that has seen offset N and later reads
--     "offset > N" never misses a line. Followers rely on this.
-- next_offset is also the number of lines of the run: readers take it as the end of the log
-- without counting rows. Appends to different runs never contend.
CREATE TABLE run_log_state (
    run_id       uuid    NOT NULL,
    next_offset  bigint  NOT NULL,
    CONSTRAINT run_log_state_pk PRIMARY KEY (run_id),
    CONSTRAINT run_log_state_offset_ck CHECK (next_offset >= 0),
    CONSTRAINT run_log_state_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

-- One row per line (log lines are written once and read in order, typically in pages of
-- hundreds; no chunking as for metrics: lines are text of very varied length, and row-per-line
-- keeps reads by offset and level filters simple).
-- The primary key (run_id, line_offset) is the only index: it serves reads in offset order from
-- a start offset and purges. Level filters are applied while scanning that index (the server
-- scans a bounded window of offsets per query, so a rare level in a long log costs scanning,
-- never an unbounded query).
-- log_level:  1 DEBUG, 2 INFO, 3 WARNING, 4 ERROR (ordered by severity, so min_level is `>=`).
-- (The columns are not named level/stream: LEVEL is a keyword to jOOQ's DDL parser.)
-- log_stream: 1 stdout, 2 stderr, 3 user (logged through an SDK).
-- timestamp_ms is the client's time of the line (epoch ms), or the server's when not given;
-- it is data, not an order: the order is line_offset (arrival order).
-- text is at most 64 KiB of UTF-8 without NUL (checked by the server, not here).
CREATE TABLE run_log_line (
    run_id        uuid      NOT NULL,
    line_offset   bigint    NOT NULL,
    timestamp_ms  bigint    NOT NULL,
    log_level     smallint  NOT NULL,
    log_stream    smallint  NOT NULL,
    text          text      NOT NULL,
    CONSTRAINT run_log_line_pk PRIMARY KEY (run_id, line_offset),
    CONSTRAINT run_log_line_level_ck CHECK (log_level IN (1, 2, 3, 4)),
    CONSTRAINT run_log_line_stream_ck CHECK (log_stream IN (1, 2, 3)),
    CONSTRAINT run_log_line_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);
