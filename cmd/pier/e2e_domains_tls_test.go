package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
	"github.com/pier-hosting/pier/dnscheck/dnstest"
	"github.com/pier-hosting/pier/internal/acmetest"
)

// TestDomainHTTPS is issue 7's whole path with no fake: a custom domain with
// two prefixes waits for the DNS records Pier asks for (a real DNS server),
// then gets certificates from Pebble through the edge's HTTP-01 answers,
// turns AVAILABLE and is served over HTTPS with SNI for both names, and
// its requests show up in GenerateAccessLogs. A CUSTOM domain goes the same
// way with an imported certificate, and one whose certificate does not
// cover it fails.
func TestDomainHTTPS(t *testing.T) {
	ca, challenges := startACME(t)
	dns := dnstest.Start(t)
	s := startServerWith(t, t.TempDir(), fixedCredentials, nil, "--https-addr", "127.0.0.1:0",
		"--acme-directory", ca.DirectoryURL, "--acme-ca-root", ca.DirectoryRootFile,
		"--dns-resolver", dns.Addr, "--domain-check-interval", "50ms", "--build-isolation", "none")
	challenges.to(s.EdgeURL)
	traceEnv(t, testAccessKeyID, testSecretKey)
	ctx := t.Context()
	appID := newSite(t, s, "tls")
	createBranch(t, s.client, appID, "dev")
	s.deploy(t, appID, files{"index.html": "main site"})
	s.deployBranch(t, appID, "dev", files{"index.html": "dev site"})
	target := strings.ToLower(appID) + ".localhost"
	dns.Set(t, target+". 60 IN A 127.0.0.1")

	out, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
		AppId: aws.String(appID), DomainName: aws.String("example.com"),
		SubDomainSettings: []types.SubDomainSetting{
			{Prefix: aws.String("www"), BranchName: aws.String("main")},
			{Prefix: aws.String(""), BranchName: aws.String("dev")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitDomain(t, s, appID, "example.com", "PENDING_VERIFICATION", domainStatus(types.DomainStatusPendingVerification))
	for q, deadline := dns.Queries(), time.Now().Add(domainWait); dns.Queries() < q+6; {
		if time.Now().After(deadline) {
			t.Fatal("Pier stopped asking the DNS server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := getDomain(t, s, appID, "example.com"); d.DomainStatus != types.DomainStatusPendingVerification || ca.Issued() != 0 {
		t.Fatalf("without DNS records: %s, %d certificates issued", d.DomainStatus, ca.Issued())
	}
	name, cnameTarget, _ := strings.Cut(aws.ToString(out.DomainAssociation.CertificateVerificationDNSRecord), " CNAME ")
	dns.Set(t, name+" 60 IN CNAME "+cnameTarget)
	waitDomain(t, s, appID, "example.com", "AWAITING_APP_CNAME", domainStatus(types.DomainStatusAwaitingAppCname))
	dns.Set(t, "www.example.com. 60 IN CNAME "+target+".")
	dns.Set(t, "example.com. 60 IN A 127.0.0.1")
	d := waitDomain(t, s, appID, "example.com", "AVAILABLE", domainStatus(types.DomainStatusAvailable))
	if got := subDomainSummary(d.SubDomains); !slices.Equal(got, []string{"www→main www CNAME " + target + " true", "→dev  CNAME " + target + " true"}) {
		t.Errorf("subdomains when AVAILABLE: %q", got)
	}

	https := strings.TrimPrefix(s.HTTPSURL, "https://")
	for host, want := range map[string]string{"www.example.com": "main site", "example.com": "dev site"} {
		resp, body := httpsGet(t, https, host, ca.Roots)
		if resp.StatusCode != http.StatusOK || body != want {
			t.Errorf("https://%s/: %d %q, want 200 %q", host, resp.StatusCode, body, want)
		}
		if got := resp.TLS.PeerCertificates[0].DNSNames; !slices.Equal(got, []string{host}) {
			t.Errorf("https://%s/: certificate for %v", host, got)
		}
	}
	rows := waitAccessLogRows(t, s, appID, "example.com", 2)
	for _, r := range rows {
		if r["cs-protocol"] != "https" || !strings.HasPrefix(r["ssl-protocol"], "TLS") || r["sc-status"] != "200" {
			t.Errorf("access log row of an HTTPS request: %v", r)
		}
	}

	t.Run("custom certificate", func(t *testing.T) {
		dir := t.TempDir()
		pki := newE2EPKI(t)
		now := time.Now()
		cert, key := pki.leaf(t, []string{"shop.example.org", "*.shop.example.org"}, now.Add(-time.Hour), now.Add(24*time.Hour))
		os.WriteFile(filepath.Join(dir, "shop.pem"), cert, 0o600)
		os.WriteFile(filepath.Join(dir, "shop.key"), key, 0o600)
		var printed strings.Builder
		if err := run(ctx, []string{"certs", "import", filepath.Join(dir, "shop.pem"), filepath.Join(dir, "shop.key"), "--endpoint", s.APIURL}, &printed, os.Getenv); err != nil {
			t.Fatalf("pier certs import: %v", err)
		}
		arn := strings.TrimSpace(printed.String())
		custom := &types.CertificateSettings{Type: types.CertificateTypeCustom, CustomCertificateArn: aws.String(arn)}
		for domain, prefix := range map[string]string{"shop.example.org": "www", "example.net": "www"} {
			if _, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
				AppId: aws.String(appID), DomainName: aws.String(domain), CertificateSettings: custom,
				SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String(prefix), BranchName: aws.String("main")}},
			}); err != nil {
				t.Fatal(err)
			}
			dns.Set(t, prefix+"."+domain+". 60 IN CNAME "+target+".")
		}
		d := waitDomain(t, s, appID, "example.net", "FAILED", domainStatus(types.DomainStatusFailed))
		if !strings.Contains(aws.ToString(d.StatusReason), "www.example.net") {
			t.Errorf("a certificate that does not cover www.example.net: FAILED %q", aws.ToString(d.StatusReason))
		}
		waitDomain(t, s, appID, "shop.example.org", "AVAILABLE", domainStatus(types.DomainStatusAvailable))
		resp, body := httpsGet(t, https, "www.shop.example.org", pki.pool)
		if body != "main site" || !slices.Equal(resp.TLS.PeerCertificates[0].DNSNames, []string{"shop.example.org", "*.shop.example.org"}) {
			t.Errorf("https://www.shop.example.org/: %q with a certificate for %v", body, resp.TLS.PeerCertificates[0].DNSNames)
		}
	})
}

// startACME starts Pebble, whose HTTP-01 requests go to a port of the test
// that forwards them to the edge given to the returned forwarder's to. (A
// port reserved, closed and handed to the server could be taken meanwhile.)
func startACME(t *testing.T) (*acmetest.CA, *forwarder) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarder{ln: ln, target: make(chan string, 1)}
	t.Cleanup(func() { ln.Close() })
	go f.serve()
	return acmetest.Start(t, ln.Addr().(*net.TCPAddr).Port), f
}

// forwarder copies the connections it accepts to one address.
type forwarder struct {
	ln     net.Listener
	target chan string
}

// to sets the address (or http:// URL) connections go to.
func (f *forwarder) to(addr string) { f.target <- strings.TrimPrefix(addr, "http://") }

func (f *forwarder) serve() {
	addr := <-f.target
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer up.Close()
			go io.Copy(up, c)
			io.Copy(c, up)
		}()
	}
}

// httpsGet gets https://host/ from the HTTPS address addr with SNI host,
// trusting roots.
func httpsGet(t *testing.T, addr, host string, roots *x509.CertPool) (*http.Response, string) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	resp, err := client.Get("https://" + host + "/")
	if err != nil {
		t.Fatalf("https://%s/: %v", host, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// waitAccessLogRows waits until GenerateAccessLogs of domain holds n rows
// (the edge flushes its records every second) and returns them.
func waitAccessLogRows(t *testing.T, s *testServer, appID, domain string, n int) []map[string]string {
	t.Helper()
	deadline := time.Now().Add(domainWait)
	for {
		rows := accessLogRows(t, s, &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(domain)})
		if len(rows) >= n || time.Now().After(deadline) {
			if len(rows) != n {
				t.Fatalf("GenerateAccessLogs(%s): %d rows, want %d: %v", domain, len(rows), n, rows)
			}
			return rows
		}
		time.Sleep(100 * time.Millisecond)
	}
}
