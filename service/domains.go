package service

import (
	"context"
	"slices"
	"strings"

	"github.com/pier-hosting/pier"
)

// CreateDomainAssociation associates a custom domain with branches of an
// app. The association starts in CREATING; verifying DNS and issuing the
// certificate move it on.
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
	if _, err := s.store.GetDomainAssociation(ctx, account, appID, name); err == nil {
		return nil, pier.Errorf(pier.ECONFLICT, "Domain association %s already exists for app %s.", name, appID)
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return nil, err
	}
	now := s.now()
	d := &pier.DomainAssociation{
		AccountID: account, AppID: appID, DomainName: name,
		Status:          pier.DomainCreating,
		CertificateType: pier.CertificateAmplifyManaged,
		CreateTime:      now, UpdateTime: now,
	}
	if err := s.applyDomainInput(ctx, d, in); err != nil {
		return nil, err
	}
	if err := s.store.CreateDomainAssociation(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// GetDomainAssociation returns a domain association.
func (s *Service) GetDomainAssociation(ctx context.Context, account, appID, domain string) (*pier.DomainAssociation, error) {
	return s.store.GetDomainAssociation(ctx, account, appID, normalizeDomain(domain))
}

// UpdateDomainAssociation changes the given fields; subDomainSettings, when
// given, replace the whole subdomain set.
func (s *Service) UpdateDomainAssociation(ctx context.Context, account, appID, domain string, in pier.DomainAssociationInput) (*pier.DomainAssociation, error) {
	in.DomainName = nil
	return update(ctx, &s.locks, domainKey(account, appID, normalizeDomain(domain)), func() (*pier.DomainAssociation, error) {
		return s.store.GetDomainAssociation(ctx, account, appID, normalizeDomain(domain))
	}, func(d *pier.DomainAssociation) error {
		if err := s.applyDomainInput(ctx, d, in); err != nil {
			return err
		}
		d.UpdateTime = s.now()
		return nil
	}, func(d *pier.DomainAssociation) error {
		return s.store.UpdateDomainAssociation(ctx, d)
	})
}

// DeleteDomainAssociation deletes a domain association and returns it as it was.
func (s *Service) DeleteDomainAssociation(ctx context.Context, account, appID, domain string) (*pier.DomainAssociation, error) {
	d, err := s.store.GetDomainAssociation(ctx, account, appID, normalizeDomain(domain))
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteDomainAssociation(ctx, account, appID, d.DomainName); err != nil {
		return nil, err
	}
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
// name an existing branch and prefixes must be distinct.
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
		subs = append(subs, pier.SubDomain{
			Prefix:     prefix,
			BranchName: sd.BranchName,
			DNSRecord:  prefix + " CNAME " + s.DefaultDomain(d.AppID),
		})
	}
	d.SubDomains = subs
	return nil
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
			host := d.DomainName
			if sd.Prefix != "" {
				host = sd.Prefix + "." + host
			}
			out[sd.BranchName] = append(out[sd.BranchName], host)
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
// domain associations. An association deleted meanwhile is passed over.
func (s *Service) dropSubDomains(ctx context.Context, b *pier.Branch) error {
	return s.eachDomain(ctx, b.AccountID, b.AppID, func(listed *pier.DomainAssociation) error {
		if !slices.ContainsFunc(listed.SubDomains, func(sd pier.SubDomain) bool { return sd.BranchName == b.Name }) {
			return nil
		}
		_, err := update(ctx, &s.locks, domainKey(listed.AccountID, listed.AppID, listed.DomainName), func() (*pier.DomainAssociation, error) {
			return s.store.GetDomainAssociation(ctx, listed.AccountID, listed.AppID, listed.DomainName)
		}, func(d *pier.DomainAssociation) error {
			kept := slices.DeleteFunc(slices.Clone(d.SubDomains), func(sd pier.SubDomain) bool { return sd.BranchName == b.Name })
			if len(kept) == len(d.SubDomains) {
				return errUnchanged
			}
			d.SubDomains, d.UpdateTime = kept, s.now()
			return nil
		}, func(d *pier.DomainAssociation) error {
			return s.store.UpdateDomainAssociation(ctx, d)
		})
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			return nil
		}
		return err
	})
}
