-- Versions of apps, branches, domain associations and webhooks, as in the
-- SQLite migration of the same version: their Update methods write only if
-- the stored version is the one the caller read, and increment it, so that
-- concurrent read-modify-writes (two TagResource calls on two nodes, say)
-- cannot lose each other's changes. The column is the one copy of Version
-- that counts; the default gives every existing row version 1.
ALTER TABLE apps ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE branches ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE domain_associations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
