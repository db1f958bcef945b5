-- The tables sqlstore expects: key columns with foreign keys that cascade,
-- an increasing seq that orders lists, and the rest of each record as a JSON
-- document in doc.

CREATE TABLE accounts (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL
) STRICT;

CREATE TABLE access_keys (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	key_id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
	doc TEXT NOT NULL
) STRICT;

CREATE INDEX access_keys_account ON access_keys (account_id);

-- App ids are unique across accounts: the edge finds an app by its id.
CREATE TABLE apps (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
	app_id TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id)
) STRICT;

CREATE TABLE branches (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	name TEXT NOT NULL,
	last_job_id INTEGER NOT NULL DEFAULT 0,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, name),
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE jobs (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	job_id INTEGER NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, branch_name, job_id),
	FOREIGN KEY (account_id, app_id, branch_name)
		REFERENCES branches (account_id, app_id, name) ON DELETE CASCADE
) STRICT;

CREATE TABLE domain_associations (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	domain_name TEXT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, domain_name),
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
) STRICT;

-- Webhook ids are unique across accounts: the webhook URL carries only the id.
CREATE TABLE webhooks (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	webhook_id TEXT NOT NULL UNIQUE,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	doc TEXT NOT NULL,
	FOREIGN KEY (account_id, app_id, branch_name)
		REFERENCES branches (account_id, app_id, name) ON DELETE CASCADE
) STRICT;

CREATE INDEX webhooks_branch ON webhooks (account_id, app_id, branch_name);

CREATE TABLE backend_environments (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	name TEXT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, name),
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE artifacts (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	artifact_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	job_id INTEGER NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, artifact_id),
	FOREIGN KEY (account_id, app_id, branch_name, job_id)
		REFERENCES jobs (account_id, app_id, branch_name, job_id) ON DELETE CASCADE
) STRICT;

CREATE INDEX artifacts_job ON artifacts (account_id, app_id, branch_name, job_id);

CREATE TABLE secrets (
	name TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;
