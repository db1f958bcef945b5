-- Deployments, the pointers a branch keeps to its live one, and the job
-- columns that claims, leases and optimistic updates query, as in the SQLite
-- migration of the same version. No PostgreSQL database predates this
-- migration (both shipped together), so unlike SQLite's it copies nothing
-- out of the documents: the tables are empty.

-- Deployment ids are random and unique across accounts: the edge finds a
-- deployment by its id alone.
CREATE TABLE deployments (
	seq BIGSERIAL PRIMARY KEY,
	deployment_id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	doc TEXT NOT NULL,
	FOREIGN KEY (account_id, app_id, branch_name)
		REFERENCES branches (account_id, app_id, name) ON DELETE CASCADE
);

CREATE INDEX deployments_branch ON deployments (account_id, app_id, branch_name);

-- Only PublishDeployment writes these two columns, so UpdateBranch, which
-- writes doc, cannot clobber them. The foreign key keeps a deployment that a
-- branch serves from being deleted (NO ACTION, checked at the end of the
-- statement, so that deleting an app or branch takes both); NULL means no
-- deployment yet.
ALTER TABLE branches ADD COLUMN active_job_id TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN deployment_id TEXT REFERENCES deployments (deployment_id);

CREATE INDEX branches_deployment ON branches (deployment_id);

-- status, job_type and lease_until copy fields of doc for ClaimJob and
-- ExpiredJobs; lease_until is in Unix nanoseconds, NULL for the zero time.
-- version is the job's Version, the one copy of it that counts.
ALTER TABLE jobs ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN job_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_until BIGINT;
ALTER TABLE jobs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE INDEX jobs_status ON jobs (status, seq);
