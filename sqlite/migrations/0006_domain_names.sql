-- A domain belongs to one app across all accounts: the edge finds the
-- association serving a Host by its domain name alone, and two apps
-- holding one name would split its traffic by accident. The service refuses
-- a taken name; this index settles two creations racing on different
-- nodes. Should older rows hold a name twice, only the oldest association
-- was ever served (FindDomainAssociation picks it), so the others go.
DELETE FROM domain_associations
WHERE seq NOT IN (SELECT MIN(seq) FROM domain_associations GROUP BY domain_name);
CREATE UNIQUE INDEX domain_associations_domain_name ON domain_associations (domain_name);
