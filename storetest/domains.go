package storetest

import (
	"testing"

	"github.com/pier-hosting/pier"
)

var domainTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		d := sampleDomain(accountA, app1, "example.com")
		d.Version = 42 // ignored: a new association is at version 1
		f.check(f.s.CreateDomainAssociation(f.ctx, d))
		if d.Version != 1 {
			t.Fatalf("CreateDomainAssociation set version %d, want 1", d.Version)
		}
		checkComplete(t, d)
		got, err := f.s.GetDomainAssociation(f.ctx, accountA, app1, "example.com")
		f.check(err)
		wantEqual(t, "domain association", got, d)
	}},
	{"Update", func(t *testing.T, f *fixture) {
		d := f.domain(f.app(accountA, app1), "example.com")
		d.Status = pier.DomainAvailable
		d.StatusReason = ""
		d.SubDomains[0].Verified = false
		d.SubDomains = append(d.SubDomains, pier.SubDomain{Prefix: "", BranchName: "main", DNSRecord: " CNAME d3.example.net"})
		d.AutoSubDomainCreationPatterns = nil
		d.UpdateTime = t2
		f.check(f.s.UpdateDomainAssociation(f.ctx, d))
		if d.Version != 2 {
			t.Errorf("Version after an update = %d, want 2", d.Version)
		}
		got, err := f.s.GetDomainAssociation(f.ctx, accountA, app1, "example.com")
		f.check(err)
		wantEqual(t, "domain association", got, d)
	}},
	{"VersionConflict", func(t *testing.T, f *fixture) {
		f.domain(f.app(accountA, app1), "example.com")
		checkVersionConflict(t, domainVersions(f, accountA, app1, "example.com"), "Domain association example.com was changed concurrently")
	}},
	{"ConcurrentUpdates", func(t *testing.T, f *fixture) {
		f.domain(f.app(accountA, app1), "example.com")
		checkConcurrentUpdates(t, domainVersions(f, accountA, app1, "example.com"))
	}},
	{"CreateTaken", func(t *testing.T, f *fixture) {
		d := f.domain(f.app(accountA, app1), "example.com")
		wantCode(t, f.s.CreateDomainAssociation(f.ctx, sampleDomain(accountA, app1, "example.com")), pier.ECONFLICT)
		got, err := f.s.GetDomainAssociation(f.ctx, accountA, app1, "example.com")
		f.check(err)
		wantEqual(t, "domain association", got, d)
	}},
	{"CreateUnknownApp", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		wantCode(t, f.s.CreateDomainAssociation(f.ctx, sampleDomain(accountA, app2, "example.com")), pier.ENOTFOUND)
		wantCode(t, f.s.CreateDomainAssociation(f.ctx, sampleDomain(accountB, app1, "example.com")), pier.ENOTFOUND)
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		f.domain(f.app(accountA, app1), "example.com")
		_, err := f.s.GetDomainAssociation(f.ctx, accountA, app1, "example.org")
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetDomainAssociation(f.ctx, accountA, app2, "example.com")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateDomainAssociation(f.ctx, sampleDomain(accountA, app1, "example.org")), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteDomainAssociation(f.ctx, accountA, app1, "example.org"), pier.ENOTFOUND)
	}},
	{"OtherAccount", func(t *testing.T, f *fixture) {
		d := f.domain(f.app(accountA, app1), "example.com")
		_, err := f.s.GetDomainAssociation(f.ctx, accountB, app1, "example.com")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateDomainAssociation(f.ctx, sampleDomain(accountB, app1, "example.com")), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteDomainAssociation(f.ctx, accountB, app1, "example.com"), pier.ENOTFOUND)
		_, _, err = f.s.ListDomainAssociations(f.ctx, accountB, app1, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.GetDomainAssociation(f.ctx, accountA, app1, "example.com")
		f.check(err)
		wantEqual(t, "domain association", got, d)
	}},
	{"FindAcrossAccounts", func(t *testing.T, f *fixture) {
		d := f.domain(f.app(accountB, app2), "example.com")
		f.domain(f.app(accountA, app1), "example.org")
		got, err := f.s.FindDomainAssociation(f.ctx, "example.com")
		f.check(err)
		wantEqual(t, "domain association", got, d)
		_, err = f.s.FindDomainAssociation(f.ctx, "www.example.com")
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"NameUniqueAcrossAccounts", func(t *testing.T, f *fixture) {
		d := f.domain(f.app(accountA, app1), "example.com")
		f.app(accountB, app2)
		f.app(accountA, app3)
		wantCode(t, f.s.CreateDomainAssociation(f.ctx, sampleDomain(accountB, app2, "example.com")), pier.ECONFLICT)
		wantCode(t, f.s.CreateDomainAssociation(f.ctx, sampleDomain(accountA, app3, "example.com")), pier.ECONFLICT)
		got, err := f.s.FindDomainAssociation(f.ctx, "example.com")
		f.check(err)
		wantEqual(t, "domain association", got, d)
		// Once deleted, the name is free for another app.
		f.check(f.s.DeleteDomainAssociation(f.ctx, accountA, app1, "example.com"))
		f.check(f.s.CreateDomainAssociation(f.ctx, sampleDomain(accountB, app2, "example.com")))
	}},
	{"ListAll", func(t *testing.T, f *fixture) {
		a, b := f.app(accountA, app1), f.app(accountB, app2)
		var names []string
		for i, name := range []string{"e.example", "d.example", "c.example", "b.example", "a.example"} {
			if i%2 == 0 {
				f.domain(a, name)
			} else {
				f.domain(b, name)
			}
			names = append(names, name)
		}
		checkPages(t, names, domainKey, func(p pier.Page) ([]*pier.DomainAssociation, string, error) {
			return f.s.ListAllDomainAssociations(f.ctx, p)
		})
		got, _, err := f.s.ListAllDomainAssociations(f.ctx, pier.Page{Limit: 1})
		f.check(err)
		wantEqual(t, "first association", got[0], func() *pier.DomainAssociation {
			d, err := f.s.GetDomainAssociation(f.ctx, accountA, app1, "e.example")
			f.check(err)
			return d
		}())
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.domain(a, "example.com")
		kept := f.domain(a, "example.org")
		f.check(f.s.DeleteDomainAssociation(f.ctx, accountA, app1, "example.com"))
		_, err := f.s.GetDomainAssociation(f.ctx, accountA, app1, "example.com")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteDomainAssociation(f.ctx, accountA, app1, "example.com"), pier.ENOTFOUND)
		domains, _, err := f.s.ListDomainAssociations(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "domain associations", domains, []*pier.DomainAssociation{kept})
	}},
	{"List", func(t *testing.T, f *fixture) {
		a, other := f.app(accountA, app1), f.app(accountA, app2)
		domains, next, err := f.s.ListDomainAssociations(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		if len(domains) != 0 || next != "" {
			t.Fatalf("ListDomainAssociations of a new app = %d domains, cursor %q", len(domains), next)
		}
		z := f.domain(a, "z.example")
		f.domain(other, "o.example")
		m := f.domain(a, "m.example")
		domains, next, err = f.s.ListDomainAssociations(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "domain associations", domains, []*pier.DomainAssociation{z, m})
		if next != "" {
			t.Errorf("cursor after the last domain = %q, want empty", next)
		}
		_, _, err = f.s.ListDomainAssociations(f.ctx, accountA, app3, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"Pages", func(t *testing.T, f *fixture) {
		a, other := f.app(accountA, app1), f.app(accountA, app2)
		names := []string{"e.example", "d.example", "c.example", "b.example", "a.example"}
		for _, name := range names {
			f.domain(a, name)
			f.domain(other, "other-"+name)
		}
		checkPages(t, names, domainKey, func(p pier.Page) ([]*pier.DomainAssociation, string, error) {
			return f.s.ListDomainAssociations(f.ctx, accountA, app1, p)
		})
	}},
}
