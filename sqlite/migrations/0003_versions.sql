-- Versions of apps, branches, domain associations and webhooks, as jobs have
-- had since 0002: their Update methods write only if the stored version is
-- the one the caller read, and increment it, so that concurrent
-- read-modify-writes (two TagResource calls, say) cannot lose each other's
-- changes. The column is the one copy of Version that counts; the default
-- gives every existing row version 1.
ALTER TABLE apps ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE branches ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE domain_associations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
