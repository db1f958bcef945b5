-- Small values every node shares (certificates, ACME accounts and challenge
-- answers, imported certificates) under slash-separated keys, and the leased
-- locks that let one node at a time obtain a certificate. Times are Unix
-- nanoseconds; a lock whose lease ended (expires at or before now) is free.
CREATE TABLE kv (
	key TEXT PRIMARY KEY,
	value BLOB NOT NULL,
	modified INTEGER NOT NULL
) STRICT;

CREATE TABLE kv_locks (
	name TEXT PRIMARY KEY,
	owner TEXT NOT NULL,
	expires INTEGER NOT NULL
) STRICT;
