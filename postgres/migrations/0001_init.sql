-- The tables sqlstore expects, as the SQLite migration of the same version
-- creates them: key columns with foreign keys that cascade, an increasing
-- seq that orders lists, and the rest of each record as a JSON document in
-- doc. doc is TEXT, not JSONB, so that the queries sqlstore shares with
-- SQLite read and write it unchanged.

CREATE TABLE accounts (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL
);

CREATE TABLE access_keys (
	seq BIGSERIAL PRIMARY KEY,
	key_id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
	doc TEXT NOT NULL
);

CREATE INDEX access_keys_account ON access_keys (account_id);

-- App ids are unique across accounts: the edge finds an app by its id.
CREATE TABLE apps (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
	app_id TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id)
);

CREATE TABLE branches (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	name TEXT NOT NULL,
	last_job_id BIGINT NOT NULL DEFAULT 0,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, name),
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
);

CREATE TABLE jobs (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	job_id BIGINT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, branch_name, job_id),
	FOREIGN KEY (account_id, app_id, branch_name)
		REFERENCES branches (account_id, app_id, name) ON DELETE CASCADE
);

CREATE TABLE domain_associations (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	domain_name TEXT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, domain_name),
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
);

-- Webhook ids are unique across accounts: the webhook URL carries only the id.
CREATE TABLE webhooks (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL,
	webhook_id TEXT NOT NULL UNIQUE,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	doc TEXT NOT NULL,
	FOREIGN KEY (account_id, app_id, branch_name)
		REFERENCES branches (account_id, app_id, name) ON DELETE CASCADE
);

CREATE INDEX webhooks_branch ON webhooks (account_id, app_id, branch_name);

CREATE TABLE backend_environments (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	name TEXT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, name),
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
);

CREATE TABLE artifacts (
	seq BIGSERIAL PRIMARY KEY,
	account_id TEXT NOT NULL,
	artifact_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	job_id BIGINT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, artifact_id),
	FOREIGN KEY (account_id, app_id, branch_name, job_id)
		REFERENCES jobs (account_id, app_id, branch_name, job_id) ON DELETE CASCADE
);

CREATE INDEX artifacts_job ON artifacts (account_id, app_id, branch_name, job_id);

CREATE TABLE secrets (
	name TEXT PRIMARY KEY,
	value BYTEA NOT NULL
);
