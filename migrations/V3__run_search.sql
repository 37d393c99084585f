-- Labbook schema v3: run search (SearchRuns, CompareRuns) and the server secret that signs its
-- page tokens.
--
-- How a search runs (see docs/search.md): the scope (experiment ids, or a project's
-- experiments) selects candidate runs; each predicate on params, metrics or tags is a
-- correlated EXISTS, which PostgreSQL turns into a semi-join; an order key is a LEFT JOIN on
-- (key, run_id); then a top-N sort of the matches. The plan measured by `bench/run search`
-- (10,000 runs x 20 params x 10 series; `params.lr < 0.001 AND metrics.val_loss < 0.5` ordered
-- by `metrics.val_acc DESC`, page size 100) is: an index-only range scan of
-- run_param_key_num_idx for lr < 0.001, hash-joined to run; for each of those runs an
-- index-only probe of metric_series_key_run_idx for val_loss and another for the val_acc sort
-- value; top-N heapsort. About 25 ms in PostgreSQL; without these indexes, bitmap heap scans of
-- both tables took 85 ms. Numeric comparisons are compiled on the bare columns (not
-- NULLIF(x, NaN)) so that these indexes can serve the ranges.

-- metrics.<key>: the summary values of every series of one key, covering, so that both the
-- per-run probes (metric_key, run_id) and ordering joins are index-only scans. An index on
-- (metric_key, last_value) would serve very selective ranges better but every summary update
-- at ingest would then maintain two more indexes; one covering index is the compromise.
-- [jooq ignore start]
-- (jOOQ's DDL parser does not need indexes; INCLUDE is PostgreSQL-only.)
CREATE INDEX metric_series_key_run_idx ON metric_series (metric_key, run_id)
    INCLUDE (last_value, min_value, max_value);
-- [jooq ignore stop]

-- params.<key> [op] number: numeric params of one key by value, with the run id, so that a
-- numeric range is an index-only range scan. No index on value_text: it may hold up to 256 KiB,
-- beyond a btree entry's limit; string predicates probe run_param_pk (run_id, param_key).
CREATE INDEX run_param_key_num_idx ON run_param (param_key, value_num, run_id);

-- tags.<key> ...: the runs that carry a tag key, so that a rare tag is found from the tag side
-- (tag values may be 8 KiB: not indexed; common tags probe run_tag_pk (run_id, tag_key)).
CREATE INDEX run_tag_key_idx ON run_tag (tag_key);

-- Shared secrets of all server replicas, created once by whichever replica starts first
-- (INSERT ... ON CONFLICT DO NOTHING, then read back). `search_page_token` is the HMAC-SHA256
-- key that signs SearchRuns page tokens, so a token made by one replica is accepted by another
-- and a tampered token is refused. Deleting the row invalidates outstanding tokens only.
CREATE TABLE server_secret (
    name        varchar(64)  NOT NULL,
    secret      bytea        NOT NULL,
    created_at  timestamptz  NOT NULL,
    CONSTRAINT server_secret_pk PRIMARY KEY (name)
);
