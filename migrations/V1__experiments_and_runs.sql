-- Labbook schema v1: experiments, runs, their tags and typed params, and run status history.
-- Applied by Flyway at server start (`labbook server`) or by `labbook migrate`.
-- Names are matched case-insensitively through the *_key columns (lower-cased by the server
-- with Locale.ROOT), so the unique constraints below are exact-match btree indexes that also
-- serve ON CONFLICT upserts. name_key is wider than name because lower-casing can lengthen a
-- string (U+0130 becomes two chars).

CREATE TABLE experiment (
    id           uuid          NOT NULL,
    project      varchar(64)   NOT NULL,
    name         varchar(256)  NOT NULL,
    name_key     varchar(1024) NOT NULL,
    description  text          NOT NULL DEFAULT '',
    folder       varchar(1024) NOT NULL DEFAULT '',
    created_at   timestamptz   NOT NULL,
    updated_at   timestamptz   NOT NULL,
    deleted_at   timestamptz,
    CONSTRAINT experiment_pk PRIMARY KEY (id),
    CONSTRAINT experiment_name_uk UNIQUE (project, name_key)
);

-- Listing a project's experiments newest first: ids are UUIDv7, so id order is creation order.
CREATE INDEX experiment_project_id_idx ON experiment (project, id);

CREATE TABLE experiment_tag (
    experiment_id uuid          NOT NULL,
    tag_key       varchar(250)  NOT NULL,
    tag_value     text          NOT NULL,
    CONSTRAINT experiment_tag_pk PRIMARY KEY (experiment_id, tag_key),
    CONSTRAINT experiment_tag_experiment_fk FOREIGN KEY (experiment_id)
        REFERENCES experiment (id) ON DELETE CASCADE
);

CREATE TABLE run (
    id               uuid          NOT NULL,
    experiment_id    uuid          NOT NULL,
    name             varchar(256)  NOT NULL,
    name_key         varchar(1024) NOT NULL,
    status           varchar(16)   NOT NULL,
    description      text          NOT NULL DEFAULT '',
    parent_run_id    uuid,
    source_script    text          NOT NULL DEFAULT '',
    source_args      text[]        NOT NULL DEFAULT '{}',
    git_commit       varchar(64)   NOT NULL DEFAULT '',
    git_dirty        boolean       NOT NULL DEFAULT false,
    host             varchar(256)  NOT NULL DEFAULT '',
    working_dir      text          NOT NULL DEFAULT '',
    start_time       timestamptz   NOT NULL,
    end_time         timestamptz,
    updated_at       timestamptz   NOT NULL,
    deleted_at       timestamptz,
    resume_count     integer       NOT NULL DEFAULT 0,
    CONSTRAINT run_pk PRIMARY KEY (id),
    CONSTRAINT run_name_uk UNIQUE (experiment_id, name_key),
    CONSTRAINT run_status_ck CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'CANCELED')),
    CONSTRAINT run_experiment_fk FOREIGN KEY (experiment_id)
        REFERENCES experiment (id) ON DELETE CASCADE,
    -- Purging a parent run purges its children with it.
    CONSTRAINT run_parent_fk FOREIGN KEY (parent_run_id)
        REFERENCES run (id) ON DELETE CASCADE
);

-- Listing an experiment's runs newest first (UUIDv7 ids) and finding child runs.
CREATE INDEX run_experiment_id_idx ON run (experiment_id, id);
CREATE INDEX run_parent_idx ON run (parent_run_id);

CREATE TABLE run_tag (
    run_id     uuid          NOT NULL,
    tag_key    varchar(250)  NOT NULL,
    tag_value  text          NOT NULL,
    CONSTRAINT run_tag_pk PRIMARY KEY (run_id, tag_key),
    CONSTRAINT run_tag_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

-- Params keep their type; value_text holds the canonical text of every type (exact for
-- int64 and doubles), value_num the number for int and double params so that searches can
-- compare numerically.
CREATE TABLE run_param (
    run_id      uuid               NOT NULL,
    param_key   varchar(250)       NOT NULL,
    value_type  varchar(8)         NOT NULL,
    value_text  text               NOT NULL,
    value_num   double precision,
    updated_at  timestamptz        NOT NULL,
    CONSTRAINT run_param_pk PRIMARY KEY (run_id, param_key),
    CONSTRAINT run_param_type_ck CHECK (value_type IN ('string', 'int', 'double', 'bool')),
    CONSTRAINT run_param_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

-- Every status change of a run: creation, updates and resumes.
CREATE TABLE run_status_change (
    id           bigserial     NOT NULL,
    run_id       uuid          NOT NULL,
    from_status  varchar(16),
    to_status    varchar(16)   NOT NULL,
    changed_at   timestamptz   NOT NULL,
    reason       varchar(16)   NOT NULL,
    CONSTRAINT run_status_change_pk PRIMARY KEY (id),
    CONSTRAINT run_status_change_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

CREATE INDEX run_status_change_run_idx ON run_status_change (run_id, id);
