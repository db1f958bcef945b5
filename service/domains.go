package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/pier-hosting/pier"
)

// namesKey is the lock that makes the claims of host names on this node take
// turns: checking that a name is free and storing the association that
// takes it must not interleave with another claim. Across nodes the unique
// index on domain names settles races on one domain name.
const namesKey = "domain-names"

// CreateDomainAssociation associates a custom domain with branches of an
// app. The association starts in CREATING with the DNS records the customer
// must create; CheckDomains moves it on as they appear (hosting-semantics
// §5.1). A domain name, and each host name it serves, belongs to one app
// across all accounts: a taken one is EINVALID naming it.
func (s *Service) CreateDomainAssociation(ctx context.Context, account, appID string, in pier.DomainAssociationInput) (*pier.DomainAssociation, error) {
	if in.DomainName == nil || *in.DomainName == "" {
		return nil, pier.Errorf(pier.EINVALID, "Missing required field 'domainName'.")
	}
	if in.SubDomainSettings == nil {
		return nil, pier.Errorf(pier.EINVALID, "Missing required field 'subDomainSettings'.")
	}
	name := normalizeDomain(*in.DomainName)
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	now := s.now()
	d := &pier.DomainAssociation{
		AccountID: account, AppID: appID, DomainName: name,
		Status:          pier.DomainCreating,
		CertificateType: pier.CertificateAmplifyManaged,
		CreateTime:      now, UpdateTime: now,
		CheckSince: now, NextCheck: now,
	}
	if err := s.applyDomainInput(ctx, d, in); err != nil {
		return nil, err
	}
	unlock, err := s.locks.lock(ctx, namesKey)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := s.store.GetDomainAssociation(ctx, account, appID, name); err == nil {
		return nil, pier.Errorf(pier.ECONFLICT, "Domain association %s already exists for app %s.", name, appID)
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return nil, err
	}
	if _, err := s.store.FindDomainAssociation(ctx, name); err == nil {
		return nil, pier.Errorf(pier.EINVALID, "%s is already associated with another app.", name)
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return nil, err
	}
	if err := s.checkHostsFree(ctx, d, d.Hosts()); err != nil {
		return nil, err
	}
	if err := s.autoSubDomains(ctx, d); err != nil {
		return nil, err
	}
	if err := s.store.CreateDomainAssociation(ctx, d); pier.ErrorCode(err) == pier.ECONFLICT {
		// Another node took the name between the check and the write.
		return nil, pier.Errorf(pier.EINVALID, "Domain %s is already associated with another app.", name)
	} else if err != nil {
		return nil, err
	}
	s.domainChanged(d)
	return d, nil
}

// GetDomainAssociation returns a domain association.
func (s *Service) GetDomainAssociation(ctx context.Context, account, appID, domain string) (*pier.DomainAssociation, error) {
	return s.store.GetDomainAssociation(ctx, account, appID, normalizeDomain(domain))
}

// UpdateDomainAssociation changes the given fields; subDomainSettings, when
// given, replace the whole subdomain set. Host names it adds must be free,
// as on creation, and start a new round of verification: an AVAILABLE
// association stays AVAILABLE and reports the round in updateStatus; a
// FAILED one starts over. Host names it removes stop being served and their
// certificates are released.
func (s *Service) UpdateDomainAssociation(ctx context.Context, account, appID, domain string, in pier.DomainAssociationInput) (*pier.DomainAssociation, error) {
	in.DomainName = nil
	domain = normalizeDomain(domain)
	unlock, err := s.locks.lock(ctx, namesKey)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var released []string
	d, err := update(ctx, &s.locks, domainKey(account, appID, domain), func() (*pier.DomainAssociation, error) {
		return s.store.GetDomainAssociation(ctx, account, appID, domain)
	}, func(d *pier.DomainAssociation) error {
		before := d.Hosts()
		certType, certARN := d.CertificateType, d.CustomCertificateARN
		if err := s.applyDomainInput(ctx, d, in); err != nil {
			return err
		}
		var added []string
		for _, h := range d.Hosts() {
			if !slices.Contains(before, h) {
				added = append(added, h)
			}
		}
		if err := s.checkHostsFree(ctx, d, added); err != nil {
			return err
		}
		if err := s.autoSubDomains(ctx, d); err != nil {
			return err
		}
		now := s.now()
		certChanged := certType != d.CertificateType || certARN != d.CustomCertificateARN
		if certChanged || slices.ContainsFunc(d.Hosts(), func(h string) bool { return !slices.Contains(before, h) }) {
			s.restartChecks(d, certChanged, now)
		}
		released = dropIssued(d)
		d.UpdateTime = now
		return nil
	}, func(d *pier.DomainAssociation) error {
		return s.store.UpdateDomainAssociation(ctx, d)
	})
	if err != nil {
		return nil, err
	}
	s.release(ctx, released)
	s.domainChanged(d)
	return d, nil
}

// DeleteDomainAssociation deletes a domain association, releases its
// certificates and returns it as it was.
func (s *Service) DeleteDomainAssociation(ctx context.Context, account, appID, domain string) (*pier.DomainAssociation, error) {
	d, err := s.store.GetDomainAssociation(ctx, account, appID, normalizeDomain(domain))
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteDomainAssociation(ctx, account, appID, d.DomainName); err != nil {
		return nil, err
	}
	s.release(ctx, d.IssuedNames)
	s.domainChanged(d)
	return d, nil
}

// ListDomainAssociations lists an app's domain associations.
func (s *Service) ListDomainAssociations(ctx context.Context, account, appID string, maxResults int, token string) ([]*pier.DomainAssociation, string, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, "", err
	}
	scope := "domains/" + account + "/" + appID
	p, err := s.page(scope, maxResults, 50, token)
	if err != nil {
		return nil, "", err
	}
	ds, next, err := s.store.ListDomainAssociations(ctx, account, appID, p)
	return ds, s.pageToken(scope, next), err
}

// applyDomainInput copies the given fields of in onto d. Every subdomain must
// name an existing branch and prefixes must be distinct. Given settings
// replace the subdomains set by hand; automatic ones are kept.
func (s *Service) applyDomainInput(ctx context.Context, d *pier.DomainAssociation, in pier.DomainAssociationInput) error {
	set(&d.EnableAutoSubDomain, in.EnableAutoSubDomain)
	set(&d.AutoSubDomainIAMRole, in.AutoSubDomainIAMRole)
	if in.AutoSubDomainCreationPatterns != nil {
		d.AutoSubDomainCreationPatterns = in.AutoSubDomainCreationPatterns
	}
	if c := in.CertificateSettings; c != nil {
		if c.Type == pier.CertificateCustom && c.CustomCertificateARN == "" {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'certificateSettings.customCertificateArn': required when the type is CUSTOM.")
		}
		if c.Type != pier.CertificateCustom && c.CustomCertificateARN != "" {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'certificateSettings.customCertificateArn': only allowed when the type is CUSTOM.")
		}
		d.CertificateType, d.CustomCertificateARN = c.Type, c.CustomCertificateARN
	}
	d.CertificateVerificationRecord = ""
	if d.CertificateType != pier.CertificateCustom {
		d.CertificateVerificationRecord = s.verificationRecord(d)
	}
	if in.SubDomainSettings == nil {
		return nil
	}
	seen := map[string]bool{}
	subs := make([]pier.SubDomain, 0, len(in.SubDomainSettings))
	for i, sd := range in.SubDomainSettings {
		prefix := strings.ToLower(sd.Prefix)
		if seen[prefix] {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'subDomainSettings[%d].prefix': %q appears twice.", i, truncate(prefix, 64))
		}
		seen[prefix] = true
		if prefix != "" && !validHostPrefix(prefix) {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'subDomainSettings[%d].prefix': %q is not a valid host name prefix.", i, truncate(prefix, 64))
		}
		if _, err := s.store.GetBranch(ctx, d.AccountID, d.AppID, sd.BranchName); err != nil {
			return err
		}
		subs = append(subs, s.subDomain(d, prefix, sd.BranchName, false))
	}
	// A subdomain that stays as it was keeps its verification.
	for i, sd := range subs {
		if j := slices.IndexFunc(d.SubDomains, func(o pier.SubDomain) bool { return o.Prefix == sd.Prefix && !o.Auto }); j >= 0 {
			subs[i].Verified = d.SubDomains[j].Verified
		}
	}
	for _, sd := range d.SubDomains {
		if sd.Auto && !seen[sd.Prefix] {
			subs = append(subs, sd)
		}
	}
	d.SubDomains = subs
	return nil
}

// subDomain returns a new, unverified subdomain of d.
func (s *Service) subDomain(d *pier.DomainAssociation, prefix, branch string, auto bool) pier.SubDomain {
	return pier.SubDomain{
		Prefix: prefix, BranchName: branch, Auto: auto,
		DNSRecord: prefix + " CNAME " + s.DefaultDomain(d.AppID),
	}
}

// checkHostsFree returns EINVALID naming the first of hosts that another
// association serves.
func (s *Service) checkHostsFree(ctx context.Context, d *pier.DomainAssociation, hosts []string) error {
	for _, host := range hosts {
		owner, err := s.hostOwner(ctx, d, host)
		if err != nil {
			return err
		}
		if owner != nil {
			return pier.Errorf(pier.EINVALID, "%s is already associated with another app.", host)
		}
	}
	return nil
}

// hostOwner returns the association other than d that serves host, nil
// when there is none. The edge routes host to the association of its
// longest candidate name that serves it, so any association serving it
// would compete.
func (s *Service) hostOwner(ctx context.Context, d *pier.DomainAssociation, host string) (*pier.DomainAssociation, error) {
	for _, cand := range pier.DomainCandidates(host) {
		o, err := s.store.FindDomainAssociation(ctx, cand)
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		if o.AccountID == d.AccountID && o.AppID == d.AppID && o.DomainName == d.DomainName {
			continue
		}
		if _, ok := o.SubDomainFor(host); ok {
			return o, nil
		}
	}
	return nil, nil
}

// autoSubDomains replaces the automatic subdomains of d by one for each
// branch of its app matching its autoSubDomainCreationPatterns, when
// enableAutoSubDomain is on. Branches whose prefix is taken (by a subdomain
// set by hand, or by another association) are passed over.
func (s *Service) autoSubDomains(ctx context.Context, d *pier.DomainAssociation) error {
	kept := slices.DeleteFunc(slices.Clone(d.SubDomains), func(sd pier.SubDomain) bool { return sd.Auto })
	old := d.SubDomains
	d.SubDomains = kept
	if !d.EnableAutoSubDomain || len(d.AutoSubDomainCreationPatterns) == 0 {
		return nil
	}
	return s.eachBranch(ctx, d.AccountID, d.AppID, func(b *pier.Branch) error {
		sd, ok, err := s.autoSubDomain(ctx, d, b)
		if err != nil || !ok {
			return err
		}
		if i := slices.IndexFunc(old, func(o pier.SubDomain) bool { return o.Auto && o.Prefix == sd.Prefix }); i >= 0 {
			sd.Verified = old[i].Verified
		}
		d.SubDomains = append(d.SubDomains, sd)
		return nil
	})
}

// autoSubDomain returns the automatic subdomain of branch b in d, and false
// when b does not get one: it does not match, its prefix is taken or is not
// a host name, or another association serves the host.
func (s *Service) autoSubDomain(ctx context.Context, d *pier.DomainAssociation, b *pier.Branch) (pier.SubDomain, bool, error) {
	if !d.EnableAutoSubDomain || !pier.MatchBranchPatterns(d.AutoSubDomainCreationPatterns, b.Name) {
		return pier.SubDomain{}, false, nil
	}
	prefix := AutoSubDomainPrefix(b.Name)
	if prefix == "" || slices.ContainsFunc(d.SubDomains, func(sd pier.SubDomain) bool { return sd.Prefix == prefix }) {
		return pier.SubDomain{}, false, nil
	}
	sd := s.subDomain(d, prefix, b.Name, true)
	owner, err := s.hostOwner(ctx, d, sd.Host(d.DomainName))
	if err != nil {
		return pier.SubDomain{}, false, err
	}
	if owner != nil {
		s.cfg.Logger.Info("domains: automatic subdomain taken by another association", "host", sd.Host(d.DomainName), "branch", b.Name)
		return pier.SubDomain{}, false, nil
	}
	return sd, true, nil
}

// AutoSubDomainPrefix returns the prefix of a branch's automatic subdomain
// (hosting-semantics §5.3): the branch name lowercased, with "/" and every
// other character that cannot be in a host label turned into "-", and
// trimmed to a DNS label; "" when nothing is left.
func AutoSubDomainPrefix(branch string) string {
	b := []byte(strings.ToLower(branch))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	p := strings.Trim(string(b), "-")
	if len(p) > 63 {
		p = strings.TrimRight(p[:63], "-")
	}
	return p
}

// addAutoSubDomains gives a new branch its automatic subdomains in the
// associations of its app that want one. Failures are logged: the branch
// exists either way.
func (s *Service) addAutoSubDomains(ctx context.Context, b *pier.Branch) {
	err := s.eachDomain(ctx, b.AccountID, b.AppID, func(listed *pier.DomainAssociation) error {
		if !listed.EnableAutoSubDomain || !pier.MatchBranchPatterns(listed.AutoSubDomainCreationPatterns, b.Name) {
			return nil
		}
		unlock, err := s.locks.lock(ctx, namesKey)
		if err != nil {
			return err
		}
		defer unlock()
		d, err := update(ctx, &s.locks, domainKey(listed.AccountID, listed.AppID, listed.DomainName), func() (*pier.DomainAssociation, error) {
			return s.store.GetDomainAssociation(ctx, listed.AccountID, listed.AppID, listed.DomainName)
		}, func(d *pier.DomainAssociation) error {
			sd, ok, err := s.autoSubDomain(ctx, d, b)
			if err != nil {
				return err
			} else if !ok {
				return errUnchanged
			}
			d.SubDomains = append(d.SubDomains, sd)
			d.UpdateTime = s.now()
			s.restartChecks(d, false, d.UpdateTime)
			return nil
		}, func(d *pier.DomainAssociation) error {
			return s.store.UpdateDomainAssociation(ctx, d)
		})
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		s.domainChanged(d)
		return nil
	})
	if err != nil {
		s.cfg.Logger.Error("domains: add automatic subdomains", "app", b.AppID, "branch", b.Name, "err", err)
	}
}

// normalizeDomain lowercases a domain name and drops a trailing dot.
func normalizeDomain(s string) string {
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// validHostPrefix reports whether p is one or more DNS labels joined by dots,
// or "*" for a wildcard subdomain.
func validHostPrefix(p string) bool {
	if p == "*" {
		return true
	}
	for _, label := range strings.Split(p, ".") {
		if !validLabel(label) {
			return false
		}
	}
	return true
}

// CustomDomains maps each branch of an app to the custom domain names
// (prefix.domain) its domain associations serve it on.
func (s *Service) CustomDomains(ctx context.Context, account, appID string) (map[string][]string, error) {
	out := map[string][]string{}
	err := s.eachDomain(ctx, account, appID, func(d *pier.DomainAssociation) error {
		for _, sd := range d.SubDomains {
			out[sd.BranchName] = append(out[sd.BranchName], sd.Host(d.DomainName))
		}
		return nil
	})
	return out, err
}

// eachDomain calls fn for every domain association of an app.
func (s *Service) eachDomain(ctx context.Context, account, appID string, fn func(*pier.DomainAssociation) error) error {
	return pier.EachPage(50, func(p pier.Page) ([]*pier.DomainAssociation, string, error) {
		return s.store.ListDomainAssociations(ctx, account, appID, p)
	}, fn)
}

// eachBranch calls fn for every branch of an app.
func (s *Service) eachBranch(ctx context.Context, account, appID string, fn func(*pier.Branch) error) error {
	return pier.EachPage(50, func(p pier.Page) ([]*pier.Branch, string, error) {
		return s.store.ListBranches(ctx, account, appID, p)
	}, fn)
}

// dropSubDomains removes the subdomains that serve branch b from its app's
// domain associations, releasing their certificates. An association deleted
// meanwhile is passed over.
func (s *Service) dropSubDomains(ctx context.Context, b *pier.Branch) error {
	return s.eachDomain(ctx, b.AccountID, b.AppID, func(listed *pier.DomainAssociation) error {
		if !slices.ContainsFunc(listed.SubDomains, func(sd pier.SubDomain) bool { return sd.BranchName == b.Name }) {
			return nil
		}
		var released []string
		d, err := update(ctx, &s.locks, domainKey(listed.AccountID, listed.AppID, listed.DomainName), func() (*pier.DomainAssociation, error) {
			return s.store.GetDomainAssociation(ctx, listed.AccountID, listed.AppID, listed.DomainName)
		}, func(d *pier.DomainAssociation) error {
			kept := slices.DeleteFunc(slices.Clone(d.SubDomains), func(sd pier.SubDomain) bool { return sd.BranchName == b.Name })
			if len(kept) == len(d.SubDomains) {
				return errUnchanged
			}
			d.SubDomains, d.UpdateTime = kept, s.now()
			released = dropIssued(d)
			return nil
		}, func(d *pier.DomainAssociation) error {
			return s.store.UpdateDomainAssociation(ctx, d)
		})
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		s.release(ctx, released)
		s.domainChanged(d)
		return nil
	})
}

// dropIssued removes from d.IssuedNames the names d no longer serves and
// returns them.
func dropIssued(d *pier.DomainAssociation) []string {
	hosts := d.Hosts()
	var dropped, kept []string
	for _, n := range d.IssuedNames {
		if slices.Contains(hosts, n) {
			kept = append(kept, n)
		} else {
			dropped = append(dropped, n)
		}
	}
	d.IssuedNames = kept
	return dropped
}

// release tells the certificate manager to stop renewing names. A failure
// is logged: the association's change stands.
func (s *Service) release(ctx context.Context, names []string) {
	if len(names) == 0 || s.cfg.Certificates == nil {
		return
	}
	if err := s.cfg.Certificates.Release(ctx, names); err != nil {
		s.cfg.Logger.Error("domains: release certificates", "names", names, "err", err)
	}
}

// domainChanged tells the edge that d changed.
func (s *Service) domainChanged(d *pier.DomainAssociation) {
	s.cfg.DomainChanged(d.DomainName)
}

// verificationToken returns the label of d's certificate-verification
// record: an HMAC of its account, app and domain, so that it is stable for
// the association and cannot be guessed by anyone else.
func (s *Service) verificationToken(d *pier.DomainAssociation) string {
	m := hmac.New(sha256.New, s.domainKey)
	m.Write([]byte(d.AccountID + "/" + d.AppID + "/" + d.DomainName))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// verificationName and verificationTarget are the owner and the target of
// d's certificate-verification CNAME. The target lives under the base
// domain ("_{token}.acm-validations.{base}", after AWS's
// "_{hash}.acm-validations.aws"); it need not resolve, Pier checks only that
// the CNAME points at it.
func (s *Service) verificationName(d *pier.DomainAssociation) string {
	return "_" + s.verificationToken(d) + "." + d.DomainName
}

func (s *Service) verificationTarget(d *pier.DomainAssociation) string {
	return "_" + s.verificationToken(d) + ".acm-validations." + s.cfg.BaseDomain
}

// verificationRecord returns d's certificateVerificationDNSRecord.
func (s *Service) verificationRecord(d *pier.DomainAssociation) string {
	return s.verificationName(d) + ". CNAME " + s.verificationTarget(d) + "."
}
