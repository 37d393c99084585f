-- Labbook schema v12: runs submitted to a server compute target (SubmitRun, issue 18).
--
-- * run_submission: one row per submitted run, written by SubmitRun before the Kubernetes Job
--   is created (and removed again when creating it fails, so a retry can submit anew), then
--   updated by every replica's watch with what it saw of the Job and its pod (state, pod name,
--   Kubernetes' message). The spec is kept in columns, as submitted (GetSubmission returns it);
--   environment variables as two arrays of equal length, names sorted. Purging the run removes
--   its row (ON DELETE CASCADE).
-- * run_status_change.message: details of a change, e.g. what Kubernetes said when a pod died
--   (reason JOB_FAILED); empty for every earlier change.

CREATE TABLE run_submission (
    run_id           uuid           NOT NULL,
    compute_target   varchar(63)    NOT NULL,
    namespace        varchar(63)    NOT NULL,
    job_name         varchar(63)    NOT NULL,
    pod_name         varchar(253)   NOT NULL DEFAULT '',
    state            varchar(16)    NOT NULL,
    message          text           NOT NULL DEFAULT '',
    script           text           NOT NULL,
    arguments        text[]         NOT NULL,
    snapshot_path    text           NOT NULL,
    image            text           NOT NULL,
    pip_requirements text[]         NOT NULL,
    variable_names   text[]         NOT NULL,
    variable_values  text[]         NOT NULL,
    cpu              varchar(64)    NOT NULL,
    memory           varchar(64)    NOT NULL,
    gpu              integer        NOT NULL,
    create_time      timestamptz    NOT NULL,
    update_time      timestamptz    NOT NULL,
    CONSTRAINT run_submission_pk PRIMARY KEY (run_id),
    CONSTRAINT run_submission_run_fk FOREIGN KEY (run_id) REFERENCES run (id) ON DELETE CASCADE,
    CONSTRAINT run_submission_state_ck
        CHECK (state IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'DELETED'))
);

ALTER TABLE run_status_change ADD COLUMN message text NOT NULL DEFAULT '';
