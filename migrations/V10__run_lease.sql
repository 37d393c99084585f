-- Labbook schema v10: run leases. A RUNNING run carries the time its lease expires; its writers
-- renew it in the background (RenewRunLease), and the server marks a RUNNING run whose lease has
-- expired CRASHED, with reason LEASE_EXPIRED in its status history.
--
-- * lease_expires_at: set to now + the server's lease when a run becomes RUNNING (creation,
--   start, resume) and on every renewal. NULL for runs that are not RUNNING, and for runs that
--   were RUNNING before this version (their writers may not renew: they never expire).
-- * run_lease_idx: the expiry pass (every fifth of the lease on each replica) finds the expired
--   RUNNING runs with a range scan of this partial index, which holds only RUNNING runs.
-- * CRASHED joins the statuses; status history reasons gain LEASE_EXPIRED (fits varchar(16)).

ALTER TABLE run ADD COLUMN lease_expires_at timestamptz;

ALTER TABLE run DROP CONSTRAINT run_status_ck;
ALTER TABLE run ADD CONSTRAINT run_status_ck
    CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'CRASHED'));

-- [jooq ignore start]
-- (jOOQ's DDL parser does not need indexes; partial indexes are PostgreSQL-only.)
CREATE INDEX run_lease_idx ON run (lease_expires_at) WHERE status = 'RUNNING';
-- [jooq ignore stop]
