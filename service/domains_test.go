package service

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// fakeDNS answers from maps the test fills.
type fakeDNS struct {
	mu      sync.Mutex
	cnames  map[string]string
	addrs   map[string][]netip.Addr
	failing bool
	queries int
}

func newFakeDNS() *fakeDNS {
	return &fakeDNS{cnames: map[string]string{}, addrs: map[string][]netip.Addr{}}
}

func (f *fakeDNS) CNAMEs(ctx context.Context, name string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries++
	if f.failing {
		return nil, fmt.Errorf("resolver down")
	}
	var chain []string
	for next, ok := f.cnames[name]; ok && len(chain) < 8; next, ok = f.cnames[next] {
		chain = append(chain, next)
	}
	return chain, nil
}

func (f *fakeDNS) Addrs(ctx context.Context, name string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries++
	if f.failing {
		return nil, fmt.Errorf("resolver down")
	}
	for next, ok := f.cnames[name]; ok; next, ok = f.cnames[next] {
		name = next
	}
	return f.addrs[name], nil
}

func (f *fakeDNS) cname(name, target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cnames[name] = target
}

func (f *fakeDNS) addr(name string, addrs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range addrs {
		f.addrs[name] = append(f.addrs[name], netip.MustParseAddr(a))
	}
}

func (f *fakeDNS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries
}

// fakeCerts records the calls of a pier.Certificates and fails them as told.
type fakeCerts struct {
	mu          sync.Mutex
	issued      [][]string
	released    []string
	checked     []string
	issueErr    error
	checkErr    error
	issueCalled int
}

var _ pier.Certificates = (*fakeCerts)(nil)

func (c *fakeCerts) Issue(ctx context.Context, names []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.issueCalled++
	if c.issueErr != nil {
		return c.issueErr
	}
	c.issued = append(c.issued, slices.Clone(names))
	return nil
}

func (c *fakeCerts) CheckCustom(ctx context.Context, account, arn string, names []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked = append(c.checked, arn+" "+strings.Join(names, ","))
	return c.checkErr
}

func (c *fakeCerts) Release(ctx context.Context, names []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.released = append(c.released, names...)
	return nil
}

const (
	domAccount = "111111111111"
	domOther   = "222222222222"
	domApp     = "d1domains"
	domApp2    = "d2domains"
	domBase    = "pier.test"
)

// domainFixture is a service over SQLite with a fake clock, DNS and
// certificate manager.
type domainFixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *Service
	store pier.Store
	dns   *fakeDNS
	certs *fakeCerts

	mu  sync.Mutex
	now time.Time
}

func newDomainFixture(t *testing.T, certs *fakeCerts) *domainFixture {
	t.Helper()
	ctx := t.Context()
	store, blobs := openStores(t)
	f := &domainFixture{t: t, ctx: ctx, store: store, dns: newFakeDNS(), certs: certs,
		now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	cfg := Config{Sealer: testSealer(t), BaseDomain: domBase, DNS: f.dns, Now: f.clock}
	if certs != nil {
		cfg.Certificates = certs
	}
	var err error
	if f.svc, err = New(ctx, store, blobs, cfg); err != nil {
		t.Fatal(err)
	}
	for _, acct := range []string{domAccount, domOther} {
		if err := store.CreateAccount(ctx, &pier.Account{ID: acct, CreateTime: f.now}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct{ account, id string }{{domAccount, domApp}, {domOther, domApp2}} {
		if err := store.CreateApp(ctx, &pier.App{AccountID: a.account, ID: a.id, Name: a.id, CreateTime: f.now, UpdateTime: f.now}); err != nil {
			t.Fatal(err)
		}
		for _, b := range []string{"main", "dev"} {
			if _, err := f.svc.CreateBranch(ctx, a.account, a.id, pier.BranchInput{BranchName: &b}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

func (f *domainFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *domainFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// create creates an association of domApp with the given prefix → branch
// pairs ("www=main").
func (f *domainFixture) create(domain string, cert *pier.CertificateSettings, subs ...string) (*pier.DomainAssociation, error) {
	return f.createIn(domAccount, domApp, domain, cert, subs...)
}

func (f *domainFixture) createIn(account, app, domain string, cert *pier.CertificateSettings, subs ...string) (*pier.DomainAssociation, error) {
	in := pier.DomainAssociationInput{DomainName: &domain, SubDomainSettings: settings(subs...), CertificateSettings: cert}
	return f.svc.CreateDomainAssociation(f.ctx, account, app, in)
}

func settings(subs ...string) []pier.SubDomainSetting {
	out := []pier.SubDomainSetting{}
	for _, s := range subs {
		prefix, branch, _ := strings.Cut(s, "=")
		out = append(out, pier.SubDomainSetting{Prefix: prefix, BranchName: branch})
	}
	return out
}

func (f *domainFixture) get(domain string) *pier.DomainAssociation {
	f.t.Helper()
	d, err := f.svc.GetDomainAssociation(f.ctx, domAccount, domApp, domain)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// check runs CheckDomains and returns the association afterwards.
func (f *domainFixture) check(domain string) *pier.DomainAssociation {
	f.t.Helper()
	if err := f.svc.CheckDomains(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	return f.get(domain)
}

// tick lets a check interval pass and runs CheckDomains.
func (f *domainFixture) tick(domain string) *pier.DomainAssociation {
	f.t.Helper()
	f.advance(DefaultDomainCheckInterval)
	return f.check(domain)
}

// state renders what a test compares: status, updateStatus and verified
// flags ("AWAITING_APP_CNAME/ [www:true :false]").
func state(d *pier.DomainAssociation) string {
	var flags []string
	for _, sd := range d.SubDomains {
		flags = append(flags, fmt.Sprintf("%s:%v", sd.Prefix, sd.Verified))
	}
	return d.Status + "/" + d.UpdateStatus + " " + fmt.Sprint(flags)
}

// verify creates d's certificate-verification CNAME.
func (f *domainFixture) verify(d *pier.DomainAssociation) {
	f.dns.cname(f.svc.verificationName(d), f.svc.verificationTarget(d))
}

const appTarget = domApp + "." + domBase

func TestDomainLifecycle(t *testing.T) {
	type step struct {
		do     func(f *domainFixture, d *pier.DomainAssociation)
		want   string // state after CheckDomains
		reason string // substring of statusReason ("" for empty)
	}
	edgeIP := func(f *domainFixture) { f.dns.addr(appTarget, "192.0.2.10", "2001:db8::10") }
	custom := &pier.CertificateSettings{Type: pier.CertificateCustom, CustomCertificateARN: "arn:aws:acm:us-east-1:" + domAccount + ":certificate/c1"}
	for _, tc := range []struct {
		name  string
		certs *fakeCerts
		cert  *pier.CertificateSettings
		steps []step
		check func(t *testing.T, f *domainFixture)
	}{
		{"managed: records one by one", &fakeCerts{}, nil, []step{
			{nil, "PENDING_VERIFICATION/ [www:false :false]", ""},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.verify(d) }, "AWAITING_APP_CNAME/ [www:false :false]", ""},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.dns.cname("www.example.com", appTarget) }, "AWAITING_APP_CNAME/ [www:true :false]", ""},
			{func(f *domainFixture, d *pier.DomainAssociation) {
				edgeIP(f)
				f.dns.addr("example.com", "192.0.2.10") // an ALIAS flattened at the apex
			}, "AVAILABLE/ [www:true :true]", ""},
		}, func(t *testing.T, f *domainFixture) {
			if want := [][]string{{"www.example.com", "example.com"}}; !slicesEqual(f.certs.issued, want) {
				t.Errorf("issued %q, want %q", f.certs.issued, want)
			}
		}},
		{"managed: subdomains first, CNAME chain", &fakeCerts{}, nil, []step{
			{func(f *domainFixture, d *pier.DomainAssociation) {
				f.dns.cname("www.example.com", "hop.example.net")
				f.dns.cname("hop.example.net", appTarget)
				edgeIP(f)
				f.dns.addr("example.com", "192.0.2.10", "2001:db8::10")
			}, "PENDING_VERIFICATION/ [www:true :true]", ""},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.verify(d) }, "AVAILABLE/ [www:true :true]", ""},
		}, nil},
		{"apex with foreign addresses stays unverified", &fakeCerts{}, nil, []step{
			{func(f *domainFixture, d *pier.DomainAssociation) {
				f.verify(d)
				f.dns.cname("www.example.com", appTarget)
				edgeIP(f)
				f.dns.addr("example.com", "192.0.2.10", "198.51.100.7")
			}, "AWAITING_APP_CNAME/ [www:true :false]", ""},
		}, nil},
		{"no CA configured", nil, nil, []step{
			{func(f *domainFixture, d *pier.DomainAssociation) {
				f.verify(d)
				f.dns.cname("www.example.com", appTarget)
				edgeIP(f)
				f.dns.addr("example.com", "192.0.2.10")
			}, "PENDING_DEPLOYMENT/ [www:true :true]", "no ACME CA configured"},
		}, nil},
		{"issue fails until it gives up", &fakeCerts{issueErr: pier.Errorf(pier.EDEPENDENCY, "rate limited")}, nil, []step{
			{func(f *domainFixture, d *pier.DomainAssociation) {
				f.verify(d)
				f.dns.cname("www.example.com", appTarget)
				edgeIP(f)
				f.dns.addr("example.com", "192.0.2.10")
			}, "PENDING_DEPLOYMENT/ [www:true :true]", "rate limited"},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(time.Hour) }, "PENDING_DEPLOYMENT/ [www:true :true]", "rate limited"},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(time.Hour) }, "PENDING_DEPLOYMENT/ [www:true :true]", "rate limited"},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(time.Hour) }, "PENDING_DEPLOYMENT/ [www:true :true]", "rate limited"},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(time.Hour) }, "FAILED/ [www:true :true]", "rate limited"},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(time.Hour) }, "FAILED/ [www:true :true]", "rate limited"},
		}, func(t *testing.T, f *domainFixture) {
			if f.certs.issueCalled != DefaultDomainIssueAttempts {
				t.Errorf("Issue called %d times, want %d", f.certs.issueCalled, DefaultDomainIssueAttempts)
			}
		}},
		{"records never appear", &fakeCerts{}, nil, []step{
			{func(f *domainFixture, d *pier.DomainAssociation) { f.verify(d) }, "AWAITING_APP_CNAME/ [www:false :false]", ""},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(71 * time.Hour) }, "AWAITING_APP_CNAME/ [www:false :false]", ""},
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(time.Hour) }, "FAILED/ [www:false :false]", "www CNAME " + appTarget},
		}, nil},
		{"verification never appears", &fakeCerts{}, nil, []step{
			{func(f *domainFixture, d *pier.DomainAssociation) { f.advance(72 * time.Hour) }, "FAILED/ [www:false :false]", "certificate verification record"},
		}, nil},
		{"resolver down", &fakeCerts{}, nil, []step{
			{func(f *domainFixture, d *pier.DomainAssociation) { f.dns.failing = true }, "PENDING_VERIFICATION/ [www:false :false]", "did not answer"},
		}, nil},
		{"custom certificate", &fakeCerts{}, custom, []step{
			{nil, "AWAITING_APP_CNAME/ [www:false :false]", ""},
			{func(f *domainFixture, d *pier.DomainAssociation) {
				f.dns.cname("www.example.com", appTarget)
				edgeIP(f)
				f.dns.addr("example.com", "2001:db8::10")
			}, "AVAILABLE/ [www:true :true]", ""},
		}, func(t *testing.T, f *domainFixture) {
			if len(f.certs.issued) != 0 {
				t.Errorf("Issue called for a custom certificate: %q", f.certs.issued)
			}
			if want := []string{custom.CustomCertificateARN + " www.example.com,example.com"}; !slices.Equal(f.certs.checked, want) {
				t.Errorf("CheckCustom calls %q, want %q", f.certs.checked, want)
			}
		}},
		{"custom certificate refused", &fakeCerts{checkErr: pier.Errorf(pier.EINVALID, "it does not cover www.example.com")}, custom, []step{
			{nil, "FAILED/ [www:false :false]", "does not cover www.example.com"},
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDomainFixture(t, tc.certs)
			d, err := f.create("example.com", tc.cert, "www=main", "=main")
			if err != nil {
				t.Fatal(err)
			}
			if got := state(d); got != "CREATING/ [www:false :false]" {
				t.Errorf("after create: %s", got)
			}
			for i, st := range tc.steps {
				if st.do != nil {
					st.do(f, d)
				}
				got := f.tick("example.com")
				if state(got) != st.want {
					t.Errorf("step %d: %s, want %s", i, state(got), st.want)
				}
				if st.reason == "" && got.StatusReason != "" || !strings.Contains(got.StatusReason, st.reason) {
					t.Errorf("step %d: statusReason %q, want %q", i, got.StatusReason, st.reason)
				}
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func slicesEqual(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// TestDomainUpdate checks that adding a host to an AVAILABLE association
// reports the new round in updateStatus while domainStatus stays AVAILABLE,
// and that removing one releases its certificate.
func TestDomainUpdate(t *testing.T) {
	f := newDomainFixture(t, &fakeCerts{})
	d, err := f.create("example.com", nil, "www=main")
	if err != nil {
		t.Fatal(err)
	}
	f.verify(d)
	f.dns.cname("www.example.com", appTarget)
	if got := state(f.tick("example.com")); got != "AVAILABLE/ [www:true]" {
		t.Fatalf("before the update: %s", got)
	}
	upd, err := f.svc.UpdateDomainAssociation(f.ctx, domAccount, domApp, "example.com", pier.DomainAssociationInput{SubDomainSettings: settings("www=main", "dev=dev")})
	if err != nil {
		t.Fatal(err)
	}
	if got := state(upd); got != "AVAILABLE/AWAITING_APP_CNAME [www:true dev:false]" {
		t.Errorf("after the update: %s", got)
	}
	if got := state(f.tick("example.com")); got != "AVAILABLE/AWAITING_APP_CNAME [www:true dev:false]" {
		t.Errorf("before dev's CNAME: %s", got)
	}
	f.dns.cname("dev.example.com", appTarget)
	if got := state(f.tick("example.com")); got != "AVAILABLE/UPDATE_COMPLETE [www:true dev:true]" {
		t.Errorf("after dev's CNAME: %s", got)
	}
	if _, err := f.svc.UpdateDomainAssociation(f.ctx, domAccount, domApp, "example.com", pier.DomainAssociationInput{SubDomainSettings: settings("dev=dev")}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.certs.released, []string{"www.example.com"}) {
		t.Errorf("released %q, want [www.example.com]", f.certs.released)
	}
	if got := f.get("example.com").IssuedNames; !slices.Equal(got, []string{"dev.example.com"}) {
		t.Errorf("issued names after removing www: %q", got)
	}
	if _, err := f.svc.DeleteDomainAssociation(f.ctx, domAccount, domApp, "example.com"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.certs.released, []string{"www.example.com", "dev.example.com"}) {
		t.Errorf("released %q after the delete", f.certs.released)
	}
	// Deleting the app releases its associations' certificates.
	d, err = f.create("example.net", nil, "www=main")
	if err != nil {
		t.Fatal(err)
	}
	f.verify(d)
	f.dns.cname("www.example.net", appTarget)
	if got := state(f.tick("example.net")); got != "AVAILABLE/ [www:true]" {
		t.Fatalf("example.net: %s", got)
	}
	if _, err := f.svc.DeleteApp(f.ctx, domAccount, domApp); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(f.certs.released, "www.example.net") {
		t.Errorf("released %q after deleting the app", f.certs.released)
	}
}

// TestDomainCheckBackoff checks the pace of the checks: every interval for
// the first hour, every 30 minutes after it, none once AVAILABLE.
func TestDomainCheckBackoff(t *testing.T) {
	f := newDomainFixture(t, &fakeCerts{})
	if _, err := f.create("example.com", nil, "www=main"); err != nil {
		t.Fatal(err)
	}
	f.check("example.com")
	for _, st := range []struct {
		advance time.Duration
		checked bool
	}{
		{time.Second, false},
		{DefaultDomainCheckInterval, true},
		{time.Second, false},
		{time.Hour, true},
		{DefaultDomainCheckInterval, false},
		{10 * time.Minute, false},
		{20 * time.Minute, true},
	} {
		before := f.dns.count()
		f.advance(st.advance)
		d := f.check("example.com")
		if checked := f.dns.count() > before; checked != st.checked {
			t.Errorf("after +%v (now %v, next check %v): checked = %v, want %v", st.advance, f.clock(), d.NextCheck, checked, st.checked)
		}
	}
	d := f.get("example.com")
	f.verify(d)
	f.dns.cname("www.example.com", appTarget)
	f.advance(time.Hour)
	if got := f.check("example.com"); got.Status != pier.DomainAvailable || !got.NextCheck.IsZero() {
		t.Fatalf("status %s, next check %v", got.Status, got.NextCheck)
	}
	before := f.dns.count()
	f.advance(24 * time.Hour)
	f.check("example.com")
	if f.dns.count() != before {
		t.Errorf("an AVAILABLE association was checked again")
	}
}

// TestDomainHostConflicts checks that a host belongs to one app across all
// accounts.
func TestDomainHostConflicts(t *testing.T) {
	f := newDomainFixture(t, &fakeCerts{})
	if _, err := f.create("example.com", nil, "www=main", "=main"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		account, app, domain string
		subs                 []string
		want                 string // code, "" for success
		host                 string // named in the message
	}{
		{domOther, domApp2, "example.com", []string{"www=main"}, pier.EINVALID, "example.com"},
		{domOther, domApp2, "EXAMPLE.COM.", []string{"shop=main"}, pier.EINVALID, "example.com"},
		{domOther, domApp2, "www.example.com", []string{"=main"}, pier.EINVALID, "www.example.com"},
		{domAccount, domApp, "www.example.com", []string{"=main"}, pier.EINVALID, "www.example.com"},
		{domOther, domApp2, "www.example.com", []string{"blog=main"}, "", ""}, // blog.www.example.com is free
		{domOther, domApp2, "shop.example.com", []string{"=main"}, "", ""},
		{domOther, domApp2, "example.org", []string{"www=main"}, "", ""},
	} {
		t.Run(tc.account+"/"+tc.domain+"/"+strings.Join(tc.subs, ","), func(t *testing.T) {
			_, err := f.createIn(tc.account, tc.app, tc.domain, nil, tc.subs...)
			if pier.ErrorCode(err) != tc.want && !(tc.want == "" && err == nil) {
				t.Fatalf("create: %v, want code %q", err, tc.want)
			}
			if tc.host != "" && !strings.Contains(pier.ErrorMessage(err), tc.host) {
				t.Errorf("message %q does not name %s", pier.ErrorMessage(err), tc.host)
			}
		})
	}
	t.Run("update adding a taken host", func(t *testing.T) {
		// shop.example.com belongs to domApp2 now.
		_, err := f.svc.UpdateDomainAssociation(f.ctx, domAccount, domApp, "example.com", pier.DomainAssociationInput{SubDomainSettings: settings("www=main", "shop=dev")})
		if pier.ErrorCode(err) != pier.EINVALID || !strings.Contains(pier.ErrorMessage(err), "shop.example.com") {
			t.Errorf("update: %v, want EINVALID naming shop.example.com", err)
		}
	})
	t.Run("concurrent creates", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				acct, app := domAccount, domApp
				if i%2 == 1 {
					acct, app = domOther, domApp2
				}
				_, errs[i] = f.createIn(acct, app, "race.example.net", nil, "www=main")
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if c := pier.ErrorCode(err); c != pier.EINVALID && c != pier.ECONFLICT {
				t.Errorf("create: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent creates of one domain succeeded, want 1", wins)
		}
	})
}

// TestAutoSubDomains checks that branches matching the patterns get a
// subdomain when they are created (or exist when the association is) and
// lose it when they are deleted.
func TestAutoSubDomains(t *testing.T) {
	f := newDomainFixture(t, &fakeCerts{})
	branch := func(name string) {
		t.Helper()
		if _, err := f.svc.CreateBranch(f.ctx, domAccount, domApp, pier.BranchInput{BranchName: &name}); err != nil {
			t.Fatal(err)
		}
	}
	branch("feature/Old")
	on := true
	domain := "example.com"
	d, err := f.svc.CreateDomainAssociation(f.ctx, domAccount, domApp, pier.DomainAssociationInput{
		DomainName: &domain, SubDomainSettings: settings("www=main"),
		EnableAutoSubDomain: &on, AutoSubDomainCreationPatterns: []string{"feature/*"},
	})
	if err != nil {
		t.Fatal(err)
	}
	hosts := func() []string { return f.get("example.com").Hosts() }
	if got := d.Hosts(); !slices.Equal(got, []string{"www.example.com", "feature-old.example.com"}) {
		t.Errorf("hosts after create: %q", got)
	}
	branch("feature/new")
	branch("other")
	if got := hosts(); !slices.Equal(got, []string{"www.example.com", "feature-old.example.com", "feature-new.example.com"}) {
		t.Errorf("hosts after creating branches: %q", got)
	}
	for _, sd := range f.get("example.com").SubDomains {
		if want := sd.Prefix + " CNAME " + appTarget; sd.DNSRecord != want {
			t.Errorf("dnsRecord %q, want %q", sd.DNSRecord, want)
		}
	}
	// A wildcard CNAME verifies every automatic subdomain.
	f.verify(d)
	f.dns.cname("www.example.com", appTarget)
	f.dns.cname("feature-old.example.com", appTarget)
	f.dns.cname("feature-new.example.com", appTarget)
	if got := state(f.tick("example.com")); got != "AVAILABLE/ [www:true feature-old:true feature-new:true]" {
		t.Errorf("after DNS: %s", got)
	}
	if _, err := f.svc.DeleteBranch(f.ctx, domAccount, domApp, "feature/new"); err != nil {
		t.Fatal(err)
	}
	if got := hosts(); !slices.Equal(got, []string{"www.example.com", "feature-old.example.com"}) {
		t.Errorf("hosts after deleting feature/new: %q", got)
	}
	if !slices.Equal(f.certs.released, []string{"feature-new.example.com"}) {
		t.Errorf("released %q", f.certs.released)
	}
	off := false
	if _, err := f.svc.UpdateDomainAssociation(f.ctx, domAccount, domApp, "example.com", pier.DomainAssociationInput{EnableAutoSubDomain: &off}); err != nil {
		t.Fatal(err)
	}
	if got := hosts(); !slices.Equal(got, []string{"www.example.com"}) {
		t.Errorf("hosts after turning automatic subdomains off: %q", got)
	}
	// A new branch added while the association is AVAILABLE starts an
	// update round.
	if _, err := f.svc.UpdateDomainAssociation(f.ctx, domAccount, domApp, "example.com", pier.DomainAssociationInput{EnableAutoSubDomain: &on}); err != nil {
		t.Fatal(err)
	}
	branch("feature/late")
	if got := state(f.get("example.com")); !strings.HasPrefix(got, "AVAILABLE/AWAITING_APP_CNAME") {
		t.Errorf("after a late branch: %s", got)
	}
}

func TestAutoSubDomainPrefix(t *testing.T) {
	for branch, want := range map[string]string{
		"dev":                   "dev",
		"feature/Login":         "feature-login",
		"foo/bar":               "foo-bar",
		"/x_y.z/":               "x-y-z",
		"___":                   "",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		if got := AutoSubDomainPrefix(branch); got != want {
			t.Errorf("AutoSubDomainPrefix(%q) = %q, want %q", branch, got, want)
		}
	}
}

// TestVerificationRecord checks the shape of the certificate-verification
// record and that it differs between accounts.
func TestVerificationRecord(t *testing.T) {
	f := newDomainFixture(t, &fakeCerts{})
	d, err := f.create("example.com", nil, "www=main")
	if err != nil {
		t.Fatal(err)
	}
	rec := d.CertificateVerificationRecord
	name, target, ok := strings.Cut(rec, ". CNAME ")
	if !ok || !strings.HasPrefix(name, "_") || !strings.HasSuffix(name, ".example.com") ||
		!strings.HasSuffix(target, ".acm-validations."+domBase+".") {
		t.Errorf("certificateVerificationDNSRecord = %q", rec)
	}
	other := &pier.DomainAssociation{AccountID: domOther, AppID: domApp2, DomainName: "example.com"}
	if f.svc.verificationRecord(other) == rec {
		t.Error("two accounts get the same verification record")
	}
	custom, err := f.create("example.org", &pier.CertificateSettings{Type: pier.CertificateCustom, CustomCertificateARN: "arn:aws:acm:us-east-1:" + domAccount + ":certificate/x"}, "www=main")
	if err != nil {
		t.Fatal(err)
	}
	if custom.CertificateVerificationRecord != "" {
		t.Errorf("a CUSTOM association has verification record %q", custom.CertificateVerificationRecord)
	}
}
