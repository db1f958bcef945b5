package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/pier-hosting/pier/dnscheck"
	"github.com/pier-hosting/pier/edge"
	"github.com/pier-hosting/pier/service"
)

// domainFlags registers the flags of custom domains (issue 7).
func (c *Config) domainFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DNSResolver, "dns-resolver", "", "DNS server (host:port) asked whether custom domains' records exist (default: the first nameserver of /etc/resolv.conf)")
	fs.DurationVar(&c.DomainCheckInterval, "domain-check-interval", service.DefaultDomainCheckInterval,
		"how often custom domains waiting for DNS are checked during their first hour (every 30m after it)")
}

// domainConfig fills in the custom-domain part of the service's
// configuration: the DNS resolver, the pace of the checks, the certificate
// manager (Main.Certificates) and the edge's cache invalidation.
//
// Without --dns-resolver and a usable /etc/resolv.conf, Pier still starts,
// but no custom domain ever verifies (it says so in the log).
func (m *Main) domainConfig(cfg *service.Config, edgeSrv *edge.Server, logger *slog.Logger) error {
	c := m.Config
	if c.DomainCheckInterval <= 0 {
		return fmt.Errorf("--domain-check-interval: want a positive duration")
	}
	dns, err := dnscheck.New(c.DNSResolver)
	switch {
	case err == nil:
		cfg.DNS = dns
	case c.DNSResolver != "":
		return fmt.Errorf("--dns-resolver: %w", err)
	default:
		logger.Warn("no DNS resolver: custom domains cannot be verified until --dns-resolver is given", "err", err)
	}
	cfg.DomainChecks = m.domainChecks
	cfg.DomainChecks.Interval = c.DomainCheckInterval
	switch {
	case m.Certificates != nil:
		cfg.Certificates = m.Certificates
	case m.certs != nil:
		cfg.Certificates = m.certs
	}
	if edgeSrv != nil {
		cfg.DomainChanged = edgeSrv.InvalidateDomain
	}
	return nil
}

// startDomainChecks runs the domain lifecycle checker of svc until Close.
func (m *Main) startDomainChecks(ctx context.Context, svc *service.Service, logger *slog.Logger) {
	ctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	m.stopDomains = func() { stop(); <-done }
	go func() {
		defer close(done)
		_ = svc.RunDomainChecks(ctx)
	}()
	logger.Debug("domain checks started", "interval", m.Config.DomainCheckInterval)
}
