package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/accesslog"
	"github.com/pier-hosting/pier/awsapi"
	"github.com/pier-hosting/pier/awsapi/sigv4"
	"github.com/pier-hosting/pier/blob/fsblob"
	"github.com/pier-hosting/pier/build"
	"github.com/pier-hosting/pier/build/sandbox"
	"github.com/pier-hosting/pier/certs"
	"github.com/pier-hosting/pier/deploy"
	"github.com/pier-hosting/pier/edge"
	"github.com/pier-hosting/pier/edge/proxy"
	"github.com/pier-hosting/pier/geoip"
	"github.com/pier-hosting/pier/netguard"
	"github.com/pier-hosting/pier/notify"
	"github.com/pier-hosting/pier/postgres"
	"github.com/pier-hosting/pier/s3blob"
	"github.com/pier-hosting/pier/seal"
	"github.com/pier-hosting/pier/service"
	"github.com/pier-hosting/pier/sqlite"
)

// Config is the command line of "pier serve".
type Config struct {
	DataDir    string // --data-dir: where the embedded database and blobs live
	APIAddr    string // --api-addr: listen address of the API role
	EdgeAddr   string // --edge-addr: listen address of the edge role
	BaseDomain string // --base-domain: parent of every app's default domain
	PublicURL  string // --public-url: base of signed and webhook URLs
	Region     string // --region: region in ARNs
	Database   string // --database: sqlite:PATH or postgres://…
	Blob       string // --blob: file:DIR or s3://BUCKET/PREFIX?endpoint=URL
	Roles      string // --roles: comma-separated subset of api,edge,runner
	LogLevel   string // --log-level: debug, info, warn or error
	S3Endpoint string // --s3-endpoint: S3-compatible store for s3:// deployment sources
	GeoIPDB    string // --geoip-db: MaxMind country database for <CC> rule conditions
	Trusted    string // --trusted-proxies: CIDRs whose CloudFront-Viewer-Country header is believed
	ProxyAllow string // --proxy-allow: non-public CIDRs and hosts reverse-proxy rules may reach
	ProxyHTTP  bool   // --proxy-allow-http: let reverse-proxy rules use http:// targets
	PprofAddr  string // --pprof-addr: serve net/http/pprof here (off by default)

	BuildIsolation  string // --build-isolation: bubblewrap or none
	BuildConcurrent int    // --build-concurrency: jobs the runner runs at once
	BuildDir        string // --build-dir: where build workspaces live
	BuildSecrets    string // --build-secret-vars: name parts of variables masked in build logs
	BuildAllow      string // --build-egress-allow: non-public CIDRs and hosts builds may reach

	NotifyURLs []string // --notify-url: receivers of job notifications (see notify.go)

	PollInterval time.Duration // --poll-interval: how often the runner polls Git repositories (0: never)

	// AmplifyBackend storage (backendstorage.go).
	BackendS3Endpoint string // --backend-s3-endpoint: S3-compatible store of AmplifyBackend storage
	// Custom domains (domains.go).
	DNSResolver         string        // --dns-resolver: DNS server checked for custom domains' records
	DomainCheckInterval time.Duration // --domain-check-interval: pace of the domain checks in their first hour
	// Certificates and HTTPS (certscmd.go).
	HTTPSAddr      string        // --https-addr: the edge's HTTPS listener ("" for none)
	ACMEDirectory  string        // --acme-directory: ACME CA of AMPLIFY_MANAGED certificates ("" for none)
	ACMEEmail      string        // --acme-email: contact of the ACME account
	ACMECARoot     string        // --acme-ca-root: extra root CA for the ACME directory's HTTPS
	TLSCert        string        // --tls-cert: base-domain certificate
	TLSKey         string        // --tls-key: its key
	AccessLogs     bool          // --access-logs: record the edge's requests for GenerateAccessLogs
	AccessLogFlush time.Duration // --access-log-flush: how often each edge node writes its access log records
}

// Main is a running "pier serve". Tests create one, call ParseFlags and Run,
// talk to APIURL, and Close it.
type Main struct {
	Config Config
	// APIURL is the API's base URL once Run has returned.
	APIURL string
	// EdgeURL is the edge's base URL (http://host:port) once Run has
	// returned, "" without the edge role.
	EdgeURL string
	// HTTPSURL is the edge's HTTPS base URL once Run has returned, "" without
	// --https-addr.
	HTTPSURL string
	// AdminKey is the administrator's access key once Run has returned.
	AdminKey *pier.AccessKey
	// Now is the clock of the API and the runner (time.Now when nil); tests
	// set it to travel in time.
	Now func() time.Time

	// buildMinute is the length of a minute of _BUILD_TIMEOUT (tests
	// shorten it).
	buildMinute time.Duration
	// pollInterval, when set, overrides --poll-interval without its
	// minimum (tests poll fast).
	pollInterval time.Duration

	// Custom domains (domains.go). Certificates issues and checks the
	// certificates of custom domains; nil leaves AMPLIFY_MANAGED domains
	// at PENDING_DEPLOYMENT. domainChecks overrides the checker's periods
	// other than the interval (tests).
	Certificates pier.Certificates
	domainChecks service.DomainChecks
	stopDomains  func() // stops the domain checker; nil when not running

	stdout    io.Writer
	getenv    func(string) string
	store     pier.Store
	blobs     pier.BlobStore
	geo       *geoip.Locator
	certs     *certs.Manager      // certificates of the edge's HTTPS and of CUSTOM domains
	notifier  *notify.Notifier    // nil without --notify-url
	accessLog *accesslog.Recorder // nil without the edge role or with --access-logs=false
	servers   []*http.Server
	done      chan error
	stop      context.CancelFunc // stops the runner
	stopped   chan struct{}      // closed when the runner has stopped
}

// NewMain returns a Main that prints to stdout and reads the environment
// through getenv.
func NewMain(stdout io.Writer, getenv func(string) string) *Main {
	return &Main{stdout: stdout, getenv: getenv}
}

// ParseFlags parses the flags of "pier serve".
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("pier serve", flag.ContinueOnError)
	fs.SetOutput(m.stdout)
	c := &m.Config
	fs.StringVar(&c.DataDir, "data-dir", "pier-data", "directory of the embedded database and blobs")
	fs.StringVar(&c.APIAddr, "api-addr", "127.0.0.1:8750", "listen address of the Amplify API")
	fs.StringVar(&c.EdgeAddr, "edge-addr", "127.0.0.1:8751", "listen address of the hosting edge")
	fs.StringVar(&c.BaseDomain, "base-domain", "localhost", "parent domain of every app's default domain")
	fs.StringVar(&c.PublicURL, "public-url", "", "base URL of signed and webhook URLs (default http://API-ADDR)")
	fs.StringVar(&c.Region, "region", "us-east-1", "AWS region used in ARNs")
	fs.StringVar(&c.Database, "database", "", "metadata store: sqlite:PATH or postgres://USER@HOST/DB (default sqlite:DATA-DIR/pier.db)")
	fs.StringVar(&c.Blob, "blob", "", "blob store: file:DIR or s3://BUCKET/PREFIX?endpoint=URL (keys: PIER_S3_ACCESS_KEY_ID, PIER_S3_SECRET_ACCESS_KEY; default file:DATA-DIR/blobs)")
	fs.StringVar(&c.Roles, "roles", "api,edge,runner", "roles to run: a comma-separated subset of api,edge,runner")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&c.GeoIPDB, "geoip-db", "", "MaxMind country database (.mmdb) for <CC> conditions of custom rules")
	fs.StringVar(&c.Trusted, "trusted-proxies", "", "comma-separated CIDRs of proxies whose CloudFront-Viewer-Country header is trusted")
	fs.StringVar(&c.ProxyAllow, "proxy-allow", "", "comma-separated CIDRs and host names that reverse-proxy rules may reach although not public")
	fs.BoolVar(&c.ProxyHTTP, "proxy-allow-http", false, "let reverse-proxy rules use http:// targets (Amplify allows only https)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", "", "serve Go profiles (net/http/pprof) on this address, for measuring; off by default")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", "", "S3-compatible endpoint for s3:// deployment sources (credentials: PIER_S3_ACCESS_KEY_ID, PIER_S3_SECRET_ACCESS_KEY)")
	fs.StringVar(&c.BuildIsolation, "build-isolation", "bubblewrap", "sandbox of builds: bubblewrap (needs bwrap) or none (builds run as an unprivileged user, unsandboxed)")
	fs.IntVar(&c.BuildConcurrent, "build-concurrency", 2, "jobs the runner runs at once")
	fs.StringVar(&c.BuildDir, "build-dir", filepath.Join(os.TempDir(), "pier-builds"), "directory of build workspaces (outside the data dir, which builds cannot see)")
	fs.StringVar(&c.BuildAllow, "build-egress-allow", "", "comma-separated CIDRs and host names that builds may reach although not public (builds reach the internet only through Pier's egress proxy)")
	fs.StringVar(&c.BuildSecrets, "build-secret-vars", strings.Join(build.DefaultSecretMarkers, ","), "comma-separated name parts: variables whose names contain one are masked in build logs")
	fs.Func("notify-url", "URL receiving signed JSON events of the jobs of branches with enableNotification (repeatable or comma-separated; key: "+notifySecretEnv+")", c.addNotifyURL)
	fs.DurationVar(&c.PollInterval, "poll-interval", 0, pollHelp)
	fs.StringVar(&c.BackendS3Endpoint, "backend-s3-endpoint", "", backendS3Help)
	c.domainFlags(fs)
	c.certFlags(fs)
	fs.BoolVar(&c.AccessLogs, "access-logs", true, "record every edge request in the blob store, for GenerateAccessLogs and \"pier logs access\"")
	fs.DurationVar(&c.AccessLogFlush, "access-log-flush", accesslog.DefaultFlushInterval, "how often the edge writes buffered access log records to the blob store")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkPollInterval(*c); err != nil {
		return err
	}
	if err := checkCertFlags(*c); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, r := range strings.Split(c.Roles, ",") {
		if r != "api" && r != "edge" && r != "runner" {
			return fmt.Errorf("--roles: unknown role %q (want api, edge or runner)", r)
		}
	}
	if c.BuildIsolation != build.IsolationBubblewrap && c.BuildIsolation != build.IsolationNone {
		return fmt.Errorf("--build-isolation: want bubblewrap or none, not %q", c.BuildIsolation)
	}
	if c.BuildConcurrent < 1 {
		return fmt.Errorf("--build-concurrency: want at least 1")
	}
	if c.Database == "" {
		c.Database = "sqlite:" + filepath.Join(c.DataDir, "pier.db")
	}
	if c.Blob == "" {
		c.Blob = "file:" + filepath.Join(c.DataDir, "blobs")
	}
	if !strings.HasPrefix(c.Blob, "file:") && !strings.HasPrefix(c.Blob, "s3://") {
		return fmt.Errorf("--blob: want file:DIR or s3://BUCKET/PREFIX?endpoint=URL, not %q", c.Blob)
	}
	return nil
}

// Run opens the store, makes sure the administrator's key exists, and starts
// the roles in the background.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	store, err := openStore(ctx, c.Database)
	if err != nil {
		return err
	}
	m.store = store

	key, fresh, err := ensureAdminKey(ctx, store, c.DataDir, m.getenv)
	if err != nil {
		return err
	}
	m.AdminKey = key
	blobs, err := m.openBlobs(ctx)
	if err != nil {
		return fmt.Errorf("open blob store: %w", err)
	}
	m.blobs = blobs
	sealKey, err := seal.LoadKey(m.getenv(seal.KeyEnv), c.DataDir)
	if err != nil {
		return fmt.Errorf("load seal key: %w", err)
	}
	sealer, err := seal.New(sealKey)
	if err != nil {
		return err
	}
	tmp := filepath.Join(c.DataDir, "tmp")
	if exclusiveRunner(c) {
		// Only this process's runner stages deployments in tmp: anything
		// there was left by a process that died mid-deployment.
		if err := os.RemoveAll(tmp); err != nil {
			return fmt.Errorf("clean temp dir: %w", err)
		}
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return fmt.Errorf("create temp dir: %w", err)
	}

	roles := map[string]bool{}
	for _, r := range strings.Split(c.Roles, ",") {
		roles[r] = true
	}
	var edgeSrv *edge.Server
	var runner *deploy.Runner
	var poller *service.Poller
	if roles["edge"] {
		if edgeSrv, err = m.newEdge(store, blobs, logger); err != nil {
			return err
		}
	}
	invalidate := func(appID string) {
		if edgeSrv != nil {
			edgeSrv.Invalidate(appID)
		}
	}
	if roles["runner"] {
		var buckets deploy.Buckets
		if c.S3Endpoint != "" {
			buckets = s3blob.NewBuckets(c.S3Endpoint, c.Region, m.getenv("PIER_S3_ACCESS_KEY_ID"), m.getenv("PIER_S3_SECRET_ACCESS_KEY"))
		}
		builder, err := m.newBuilder(store, blobs, sealer, logger)
		if err != nil {
			return err
		}
		if m.notifier, err = m.newNotifier(ctx, store, logger); err != nil {
			return err
		}
		var onJob func(context.Context, *pier.Job)
		if m.notifier != nil {
			onJob = m.notifyJobs(m.notifier, store, logger)
		}
		host, _ := os.Hostname()
		runner = deploy.New(deploy.Config{
			Store: store, Blobs: blobs, Buckets: buckets, TempDir: tmp,
			Builder: builder, Concurrency: c.BuildConcurrent,
			Owner: fmt.Sprintf("%s/%d", host, os.Getpid()), Now: m.Now,
			Exclusive: exclusiveRunner(c),
			OnPublish: invalidate, OnJob: onJob, Logger: logger,
		})
		if poller, err = m.newPoller(ctx, store, blobs, sealer, builder, runner, invalidate, logger); err != nil {
			return err
		}
	}

	m.done = make(chan error, 5)
	if edgeSrv != nil {
		ln, err := net.Listen("tcp", c.EdgeAddr)
		if err != nil {
			return fmt.Errorf("listen on --edge-addr: %w", err)
		}
		m.EdgeURL = "http://" + ln.Addr().String()
		// Certificates: the edge answers HTTP-01 challenges and serves HTTPS.
		if m.certs, err = m.newCertificates(store, sealer, logger, ln.Addr()); err != nil {
			_ = ln.Close()
			return err
		}
		// Every request over HTTP and HTTPS is logged, ACME's included.
		logged := m.withAccessLog(edgeSrv, blobs, logger)
		m.serve(ln, m.certs.HTTPChallenge(logged), logger)
		if c.HTTPSAddr != "" {
			if err := m.serveHTTPS(logged, logger); err != nil {
				return err
			}
		}
	}
	if m.certs == nil {
		if m.certs, err = m.newCertificates(store, sealer, logger, nil); err != nil {
			return err
		}
	}
	if roles["api"] {
		ln, err := net.Listen("tcp", c.APIAddr)
		if err != nil {
			return fmt.Errorf("listen on --api-addr: %w", err)
		}
		m.APIURL = "http://" + ln.Addr().String()
		publicURL := c.PublicURL
		if publicURL == "" {
			publicURL = m.APIURL
		}
		// AmplifyBackend storage: the S3 store its buckets live in.
		backendBuckets, err := m.backendBuckets()
		if err != nil {
			_ = ln.Close()
			return err
		}
		svcCfg := service.Config{
			Region: c.Region, BaseDomain: c.BaseDomain, PublicURL: publicURL, Logger: logger, Now: m.Now,
			Sealer:  sealer,
			Buckets: backendBuckets, BucketsEndpoint: c.BackendS3Endpoint,
			Changed: invalidate, JobQueued: func() {
				if runner != nil {
					runner.Notify()
				}
			},
		}
		// Custom domains: DNS checks, certificates, edge invalidation.
		if err := m.domainConfig(&svcCfg, edgeSrv, logger); err != nil {
			_ = ln.Close()
			return err
		}
		svc, err := service.New(ctx, store, blobs, svcCfg)
		if err != nil {
			_ = ln.Close()
			return err
		}
		m.startDomainChecks(ctx, svc, logger)
		verifier := &sigv4.Verifier{Credentials: awsapi.StoreCredentials{Store: store}, Services: []string{"amplify", "amplifybackend"}}
		api := awsapi.NewServer(svc, verifier, logger)
		api.EdgeURL = m.EdgeURL
		api.Certificates = m.certs
		if edgeSrv != nil {
			api.Tracer = tracer{edgeSrv}
		}
		m.serve(ln, api, logger)
	}
	if c.PprofAddr != "" {
		ln, err := net.Listen("tcp", c.PprofAddr)
		if err != nil {
			return fmt.Errorf("listen on --pprof-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		m.serve(ln, mux, logger)
	}
	if runner != nil {
		runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		m.stop, m.stopped = stop, make(chan struct{})
		go func() {
			defer close(m.stopped)
			if poller != nil {
				polled := make(chan struct{})
				go func() { defer close(polled); _ = poller.Run(runCtx) }()
				defer func() { <-polled }()
			}
			_ = runner.Run(runCtx)
		}()
	}
	m.printBanner(key, fresh)
	return nil
}

// newBuilder builds the runner's builder with its sandbox. Builds cannot
// see the data directory (database, blobs, keys, credentials).
func (m *Main) newBuilder(store pier.Store, blobs pier.BlobStore, sealer pier.Sealer, logger *slog.Logger) (*build.Builder, error) {
	c := m.Config
	var disabled string
	switch {
	case c.BuildIsolation == build.IsolationNone:
		logger.Warn("builds run without a sandbox (--build-isolation=none): repository code can read what the build user can read")
	case !sandbox.Available():
		// Manual deployments still work; builds fail saying why.
		disabled = "Builds run in a bubblewrap sandbox, which this Pier runner cannot start: install bubblewrap (apt-get install bubblewrap) or run the runner with --build-isolation=none."
		logger.Warn("bwrap is not installed or cannot create a sandbox here: Git builds will fail until bubblewrap is installed or --build-isolation=none is given")
	}
	var hidden []string
	for _, p := range []string{c.DataDir, strings.TrimPrefix(c.Database, "sqlite:"), strings.TrimPrefix(c.Blob, "file:")} {
		if strings.HasPrefix(p, "postgres") || strings.HasPrefix(p, "s3://") {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil || (len(hidden) > 0 && strings.HasPrefix(abs, hidden[0]+string(filepath.Separator))) {
			continue // inside the data dir, which is hidden whole
		}
		hidden = append(hidden, abs)
	}
	egress, err := m.buildEgress(c, disabled != "", logger)
	if err != nil {
		return nil, err
	}
	workDir, err := filepath.Abs(c.BuildDir)
	if err != nil {
		return nil, err
	}
	return build.New(build.Config{
		Store: store, Blobs: blobs, Sealer: sealer, Region: c.Region,
		WorkDir: workDir, Isolation: c.BuildIsolation, Hidden: hidden,
		SecretMarkers: splitList(c.BuildSecrets), Minute: m.buildMinute, Disabled: disabled, Egress: egress,
		Logger: logger, Now: m.Now,
	}), nil
}

// documentationRanges never route on the internet, so no internal service
// or metadata endpoint lives there; sandboxed networks (Pier's CI among
// them) map public registries into them, so builds may always reach them.
var documentationRanges = []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"}

// buildEgress returns the egress policy of sandboxed builds: public
// addresses and --build-egress-allow, through Pier's proxy. Nil (the host's
// network, with a warning) when builds are not sandboxed or this runner
// cannot enter a sandbox's network namespace (it is not root).
func (m *Main) buildEgress(c Config, disabled bool, logger *slog.Logger) (*netguard.Policy, error) {
	policy, err := netguard.New(append(splitList(c.BuildAllow), documentationRanges...))
	if err != nil {
		return nil, fmt.Errorf("--build-egress-allow: %w", err)
	}
	if c.BuildIsolation != build.IsolationBubblewrap || disabled {
		return nil, nil
	}
	if !sandbox.EgressSupported() {
		logger.Warn("builds share the host's network, Pier's own addresses included: the egress proxy needs the runner to run as root")
		return nil, nil
	}
	return policy, nil
}

// newEdge builds the edge with its reverse proxy and country lookup.
func (m *Main) newEdge(store pier.Store, blobs pier.BlobStore, logger *slog.Logger) (*edge.Server, error) {
	c := m.Config
	px, err := proxy.New(proxy.Config{AllowHTTP: c.ProxyHTTP, Allow: splitList(c.ProxyAllow), Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("--proxy-allow: %w", err)
	}
	loc, err := geoip.New(c.GeoIPDB, splitList(c.Trusted))
	if err != nil {
		return nil, fmt.Errorf("--geoip-db/--trusted-proxies: %w", err)
	}
	m.geo = loc
	return edge.New(edge.Config{
		BaseDomain: c.BaseDomain, Store: store, Blobs: blobs, Logger: logger,
		Proxy: px, Country: loc.Country,
	}), nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// tracer adapts the edge's Trace to awsapi.Tracer.
type tracer struct{ edge *edge.Server }

func (t tracer) Trace(ctx context.Context, account, rawURL string, header http.Header, country string) (any, error) {
	return t.edge.Trace(ctx, account, rawURL, header, country)
}

// serve serves h on ln in the background.
func (m *Main) serve(ln net.Listener, h http.Handler, logger *slog.Logger) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	m.servers = append(m.servers, srv)
	go func() { m.done <- srv.Serve(ln) }()
}

// printBanner tells a new user where Pier listens and how to authenticate.
func (m *Main) printBanner(key *pier.AccessKey, fresh bool) {
	fmt.Fprintf(m.stdout, "Pier is running.\n")
	if m.APIURL != "" {
		fmt.Fprintf(m.stdout, "  Amplify API:  %s   (aws amplify … --endpoint-url %s)\n", m.APIURL, m.APIURL)
	}
	if m.EdgeURL != "" {
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(m.EdgeURL, "http://"))
		fmt.Fprintf(m.stdout, "  Edge:         %s   (branch sites at http://BRANCH.APPID.%s:%s/)\n", m.EdgeURL, m.Config.BaseDomain, port)
	}
	fmt.Fprintf(m.stdout, "  Data:         %s\n", m.Config.DataDir)
	fmt.Fprintf(m.stdout, "  Account:      %s, access key %s\n", key.AccountID, key.ID)
	if m.getenv(envAccessKeyID) == "" {
		creds := filepath.Join(m.Config.DataDir, credentialsFile)
		verb := "Stored in"
		if fresh {
			verb = "Generated; saved in"
		}
		fmt.Fprintf(m.stdout, "  Credentials:  %s %s (profile %q):\n", verb, creds, credentialsProfile)
		fmt.Fprintf(m.stdout, "                export AWS_SHARED_CREDENTIALS_FILE=%s AWS_PROFILE=%s AWS_DEFAULT_REGION=%s\n", creds, credentialsProfile, m.Config.Region)
	}
}

// Close stops the roles and closes the store.
func (m *Main) Close() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range m.servers {
		errs = append(errs, srv.Shutdown(ctx))
		if err := <-m.done; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.accessLog != nil {
		errs = append(errs, m.accessLog.Close()) // after the edge stopped, before the blobs close
	}
	if m.stop != nil {
		m.stop()
		<-m.stopped
	}
	if m.stopDomains != nil {
		m.stopDomains()
	}
	if m.notifier != nil {
		errs = append(errs, m.notifier.Close(ctx))
	}
	if m.certs != nil {
		errs = append(errs, m.certs.Close())
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	if c, ok := m.blobs.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	if m.geo != nil {
		errs = append(errs, m.geo.Close())
	}
	return errors.Join(errs...)
}

// openBlobs opens the blob store --blob names.
func (m *Main) openBlobs(ctx context.Context) (pier.BlobStore, error) {
	if dir, ok := strings.CutPrefix(m.Config.Blob, "file:"); ok {
		return fsblob.New(dir)
	}
	cfg, err := s3blob.ParseURL(m.Config.Blob)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = m.Config.Region
	}
	cfg.AccessKeyID, cfg.SecretAccessKey = m.getenv("PIER_S3_ACCESS_KEY_ID"), m.getenv("PIER_S3_SECRET_ACCESS_KEY")
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return s3blob.New(ctx, cfg)
}

// openStore opens the metadata store --database names.
func openStore(ctx context.Context, database string) (pier.Store, error) {
	var store pier.Store
	var err error
	switch {
	case strings.HasPrefix(database, "sqlite:"):
		store, err = sqlite.Open(ctx, strings.TrimPrefix(database, "sqlite:"))
	case strings.HasPrefix(database, "postgres://"), strings.HasPrefix(database, "postgresql://"):
		store, err = postgres.Open(ctx, database)
	default:
		return nil, fmt.Errorf("--database: want sqlite:PATH or postgres://…, not %q", database)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return store, nil
}

// exclusiveRunner reports whether c runs the only runner of its store: the
// runner role on the embedded database, which one node serves (see
// deploy.Config.Exclusive).
func exclusiveRunner(c Config) bool {
	return strings.Contains(","+c.Roles+",", ",runner,") && strings.HasPrefix(c.Database, "sqlite:")
}

// Access logs.

// withAccessLog wraps the edge handler with the access log recorder, unless
// --access-logs=false. Records go to the shared blob store, so every node's
// requests reach GenerateAccessLogs.
func (m *Main) withAccessLog(edgeSrv *edge.Server, blobs pier.BlobStore, logger *slog.Logger) http.Handler {
	if !m.Config.AccessLogs {
		return edgeSrv
	}
	host, _ := os.Hostname()
	m.accessLog = accesslog.New(accesslog.Config{
		Blobs: blobs,
		// The edge's own lookup: default and custom domains.
		AppOf: func(host string) string {
			id, _ := edgeSrv.AppID(context.Background(), host)
			return id
		},
		Node:          host,
		FlushInterval: m.Config.AccessLogFlush,
		Logger:        logger,
	})
	return m.accessLog.Wrap(edgeSrv)
}
