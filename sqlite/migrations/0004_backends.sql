-- AmplifyBackend: an app's backend, the storage resources of its backend
-- environments, the asynchronous jobs of its operations and the credential
-- Pier issues per environment for signed-in users.

CREATE TABLE backends (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id),
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
) STRICT;

-- bucket lets an import find whether another resource already uses a bucket.
CREATE TABLE backend_storage (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	env TEXT NOT NULL,
	name TEXT NOT NULL,
	bucket TEXT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, env, name),
	FOREIGN KEY (account_id, app_id, env)
		REFERENCES backend_environments (account_id, app_id, name) ON DELETE CASCADE
) STRICT;

CREATE INDEX backend_storage_bucket ON backend_storage (bucket);

-- Jobs outlive their environment (DeleteBackend's own job stays readable),
-- so they hang on the app. operation and status are filtered on, lease_until
-- (Unix nanoseconds) finds the jobs of a node that stopped.
CREATE TABLE backend_jobs (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	job_id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	env TEXT NOT NULL,
	operation TEXT NOT NULL,
	status TEXT NOT NULL,
	lease_until INTEGER NOT NULL,
	doc TEXT NOT NULL,
	FOREIGN KEY (account_id, app_id) REFERENCES apps (account_id, app_id) ON DELETE CASCADE
) STRICT;

CREATE INDEX backend_jobs_app ON backend_jobs (account_id, app_id, env, seq);
CREATE INDEX backend_jobs_status ON backend_jobs (status, lease_until);

CREATE TABLE backend_credentials (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	env TEXT NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, app_id, env),
	FOREIGN KEY (account_id, app_id, env)
		REFERENCES backend_environments (account_id, app_id, name) ON DELETE CASCADE
) STRICT;
