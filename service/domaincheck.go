package service

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// DNS is what the domain checker asks of DNS (package dnscheck implements
// it). Names are lowercase without a trailing dot. Errors mean the question
// went unanswered, not that the records are missing.
type DNS interface {
	// CNAMEs returns the targets of name's CNAME chain in order, none when
	// name has no CNAME.
	CNAMEs(ctx context.Context, name string) ([]string, error)
	// Addrs returns the addresses name resolves to.
	Addrs(ctx context.Context, name string) ([]netip.Addr, error)
}

// DomainChecks paces the domain checker. As on Amplify (hosting-semantics
// §5.1), an association waiting for DNS is checked often for an hour and
// rarely after that, until it gives up.
type DomainChecks struct {
	// Interval is the time between checks during the first FastPeriod of
	// a round of verification (default 30s); cmd/pier runs CheckDomains
	// at this interval.
	Interval time.Duration
	// FastPeriod is how long checks come every Interval (default 1h).
	FastPeriod time.Duration
	// SlowInterval is the time between checks after FastPeriod (default
	// 30m).
	SlowInterval time.Duration
	// VerifyTimeout is how long the DNS records may take to appear before
	// the association FAILs (default 72h).
	VerifyTimeout time.Duration
	// IssueAttempts is how many failed certificate requests FAIL the
	// association (default 5); the waits between them double from
	// Interval, up to SlowInterval.
	IssueAttempts int
}

// Defaults of DomainChecks.
const (
	DefaultDomainCheckInterval = 30 * time.Second
	DefaultDomainFastPeriod    = time.Hour
	DefaultDomainSlowInterval  = 30 * time.Minute
	DefaultDomainVerifyTimeout = 72 * time.Hour
	DefaultDomainIssueAttempts = 5
)

func (c DomainChecks) withDefaults() DomainChecks {
	if c.Interval <= 0 {
		c.Interval = DefaultDomainCheckInterval
	}
	if c.FastPeriod <= 0 {
		c.FastPeriod = DefaultDomainFastPeriod
	}
	if c.SlowInterval <= 0 {
		c.SlowInterval = DefaultDomainSlowInterval
	}
	if c.VerifyTimeout <= 0 {
		c.VerifyTimeout = DefaultDomainVerifyTimeout
	}
	if c.IssueAttempts <= 0 {
		c.IssueAttempts = DefaultDomainIssueAttempts
	}
	return c
}

// Reasons the checker gives in statusReason.
const (
	reasonNoCA          = "no ACME CA configured"
	reasonNoCertificate = "no certificate store configured to check custom certificates"
)

// activePhases are the phases in which the checker has work to do.
var activePhases = []string{
	pier.DomainCreating, pier.DomainRequestingCertificate, pier.DomainPendingVerification,
	pier.DomainImportingCustomCertificate, pier.DomainAwaitingAppCNAME, pier.DomainPendingDeployment,
	pier.DomainUpdating,
}

// CheckDomains advances every domain association whose check is due, of
// every account, through its lifecycle (hosting-semantics §5.1):
//
//  1. The certificate: AMPLIFY_MANAGED waits in PENDING_VERIFICATION until
//     the certificate-verification CNAME points at its target; CUSTOM is
//     checked by Certificates.CheckCustom in IMPORTING_CUSTOM_CERTIFICATE
//     (a refusal FAILs the association).
//  2. AWAITING_APP_CNAME until every subdomain's host is a CNAME (chain)
//     to the app's default domain, or, for the apex, has the addresses
//     the default domain has; subDomains[].verified says which are.
//  3. PENDING_DEPLOYMENT while Certificates.Issue obtains the certificate
//     of every host (AMPLIFY_MANAGED), retried with back-off.
//  4. AVAILABLE.
//
// During an update of an AVAILABLE association the steps show in
// updateStatus, ending in UPDATE_COMPLETE or UPDATE_FAILED, while
// domainStatus stays AVAILABLE. DNS records that do not appear within
// VerifyTimeout FAIL the association with a statusReason naming them.
//
// Several nodes may run CheckDomains at once: each result is stored by a
// version-checked update, and one that lost to another writer is dropped
// and redone at the next check. It returns ctx's error if ctx ends, other
// errors are logged per association.
func (s *Service) CheckDomains(ctx context.Context) error {
	now := s.now()
	var due []*pier.DomainAssociation
	err := pier.EachPage(100, func(p pier.Page) ([]*pier.DomainAssociation, string, error) {
		return s.store.ListAllDomainAssociations(ctx, p)
	}, func(d *pier.DomainAssociation) error {
		if slices.Contains(activePhases, d.Phase()) && !d.NextCheck.After(now) {
			due = append(due, d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range due {
		if err := s.checkDomain(ctx, d, now); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.cfg.Logger.Error("domains: check", "domain", d.DomainName, "app", d.AppID, "err", err)
		}
	}
	return nil
}

// RunDomainChecks calls CheckDomains every DomainChecks.Interval until ctx
// ends, then returns ctx's error.
func (s *Service) RunDomainChecks(ctx context.Context) error {
	for {
		if err := s.CheckDomains(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("domains: check", "err", err)
		}
		if err := pier.Sleep(ctx, s.cfg.DomainChecks.Interval); err != nil {
			return err
		}
	}
}

// checkDomain advances a copy of d and stores it if nobody changed d
// meanwhile.
func (s *Service) checkDomain(ctx context.Context, read *pier.DomainAssociation, now time.Time) error {
	d := cloneDomain(read)
	s.advance(ctx, d, now)
	released := dropIssued(d)
	unlock, err := s.locks.lock(ctx, domainKey(d.AccountID, d.AppID, d.DomainName))
	if err != nil {
		return err
	}
	err = s.store.UpdateDomainAssociation(ctx, d)
	unlock()
	switch pier.ErrorCode(err) {
	case "":
	case pier.ECONFLICT, pier.ENOTFOUND:
		return nil // changed or deleted since the read: the next check starts afresh
	default:
		return err
	}
	s.release(ctx, released)
	if d.Status != read.Status || d.UpdateStatus != read.UpdateStatus {
		s.cfg.Logger.Info("domains: status", "domain", d.DomainName, "app", d.AppID,
			"status", d.Status, "updateStatus", d.UpdateStatus, "reason", d.StatusReason)
		s.domainChanged(d)
	}
	return nil
}

// advance moves d as far through its lifecycle as the DNS and the
// certificate manager allow now, and schedules its next check.
func (s *Service) advance(ctx context.Context, d *pier.DomainAssociation, now time.Time) {
	updating := d.Status == pier.DomainAvailable
	setPhase := func(p string) {
		if updating {
			d.UpdateStatus = p
		} else {
			d.Status = p
		}
	}
	fail := func(reason string) {
		d.StatusReason = reason
		if updating {
			d.UpdateStatus = pier.UpdateFailed
		} else {
			d.Status = pier.DomainFailed
		}
		d.NextCheck = time.Time{}
	}
	wait := func() {
		if now.Sub(d.CheckSince) < s.cfg.DomainChecks.FastPeriod {
			d.NextCheck = now.Add(s.cfg.DomainChecks.Interval)
		} else {
			d.NextCheck = now.Add(s.cfg.DomainChecks.SlowInterval)
		}
	}
	timedOut := now.Sub(d.CheckSince) >= s.cfg.DomainChecks.VerifyTimeout
	d.StatusReason = ""

	// Subdomains are checked in every phase, so their verified flags show
	// progress while the certificate is still pending.
	var missing []string
	for i, sd := range d.SubDomains {
		if sd.Verified {
			continue
		}
		ok, err := s.pointsAtApp(ctx, d, sd)
		if err != nil {
			d.StatusReason = "The DNS resolver did not answer for " + sd.Host(d.DomainName) + "; retrying."
		}
		d.SubDomains[i].Verified = ok
		if !ok {
			missing = append(missing, sd.DNSRecord)
		}
	}

	if !d.CertificateVerified {
		if d.CertificateType == pier.CertificateCustom {
			setPhase(pier.DomainImportingCustomCertificate)
			if s.cfg.Certificates == nil {
				d.StatusReason = reasonNoCertificate
				wait()
				return
			}
			err := s.cfg.Certificates.CheckCustom(ctx, d.AccountID, d.CustomCertificateARN, certNames(d))
			switch code := pier.ErrorCode(err); {
			case err == nil:
				d.CertificateVerified = true
			case code == pier.ENOTFOUND || code == pier.EINVALID:
				fail("The custom certificate cannot be used: " + pier.ErrorMessage(err))
				return
			default:
				s.cfg.Logger.Warn("domains: check custom certificate", "domain", d.DomainName, "err", err)
				d.StatusReason = "The custom certificate could not be checked; retrying."
				wait()
				return
			}
		} else {
			setPhase(pier.DomainPendingVerification)
			ok, err := s.cnameTo(ctx, s.verificationName(d), s.verificationTarget(d))
			if err != nil {
				d.StatusReason = "The DNS resolver did not answer for " + s.verificationName(d) + "; retrying."
			}
			if !ok {
				if timedOut {
					fail("The certificate verification record was not found within " + s.cfg.DomainChecks.VerifyTimeout.String() + ": " + d.CertificateVerificationRecord)
					return
				}
				wait()
				return
			}
			d.CertificateVerified = true
		}
	}

	if len(missing) > 0 {
		setPhase(pier.DomainAwaitingAppCNAME)
		if timedOut {
			fail("These DNS records were not found within " + s.cfg.DomainChecks.VerifyTimeout.String() + ": " + strings.Join(missing, "; "))
			return
		}
		wait()
		return
	}

	setPhase(pier.DomainPendingDeployment)
	if d.CertificateType != pier.CertificateCustom {
		if s.cfg.Certificates == nil {
			d.StatusReason = reasonNoCA
			wait()
			return
		}
		names := certNames(d)
		if err := s.cfg.Certificates.Issue(ctx, names); err != nil {
			if pier.ErrorCode(err) == pier.EINVALID {
				// This server cannot issue these names (no ACME CA, a
				// wildcard): waiting is all it can do until its operator
				// changes that, so it is no failed attempt.
				d.StatusReason = pier.ErrorMessage(err)
				wait()
				return
			}
			d.IssueAttempts++
			if pier.ErrorCode(err) == pier.EDEPENDENCY {
				d.StatusReason = "The certificate could not be issued: " + pier.ErrorMessage(err)
			} else {
				s.cfg.Logger.Warn("domains: issue certificate", "domain", d.DomainName, "err", err)
				d.StatusReason = "The certificate could not be issued."
			}
			if d.IssueAttempts >= s.cfg.DomainChecks.IssueAttempts {
				fail(d.StatusReason)
				return
			}
			backoff := s.cfg.DomainChecks.Interval << min(d.IssueAttempts, 20)
			d.NextCheck = now.Add(min(backoff, s.cfg.DomainChecks.SlowInterval))
			return
		}
		for _, n := range names {
			if !slices.Contains(d.IssuedNames, n) {
				d.IssuedNames = append(d.IssuedNames, n)
			}
		}
	}
	d.Status = pier.DomainAvailable
	d.UpdateStatus = ""
	if updating {
		d.UpdateStatus = pier.UpdateComplete
	}
	d.StatusReason, d.IssueAttempts, d.NextCheck = "", 0, time.Time{}
}

// restartChecks starts a new round of verification of d after it gained
// hosts or changed its certificate: an AVAILABLE association reports the
// round in updateStatus, a FAILED one starts over from CREATING, one still
// being set up goes on with a fresh timeout.
func (s *Service) restartChecks(d *pier.DomainAssociation, certChanged bool, now time.Time) {
	if certChanged || d.CertificateType == pier.CertificateCustom {
		// A custom certificate must cover the new hosts too.
		d.CertificateVerified = false
	}
	switch d.Status {
	case pier.DomainAvailable:
		d.UpdateStatus = pier.DomainAwaitingAppCNAME
		if !d.CertificateVerified {
			d.UpdateStatus = pier.DomainPendingVerification
			if d.CertificateType == pier.CertificateCustom {
				d.UpdateStatus = pier.DomainImportingCustomCertificate
			}
		}
	case pier.DomainFailed:
		d.Status = pier.DomainCreating
	}
	d.StatusReason = ""
	d.CheckSince, d.NextCheck, d.IssueAttempts = now, now, 0
}

// pointsAtApp reports whether sd's host points at d's app: a CNAME chain
// reaching the app's default domain or, for the apex (which cannot be a
// CNAME), the default domain's addresses. A wildcard is checked through a
// name it covers.
func (s *Service) pointsAtApp(ctx context.Context, d *pier.DomainAssociation, sd pier.SubDomain) (bool, error) {
	host := sd.Host(d.DomainName)
	if sd.Prefix == "*" {
		host = "pier-wildcard-check." + d.DomainName
	}
	target := s.DefaultDomain(d.AppID)
	ok, err := s.cnameTo(ctx, host, target)
	if ok || err != nil || sd.Prefix != "" {
		return ok, err
	}
	return s.sameAddrs(ctx, host, target)
}

// cnameTo reports whether name's CNAME chain reaches target.
func (s *Service) cnameTo(ctx context.Context, name, target string) (bool, error) {
	if s.cfg.DNS == nil {
		return false, nil
	}
	chain, err := s.cfg.DNS.CNAMEs(ctx, name)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(chain, func(c string) bool { return strings.EqualFold(c, target) }), nil
}

// sameAddrs reports whether name resolves to addresses, all of which target
// resolves to as well.
func (s *Service) sameAddrs(ctx context.Context, name, target string) (bool, error) {
	if s.cfg.DNS == nil {
		return false, nil
	}
	got, err := s.cfg.DNS.Addrs(ctx, name)
	if err != nil || len(got) == 0 {
		return false, err
	}
	want, err := s.cfg.DNS.Addrs(ctx, target)
	if err != nil {
		return false, err
	}
	for _, a := range got {
		if !slices.Contains(want, a) {
			return false, nil
		}
	}
	return true, nil
}

// certNames returns the host names d's certificate must cover. A wildcard
// prefix is left out: HTTP-01 cannot prove a wildcard.
func certNames(d *pier.DomainAssociation) []string {
	var out []string
	for _, sd := range d.SubDomains {
		if sd.Prefix != "*" {
			out = append(out, sd.Host(d.DomainName))
		}
	}
	return out
}

// cloneDomain returns a copy of d that shares no slices with it.
func cloneDomain(d *pier.DomainAssociation) *pier.DomainAssociation {
	c := *d
	c.SubDomains = slices.Clone(d.SubDomains)
	c.IssuedNames = slices.Clone(d.IssuedNames)
	c.AutoSubDomainCreationPatterns = slices.Clone(d.AutoSubDomainCreationPatterns)
	return &c
}
