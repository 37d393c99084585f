-- Labbook schema v13: models that runs log (ModelService, issue 16: MLflow 3's logged models).
--
-- * model: one row per model. Its id is a UUIDv7 (clients see it as `m-` and its 32 hex
--   digits), so "newest first" listings page by id alone. A model belongs to its run (purging
--   the run removes its models: ON DELETE CASCADE); experiment_id is the run's (a run never
--   changes experiment), kept here so that listings of experiments use an index. Its files are
--   the run's artifacts under models/<id>/, not rows here. deleted_at is set by DeleteModel.
-- * model_tag: tags, changed freely.
-- * model_param: params as text; a key once logged keeps its value (ModelService refuses
--   another), so rows are only ever inserted.

CREATE TABLE model (
    id              uuid          NOT NULL,
    run_id          uuid          NOT NULL,
    experiment_id   uuid          NOT NULL,
    name            varchar(250)  NOT NULL,
    status          varchar(16)   NOT NULL,
    status_message  text          NOT NULL DEFAULT '',
    model_type      varchar(250)  NOT NULL DEFAULT '',
    create_time     timestamptz   NOT NULL,
    update_time     timestamptz   NOT NULL,
    deleted_at      timestamptz,
    CONSTRAINT model_pk PRIMARY KEY (id),
    CONSTRAINT model_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE,
    CONSTRAINT model_status_ck CHECK (status IN ('PENDING', 'READY', 'FAILED'))
);

CREATE TABLE model_tag (
    model_id   uuid          NOT NULL,
    tag_key    varchar(250)  NOT NULL,
    tag_value  text          NOT NULL,
    CONSTRAINT model_tag_pk PRIMARY KEY (model_id, tag_key),
    CONSTRAINT model_tag_model_fk FOREIGN KEY (model_id) REFERENCES model (id) ON DELETE CASCADE
);

CREATE TABLE model_param (
    model_id     uuid          NOT NULL,
    param_key    varchar(250)  NOT NULL,
    param_value  text          NOT NULL,
    CONSTRAINT model_param_pk PRIMARY KEY (model_id, param_key),
    CONSTRAINT model_param_model_fk FOREIGN KEY (model_id) REFERENCES model (id) ON DELETE CASCADE
);

-- Listings of experiments' and of a run's models, newest first; the run index also serves the
-- ON DELETE CASCADE of a purged run.
CREATE INDEX model_experiment_id_idx ON model (experiment_id, id);
CREATE INDEX model_run_id_idx ON model (run_id, id);
