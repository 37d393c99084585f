-- Labbook schema v2: metric series stored as compressed chunks, exactly-once writer state, and
-- run tables (Azure log_list / log_row / log_table, ML-Dash multi-field append).

-- One row per (run, key): the series summary, kept current in every ingest transaction.
-- last_* is the point with the highest step (the latest arrival on equal steps); min/max
-- ignore NaN and are NULL while the series holds only NaN.
CREATE TABLE metric_series (
    id                 bigserial         NOT NULL,
    run_id             uuid              NOT NULL,
    metric_key         varchar(250)      NOT NULL,
    point_count        bigint            NOT NULL,
    last_step          bigint            NOT NULL,
    last_timestamp_ms  bigint            NOT NULL,
    last_value         double precision  NOT NULL,
    min_value          double precision,
    max_value          double precision,
    next_chunk_seq     integer           NOT NULL,
    CONSTRAINT metric_series_pk PRIMARY KEY (id),
    CONSTRAINT metric_series_key_uk UNIQUE (run_id, metric_key),
    CONSTRAINT metric_series_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

-- Points are not one row each: one row holds up to 10,000 points of one series, encoded by
-- MetricChunkCodec (delta-of-delta steps and timestamps, Gorilla XOR values). chunk_seq is
-- the arrival order within the series (reads return step order, ties in arrival order).
-- The step range and the extreme points let reads skip or summarise a chunk without decoding
-- it (range filters, min/max downsampling); sorted says the chunk's steps never decrease.
CREATE TABLE metric_chunk (
    series_id       bigint            NOT NULL,
    chunk_seq       integer           NOT NULL,
    point_count     integer           NOT NULL,
    min_step        bigint            NOT NULL,
    max_step        bigint            NOT NULL,
    sorted          boolean           NOT NULL,
    min_point_step  bigint,
    min_point_ts    bigint,
    min_value       double precision,
    max_point_step  bigint,
    max_point_ts    bigint,
    max_value       double precision,
    data            bytea             NOT NULL,
    CONSTRAINT metric_chunk_pk PRIMARY KEY (series_id, chunk_seq),
    CONSTRAINT metric_chunk_series_fk FOREIGN KEY (series_id) REFERENCES metric_series (id) ON DELETE CASCADE
);

-- [jooq ignore start]
-- The data is already compressed: storing it out of line without pglz saves CPU for nothing lost.
ALTER TABLE metric_chunk ALTER COLUMN data SET STORAGE EXTERNAL;
-- [jooq ignore stop]

-- Exactly-once ingest: a batch and its writer's new last_sequence commit in one transaction.
CREATE TABLE metric_writer (
    run_id         uuid         NOT NULL,
    writer_id      varchar(64)  NOT NULL,
    last_sequence  bigint       NOT NULL,
    updated_at     timestamptz  NOT NULL,
    CONSTRAINT metric_writer_pk PRIMARY KEY (run_id, writer_id),
    CONSTRAINT metric_writer_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

-- Tables: named per run; columns keep their first-seen order and type; cells one row each
-- (tables are small: a row per epoch, not per step).
CREATE TABLE run_table (
    id          bigserial     NOT NULL,
    run_id      uuid          NOT NULL,
    table_name  varchar(250)  NOT NULL,
    row_count   bigint        NOT NULL,
    CONSTRAINT run_table_pk PRIMARY KEY (id),
    CONSTRAINT run_table_name_uk UNIQUE (run_id, table_name),
    CONSTRAINT run_table_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

CREATE TABLE run_table_column (
    table_id     bigint        NOT NULL,
    ordinal      integer       NOT NULL,
    column_name  varchar(250)  NOT NULL,
    column_type  varchar(8)    NOT NULL,
    CONSTRAINT run_table_column_pk PRIMARY KEY (table_id, ordinal),
    CONSTRAINT run_table_column_name_uk UNIQUE (table_id, column_name),
    CONSTRAINT run_table_column_type_ck CHECK (column_type IN ('number', 'string')),
    CONSTRAINT run_table_column_table_fk FOREIGN KEY (table_id) REFERENCES run_table (id) ON DELETE CASCADE
);

CREATE TABLE run_table_cell (
    table_id      bigint            NOT NULL,
    row_index     bigint            NOT NULL,
    ordinal       integer           NOT NULL,
    number_value  double precision,
    string_value  text,
    CONSTRAINT run_table_cell_pk PRIMARY KEY (table_id, row_index, ordinal),
    CONSTRAINT run_table_cell_table_fk FOREIGN KEY (table_id) REFERENCES run_table (id) ON DELETE CASCADE
);
