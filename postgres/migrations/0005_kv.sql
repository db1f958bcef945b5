-- Small values every node shares (certificates, ACME accounts and challenge
-- answers, imported certificates) and leased locks, as in the SQLite
-- migration of the same version. Times are Unix nanoseconds; a lock whose
-- lease ended (expires at or before now) is free.
CREATE TABLE kv (
	key TEXT PRIMARY KEY,
	value BYTEA NOT NULL,
	modified BIGINT NOT NULL
);

CREATE TABLE kv_locks (
	name TEXT PRIMARY KEY,
	owner TEXT NOT NULL,
	expires BIGINT NOT NULL
);
