-- Labbook schema v9: access control (docs/security.md): API tokens and the audit log.

-- API tokens. Only the SHA-256 hash of the whole secret (`lbk_...`), in lower-case hex, is kept;
-- the secret is shown once, at creation. prefix is the secret's first 8 characters (`lbk_` and 4 more), kept so that
-- people can tell their tokens apart in listings. A token grants one role in one project, or in
-- every project when project is '*'. ids are UUIDv7, so id order is creation order (listings are
-- newest first, paged by id). A revoked row stays, so that listings and the audit log can still
-- name it; bootstrap tokens (name `bootstrap`, from LABBOOK_BOOTSTRAP_TOKEN or generated at the
-- first start with access control on) are ordinary rows.
CREATE TABLE api_token (
    id            uuid          NOT NULL,
    name          varchar(128)  NOT NULL,
    project       varchar(64)   NOT NULL,
    role          varchar(16)   NOT NULL,
    secret_hash   char(64)      NOT NULL,
    prefix        varchar(16)   NOT NULL,
    creator       varchar(256)  NOT NULL,
    created_at    timestamptz   NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    CONSTRAINT api_token_pk PRIMARY KEY (id),
    -- Authentication looks tokens up by hash; concurrent replicas storing the same bootstrap
    -- token race on this constraint (INSERT ... ON CONFLICT DO NOTHING).
    CONSTRAINT api_token_secret_hash_uk UNIQUE (secret_hash),
    CONSTRAINT api_token_role_ck CHECK (role IN ('viewer', 'editor', 'admin'))
);

-- ListTokens of one project (or of '*') newest first.
CREATE INDEX api_token_project_id_idx ON api_token (project, id);

-- Every call that needs more than reading, allowed or denied (AccessInterceptor), written in
-- batches by AuditWriter. project is empty when the call named no target that exists; target is
-- the targets as named in the request (`run_id=...`). id order is (nearly) time order: listings
-- are newest first by id.
CREATE TABLE audit_event (
    id         bigserial     NOT NULL,
    time       timestamptz   NOT NULL,
    principal  varchar(256)  NOT NULL,
    method     varchar(256)  NOT NULL,
    project    varchar(64)   NOT NULL,
    target     varchar(1024) NOT NULL,
    code       varchar(32)   NOT NULL,
    peer       varchar(256)  NOT NULL,
    CONSTRAINT audit_event_pk PRIMARY KEY (id)
);

-- ListAuditEvents newest first of one project, and of one principal (a backward scan of each);
-- with no filter, of audit_event_pk.
CREATE INDEX audit_event_project_id_idx ON audit_event (project, id);
CREATE INDEX audit_event_principal_id_idx ON audit_event (principal, id);
