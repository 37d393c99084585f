-- Labbook schema v4: artifacts (files, images, references) and resumable uploads.

-- One row per (run, path): a stored file, or a reference (SageMaker log_artifact: name -> URI or
-- value, nothing uploaded). object_key names the immutable object in the artifact store
-- (runs/<run id>/<upload id>/<path>); replacing a path points the row at a new object, so the
-- switch is one atomic row update.
CREATE TABLE artifact (
    run_id       uuid           NOT NULL,
    path         varchar(1024)  NOT NULL,
    kind         varchar(10)    NOT NULL,
    direction    varchar(6)     NOT NULL,
    media_type   varchar(255)   NOT NULL,
    size_bytes   bigint         NOT NULL,
    sha256       varchar(64)    NOT NULL,
    step         bigint,
    uri          text           NOT NULL,
    object_key   text,
    created_at   timestamptz    NOT NULL,
    CONSTRAINT artifact_pk PRIMARY KEY (run_id, path),
    CONSTRAINT artifact_kind_ck CHECK (kind IN ('file', 'reference')),
    CONSTRAINT artifact_direction_ck CHECK (direction IN ('input', 'output')),
    CONSTRAINT artifact_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

-- Image series: a run's images by step.
CREATE INDEX artifact_media_step_idx ON artifact (run_id, media_type, step);

-- An upload in progress. received_bytes counts only bytes in stored parts (durable), so a
-- client resumes there; digest_state is the SHA-256 state after those bytes, so a resumed
-- upload continues the checksum without reading anything back.
CREATE TABLE artifact_upload (
    id               uuid           NOT NULL,
    run_id           uuid           NOT NULL,
    path             varchar(1024)  NOT NULL,
    direction        varchar(6)     NOT NULL,
    media_type       varchar(255)   NOT NULL,
    expected_size    bigint,
    expected_sha256  varchar(64),
    step             bigint,
    object_key       text           NOT NULL,
    store_handle     text           NOT NULL,
    part_size        integer        NOT NULL,
    received_bytes   bigint         NOT NULL,
    digest_state     bytea          NOT NULL,
    completed        boolean        NOT NULL,
    created_at       timestamptz    NOT NULL,
    updated_at       timestamptz    NOT NULL,
    CONSTRAINT artifact_upload_pk PRIMARY KEY (id),
    CONSTRAINT artifact_upload_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE
);

CREATE TABLE artifact_upload_part (
    upload_id    uuid     NOT NULL,
    part_number  integer  NOT NULL,
    tag          text     NOT NULL,
    size_bytes   bigint   NOT NULL,
    CONSTRAINT artifact_upload_part_pk PRIMARY KEY (upload_id, part_number),
    CONSTRAINT artifact_upload_part_upload_fk FOREIGN KEY (upload_id)
        REFERENCES artifact_upload (id) ON DELETE CASCADE
);
