package pier_test

import (
	"slices"
	"testing"

	"github.com/pier-hosting/pier"
)

func TestDomainCandidates(t *testing.T) {
	for host, want := range map[string][]string{
		"a.b.example.com": {"a.b.example.com", "b.example.com", "example.com"},
		"example.com":     {"example.com"},
		"localhost":       {"localhost"},
	} {
		if got := pier.DomainCandidates(host); !slices.Equal(got, want) {
			t.Errorf("DomainCandidates(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestSubDomainFor(t *testing.T) {
	d := &pier.DomainAssociation{DomainName: "example.com", SubDomains: []pier.SubDomain{
		{Prefix: "", BranchName: "main"}, {Prefix: "www", BranchName: "main"},
		{Prefix: "dev", BranchName: "dev"}, {Prefix: "*", BranchName: "any"},
	}}
	for _, tc := range []struct{ host, branch string }{
		{"example.com", "main"}, {"www.example.com", "main"}, {"dev.example.com", "dev"},
		{"x.example.com", "any"}, {"a.b.example.com", ""}, {"example.org", ""}, {"badexample.com", ""},
	} {
		sd, ok := d.SubDomainFor(tc.host)
		if ok != (tc.branch != "") || sd.BranchName != tc.branch {
			t.Errorf("SubDomainFor(%q) = %q, %v; want %q", tc.host, sd.BranchName, ok, tc.branch)
		}
	}
}
