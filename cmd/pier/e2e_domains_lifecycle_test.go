package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/dnscheck/dnstest"
)

// recordingCerts is a pier.Certificates that issues nothing and records
// what it is asked; the certs package with Pebble replaces it in the TLS
// test.
type recordingCerts struct {
	mu       sync.Mutex
	issued   [][]string
	released []string
}

func (c *recordingCerts) Issue(ctx context.Context, names []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.issued = append(c.issued, slices.Clone(names))
	return nil
}

func (c *recordingCerts) CheckCustom(ctx context.Context, account, arn string, names []string) error {
	return pier.Errorf(pier.ENOTFOUND, "Certificate %s not found.", arn)
}

func (c *recordingCerts) Release(ctx context.Context, names []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.released = append(c.released, names...)
	return nil
}

func (c *recordingCerts) snapshot() ([][]string, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.issued), slices.Clone(c.released)
}

// domainWait bounds how long a test waits for the checker.
const domainWait = 30 * time.Second

func getDomain(t *testing.T, s *testServer, appID, domain string) *types.DomainAssociation {
	t.Helper()
	out, err := s.client.GetDomainAssociation(t.Context(), &amplify.GetDomainAssociationInput{AppId: aws.String(appID), DomainName: aws.String(domain)})
	if err != nil {
		t.Fatal(err)
	}
	return out.DomainAssociation
}

func domainStatus(st types.DomainStatus) func(*types.DomainAssociation) bool {
	return func(d *types.DomainAssociation) bool { return d.DomainStatus == st }
}

// waitDomain polls the association until ok accepts it.
func waitDomain(t *testing.T, s *testServer, appID, domain, what string, ok func(*types.DomainAssociation) bool) *types.DomainAssociation {
	t.Helper()
	deadline := time.Now().Add(domainWait)
	for {
		d := getDomain(t, s, appID, domain)
		if ok(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s of %s: still %s/%s %q %q", what, domain, d.DomainStatus, d.UpdateStatus, subDomainSummary(d.SubDomains), aws.ToString(d.StatusReason))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDomainLifecycleDNS drives a custom domain from CREATING to AVAILABLE
// with a real DNS server answering Pier's checks, then serves its hosts
// from their branches, refuses its hosts to other apps, and adds and
// removes automatic subdomains with branches.
func TestDomainLifecycleDNS(t *testing.T) {
	t.Parallel()
	dns := dnstest.Start(t)
	certs := &recordingCerts{}
	s := startServerWith(t, t.TempDir(), fixedCredentials, func(m *Main) { m.Certificates = certs },
		"--dns-resolver", dns.Addr, "--domain-check-interval", "50ms", "--build-isolation", "none")
	ctx := t.Context()
	appID := newSite(t, s, "custom-domain")
	createBranch(t, s.client, appID, "dev")
	s.deploy(t, appID, files{"index.html": "main site"})
	s.deployBranch(t, appID, "dev", files{"index.html": "dev site"})
	target := strings.ToLower(appID) + ".localhost"
	dns.Set(t, target+". 60 IN A 127.0.0.1")

	out, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
		AppId: aws.String(appID), DomainName: aws.String("example.com"),
		SubDomainSettings: []types.SubDomainSetting{
			{Prefix: aws.String("www"), BranchName: aws.String("main")},
			{Prefix: aws.String("dev"), BranchName: aws.String("dev")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := aws.ToString(out.DomainAssociation.CertificateVerificationDNSRecord)
	if !strings.Contains(rec, ". CNAME ") {
		t.Fatalf("certificateVerificationDNSRecord = %q", rec)
	}
	// Without records, the association waits for the verification CNAME,
	// however many checks run.
	waitDomain(t, s, appID, "example.com", "PENDING_VERIFICATION", domainStatus(types.DomainStatusPendingVerification))
	for q, deadline := dns.Queries(), time.Now().Add(domainWait); dns.Queries() < q+10; {
		if time.Now().After(deadline) {
			t.Fatalf("Pier asked the DNS server %d questions in %v, want 10 checks' worth", dns.Queries()-q, domainWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := getDomain(t, s, appID, "example.com"); d.DomainStatus != types.DomainStatusPendingVerification {
		t.Fatalf("without DNS records: %s", d.DomainStatus)
	}
	name, cnameTarget, _ := strings.Cut(rec, " CNAME ")
	dns.Set(t, name+" 60 IN CNAME "+cnameTarget)
	d := waitDomain(t, s, appID, "example.com", "AWAITING_APP_CNAME", domainStatus(types.DomainStatusAwaitingAppCname))
	if got := subDomainSummary(d.SubDomains); !slices.Equal(got, []string{"www→main www CNAME " + target + " false", "dev→dev dev CNAME " + target + " false"}) {
		t.Errorf("subdomains awaiting CNAMEs: %q", got)
	}
	dns.Set(t, "www.example.com. 60 IN CNAME "+target+".")
	d = waitDomain(t, s, appID, "example.com", "www verified", func(d *types.DomainAssociation) bool { return aws.ToBool(d.SubDomains[0].Verified) })
	if d.DomainStatus != types.DomainStatusAwaitingAppCname || aws.ToBool(d.SubDomains[1].Verified) {
		t.Errorf("with only www's CNAME: %s %q", d.DomainStatus, subDomainSummary(d.SubDomains))
	}
	dns.Set(t, "dev.example.com. 60 IN CNAME "+target+".")
	d = waitDomain(t, s, appID, "example.com", "AVAILABLE", domainStatus(types.DomainStatusAvailable))
	if got := subDomainSummary(d.SubDomains); !slices.Equal(got, []string{"www→main www CNAME " + target + " true", "dev→dev dev CNAME " + target + " true"}) {
		t.Errorf("subdomains when AVAILABLE: %q", got)
	}
	if issued, _ := certs.snapshot(); len(issued) != 1 || !slices.Equal(issued[0], []string{"www.example.com", "dev.example.com"}) {
		t.Errorf("certificates issued for %q, want [[www.example.com dev.example.com]]", issued)
	}

	t.Run("hosts served from their branches", func(t *testing.T) {
		for host, want := range map[string]string{"www.example.com": "main site", "DEV.example.com:80": "dev site"} {
			status, body := edgeHost(t, s.EdgeURL, host, "/")
			if status != http.StatusOK || body != want {
				t.Errorf("%s: %d %q, want 200 %q", host, status, body, want)
			}
		}
		if status, _ := edgeHost(t, s.EdgeURL, "shop.example.com", "/"); status != http.StatusNotFound {
			t.Errorf("shop.example.com: %d, want 404", status)
		}
	})

	t.Run("domain-source redirect", func(t *testing.T) {
		if _, err := s.client.UpdateDomainAssociation(ctx, &amplify.UpdateDomainAssociationInput{
			AppId: aws.String(appID), DomainName: aws.String("example.com"),
			SubDomainSettings: []types.SubDomainSetting{
				{Prefix: aws.String("www"), BranchName: aws.String("main")},
				{Prefix: aws.String("dev"), BranchName: aws.String("dev")},
				{Prefix: aws.String(""), BranchName: aws.String("main")},
			},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: aws.String(appID), CustomRules: []types.CustomRule{
			{Source: aws.String("https://example.com"), Target: aws.String("https://www.example.com"), Status: aws.String("301")},
		}}); err != nil {
			t.Fatal(err)
		}
		resp := edgeRequest(t, s.EdgeURL, "example.com", "/")
		if resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(resp.Header.Get("Location"), "https://www.example.com") {
			t.Errorf("example.com: %d Location %q, want 301 to https://www.example.com", resp.StatusCode, resp.Header.Get("Location"))
		}
		// The apex is new: the update waits for its address, domainStatus
		// staying AVAILABLE.
		d := getDomain(t, s, appID, "example.com")
		if d.DomainStatus != types.DomainStatusAvailable || d.UpdateStatus == "" {
			t.Errorf("after adding the apex: %s/%s", d.DomainStatus, d.UpdateStatus)
		}
		dns.Set(t, "example.com. 60 IN A 127.0.0.1")
		waitDomain(t, s, appID, "example.com", "UPDATE_COMPLETE", func(d *types.DomainAssociation) bool { return d.UpdateStatus == types.UpdateStatusUpdateComplete })
	})

	t.Run("hosts belong to one app", func(t *testing.T) {
		other := s.newAccount(t, "444444444444")
		otherApp := createApp(t, other, "thief")
		createBranch(t, other, *otherApp.AppId, "main")
		for _, in := range []*amplify.CreateDomainAssociationInput{
			{DomainName: aws.String("example.com"), SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("shop"), BranchName: aws.String("main")}}},
			{DomainName: aws.String("www.example.com"), SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String(""), BranchName: aws.String("main")}}},
		} {
			in.AppId = otherApp.AppId
			_, err := other.CreateDomainAssociation(ctx, in)
			e := wantError[*types.BadRequestException](t, err)
			if !strings.Contains(aws.ToString(e.Message), "example.com") {
				t.Errorf("message %q does not name the host", aws.ToString(e.Message))
			}
		}
		// Another app of the same account neither.
		sibling := createApp(t, s.client, "sibling")
		createBranch(t, s.client, *sibling.AppId, "main")
		_, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
			AppId: sibling.AppId, DomainName: aws.String("dev.example.com"),
			SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String(""), BranchName: aws.String("main")}},
		})
		wantError[*types.BadRequestException](t, err)
	})

	t.Run("automatic subdomains follow branches", func(t *testing.T) {
		if _, err := s.client.UpdateDomainAssociation(ctx, &amplify.UpdateDomainAssociationInput{
			AppId: aws.String(appID), DomainName: aws.String("example.com"),
			EnableAutoSubDomain: aws.Bool(true), AutoSubDomainCreationPatterns: []string{"feature/*"},
		}); err != nil {
			t.Fatal(err)
		}
		prefixes := func() []string {
			var out []string
			for _, sd := range getDomain(t, s, appID, "example.com").SubDomains {
				out = append(out, aws.ToString(sd.SubDomainSetting.Prefix)+"→"+aws.ToString(sd.SubDomainSetting.BranchName))
			}
			return out
		}
		createBranch(t, s.client, appID, "feature/Login")
		createBranch(t, s.client, appID, "hotfix")
		want := []string{"www→main", "dev→dev", "→main", "feature-login→feature/Login"}
		if got := prefixes(); !slices.Equal(got, want) {
			t.Errorf("subdomains after creating branches: %q, want %q", got, want)
		}
		if got := customDomains(t, s.client, appID, "feature/Login"); !slices.Equal(got, []string{"feature-login.example.com"}) {
			t.Errorf("customDomains of feature/Login: %q", got)
		}
		// A wildcard CNAME verifies it.
		dns.Set(t, "*.example.com. 60 IN CNAME "+target+".")
		waitDomain(t, s, appID, "example.com", "the automatic subdomain verified", func(d *types.DomainAssociation) bool {
			return d.UpdateStatus == types.UpdateStatusUpdateComplete && aws.ToBool(d.SubDomains[3].Verified)
		})
		if _, err := s.client.DeleteBranch(ctx, &amplify.DeleteBranchInput{AppId: aws.String(appID), BranchName: aws.String("feature/Login")}); err != nil {
			t.Fatal(err)
		}
		if got := prefixes(); !slices.Equal(got, want[:3]) {
			t.Errorf("subdomains after deleting the branch: %q, want %q", got, want[:3])
		}
		if _, released := certs.snapshot(); !slices.Contains(released, "feature-login.example.com") {
			t.Errorf("released %q, want feature-login.example.com among them", released)
		}
	})

	t.Run("delete releases and stops serving", func(t *testing.T) {
		if _, err := s.client.DeleteDomainAssociation(ctx, &amplify.DeleteDomainAssociationInput{AppId: aws.String(appID), DomainName: aws.String("example.com")}); err != nil {
			t.Fatal(err)
		}
		if status, _ := edgeHost(t, s.EdgeURL, "www.example.com", "/"); status != http.StatusNotFound {
			t.Errorf("www.example.com after the delete: %d, want 404", status)
		}
		if _, released := certs.snapshot(); !slices.Contains(released, "www.example.com") {
			t.Errorf("released %q, want www.example.com among them", released)
		}
	})
}

// deployBranch deploys site as a zip on branch and waits for its job.
func (s *testServer) deployBranch(t *testing.T, appID, branch string, site files) {
	t.Helper()
	ctx := t.Context()
	created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: aws.String(branch)})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, aws.ToString(created.ZipUploadUrl), zipOf(t, site))
	if _, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: aws.String(branch), JobId: created.JobId}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(jobTimeout)
	for {
		out, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: aws.String(appID), BranchName: aws.String(branch), JobId: created.JobId})
		if err != nil {
			t.Fatal(err)
		}
		switch out.Job.Summary.Status {
		case types.JobStatusSucceed:
			return
		case types.JobStatusFailed, types.JobStatusCancelled:
			t.Fatalf("deployment of %s: %s", branch, out.Job.Summary.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment of %s still %s", branch, out.Job.Summary.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// edgeRequest sends GET path to the edge with Host host, without following
// redirects.
func edgeRequest(t *testing.T, edgeURL, host, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, edgeURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := edgeClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// edgeHost returns the status and body of GET path with Host host.
func edgeHost(t *testing.T, edgeURL, host, path string) (int, string) {
	t.Helper()
	resp := edgeRequest(t, edgeURL, host, path)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
