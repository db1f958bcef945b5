-- Deployments, the pointers a branch keeps to its live one, and the job
-- columns that claims, leases and optimistic updates query.

-- Deployment ids are random and unique across accounts: the edge finds a
-- deployment by its id alone.
CREATE TABLE deployments (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	deployment_id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL,
	app_id TEXT NOT NULL,
	branch_name TEXT NOT NULL,
	doc TEXT NOT NULL,
	FOREIGN KEY (account_id, app_id, branch_name)
		REFERENCES branches (account_id, app_id, name) ON DELETE CASCADE
) STRICT;

CREATE INDEX deployments_branch ON deployments (account_id, app_id, branch_name);

-- Only PublishDeployment writes these two columns, so UpdateBranch, which
-- writes doc, cannot clobber them. The foreign key keeps a deployment that a
-- branch serves from being deleted; NULL means no deployment yet.
ALTER TABLE branches ADD COLUMN active_job_id TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN deployment_id TEXT REFERENCES deployments (deployment_id);

UPDATE branches SET active_job_id = COALESCE(json_extract(doc, '$.ActiveJobID'), '');

CREATE INDEX branches_deployment ON branches (deployment_id);

-- status, job_type and lease_until copy fields of doc for ClaimJob and
-- ExpiredJobs; lease_until is in Unix nanoseconds, NULL for the zero time.
-- version is the job's Version, the one copy of it that counts.
ALTER TABLE jobs ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN job_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
ALTER TABLE jobs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

UPDATE jobs SET
	status = COALESCE(json_extract(doc, '$.Status'), ''),
	job_type = COALESCE(json_extract(doc, '$.Type'), ''),
	lease_until = CASE
		WHEN json_extract(doc, '$.LeaseUntil') IS NULL
			OR json_extract(doc, '$.LeaseUntil') LIKE '0001-01-01T%' THEN NULL
		ELSE CAST(round(unixepoch(json_extract(doc, '$.LeaseUntil'), 'subsec') * 1000) AS INTEGER) * 1000000
	END,
	version = MAX(COALESCE(json_extract(doc, '$.Version'), 1), 1);

CREATE INDEX jobs_status ON jobs (status, seq);
