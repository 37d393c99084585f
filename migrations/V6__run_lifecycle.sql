-- Labbook schema v6: the run lifecycle of API v1 (QUEUED runs, StartRun / FinishRun /
-- CancelRun), retry-safe CreateRun, etags for conditional updates, and creators.
--
-- * A run may now be created QUEUED: it has no start time until it first becomes RUNNING, so
--   start_time is nullable and create_time records the creation. Runs made before this version
--   were created RUNNING: their creation time is their start time.
-- * request_id is the client's id of a CreateRun call (AIP-155); a retry with the same id finds
--   the run the first call made. Unique per experiment; NULL (no id given) never conflicts.
-- * revision counts the changes of a run or experiment (its own fields, tags, params, status,
--   deletion); every UPDATE bumps it, and the API renders it as the opaque etag (AIP-154).
-- * creator: who created the object; empty until access control fills it.
-- * Status history reasons are now CREATE, START, FINISH, CANCEL, RESUME; rows written before
--   FinishRun and CancelRun existed keep UPDATE.

ALTER TABLE run ADD COLUMN create_time timestamptz;
UPDATE run SET create_time = start_time;
ALTER TABLE run ALTER COLUMN create_time SET NOT NULL;
ALTER TABLE run ALTER COLUMN start_time DROP NOT NULL;

ALTER TABLE run ADD COLUMN request_id varchar(128);
ALTER TABLE run ADD CONSTRAINT run_request_uk UNIQUE (experiment_id, request_id);

ALTER TABLE run ADD COLUMN revision bigint NOT NULL DEFAULT 1;
ALTER TABLE run ADD COLUMN creator varchar(256) NOT NULL DEFAULT '';

ALTER TABLE run DROP CONSTRAINT run_status_ck;
ALTER TABLE run ADD CONSTRAINT run_status_ck
    CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED'));
-- Only a run that never ran lacks a start time: a RUNNING run always has one.
ALTER TABLE run ADD CONSTRAINT run_started_ck CHECK (status <> 'RUNNING' OR start_time IS NOT NULL);

ALTER TABLE experiment ADD COLUMN revision bigint NOT NULL DEFAULT 1;
ALTER TABLE experiment ADD COLUMN creator varchar(256) NOT NULL DEFAULT '';

-- ListProjects / GetProject: the distinct projects of the experiment table, in name order.
-- experiment_project_id_idx (project, id) already serves this as an index-only scan.
