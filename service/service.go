// Package service holds the business rules of the Amplify operations: defaults,
// cascades, the job state machine and pagination. It talks to storage only
// through the interfaces of the root package and knows nothing about HTTP.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// Config holds the settings the operations need to name and locate resources.
type Config struct {
	// Region is used in every ARN Pier issues (us-east-1 by default).
	Region string
	// BaseDomain is the parent of every app's default domain
	// ({appId}.{BaseDomain}).
	BaseDomain string
	// PublicURL is the absolute URL under which signed URLs and webhook URLs
	// point at the API role (no trailing slash).
	PublicURL string
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Logger receives operational events; slog.Default() when nil.
	Logger *slog.Logger
	// JobQueued, when set, is called after a job becomes PENDING (to wake
	// the runner).
	JobQueued func()
	// Changed, when set, is called with an app's id after the app or one of
	// its branches changed in a way the edge serves (auth, names, deletion).
	Changed func(appID string)
	// Sealer encrypts repository tokens before they are stored. Required.
	Sealer pier.Sealer

	// Buckets administers the S3-compatible store of AmplifyBackend
	// storage; nil refuses the storage operations (see backend.go).
	Buckets pier.BucketAdmin
	// BucketsEndpoint is the URL of that store, reported with the
	// credential of a backend environment.
	BucketsEndpoint string
	// Custom domains (issue 7; see domaincheck.go).

	// Certificates issues the certificates of AMPLIFY_MANAGED domains and
	// checks CUSTOM ones. When nil, AMPLIFY_MANAGED domains stop at
	// PENDING_DEPLOYMENT with statusReason "no ACME CA configured" and
	// CUSTOM ones at IMPORTING_CUSTOM_CERTIFICATE.
	Certificates pier.Certificates
	// DNS answers the domain checker's questions (package dnscheck); when
	// nil no record is ever found.
	DNS DNS
	// DomainChecks paces the domain checker; zero fields take defaults.
	DomainChecks DomainChecks
	// DomainChanged, when set, is called with a domain name after its
	// association changed in a way the edge serves (hosts, status).
	DomainChanged func(domain string)
}

// Service implements the Amplify operations over a pier.Store. It is safe for
// concurrent use.
type Service struct {
	store  pier.Store
	blobs  pier.BlobStore
	cfg    Config
	tokens *signer // signs pagination tokens
	urls   *signer // signs upload, log and artifact URLs
	events *signer // derives the secrets of the Git event endpoints
	// domainKey derives the certificate-verification records of domains.
	domainKey []byte
	// locks make the read-modify-writes of one resource on this node take
	// turns (see update).
	locks keyLocks
	// backendJobs runs the asynchronous AmplifyBackend jobs (backendjobs.go).
	backendJobs backendJobRunner
}

// New returns a Service over store and blobs. The signing keys are shared
// through the store so that every node issues and accepts the same tokens
// and URLs.
func New(ctx context.Context, store pier.Store, blobs pier.BlobStore, cfg Config) (*Service, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.BaseDomain == "" {
		cfg.BaseDomain = "localhost"
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Sealer == nil {
		return nil, fmt.Errorf("service: no Sealer configured")
	}
	if cfg.JobQueued == nil {
		cfg.JobQueued = func() {}
	}
	if cfg.Changed == nil {
		cfg.Changed = func(string) {}
	}
	if cfg.DomainChanged == nil {
		cfg.DomainChanged = func(string) {}
	}
	cfg.DomainChecks = cfg.DomainChecks.withDefaults()
	s := &Service{store: store, blobs: blobs, cfg: cfg}
	key, err := store.Secret(ctx, "domain-verification-key", []byte(pier.NewSecret(32)))
	if err != nil {
		return nil, fmt.Errorf("load domain-verification-key: %w", err)
	}
	s.domainKey = key
	for name, dst := range map[string]**signer{"pagination-token-key": &s.tokens, "signed-url-key": &s.urls, "git-events-key": &s.events} {
		key, err := store.Secret(ctx, name, []byte(pier.NewSecret(32)))
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", name, err)
		}
		*dst = &signer{key: key}
	}
	if err := s.initBackendJobs(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Region returns the region used in ARNs.
func (s *Service) Region() string { return s.cfg.Region }

// DefaultDomain returns the default domain of an app: {appId}.{base domain}.
func (s *Service) DefaultDomain(appID string) string {
	return appID + "." + s.cfg.BaseDomain
}

// now returns the current time in UTC, at millisecond precision so that the
// values clients see round-trip through every store unchanged.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Millisecond)
}
