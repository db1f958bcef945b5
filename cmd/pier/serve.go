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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/awsapi"
	"github.com/pier-hosting/pier/awsapi/sigv4"
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
	Database   string // --database: sqlite:PATH (postgres://… later)
	Blob       string // --blob: file:DIR (s3://… later)
	Roles      string // --roles: comma-separated subset of api,edge,runner
	LogLevel   string // --log-level: debug, info, warn or error
}

// Main is a running "pier serve". Tests create one, call ParseFlags and Run,
// talk to APIURL, and Close it.
type Main struct {
	Config Config
	// APIURL is the API's base URL once Run has returned.
	APIURL string
	// AdminKey is the administrator's access key once Run has returned.
	AdminKey *pier.AccessKey

	stdout io.Writer
	getenv func(string) string
	store  pier.Store
	api    *http.Server
	apiLn  net.Listener
	done   chan error
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
	fs.StringVar(&c.Database, "database", "", "metadata store: sqlite:PATH (default sqlite:DATA-DIR/pier.db)")
	fs.StringVar(&c.Blob, "blob", "", "blob store: file:DIR (default file:DATA-DIR/blobs)")
	fs.StringVar(&c.Roles, "roles", "api,edge,runner", "roles to run: a comma-separated subset of api,edge,runner")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
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
	if c.Database == "" {
		c.Database = "sqlite:" + filepath.Join(c.DataDir, "pier.db")
	}
	if c.Blob == "" {
		c.Blob = "file:" + filepath.Join(c.DataDir, "blobs")
	}
	if !strings.HasPrefix(c.Blob, "file:") {
		return fmt.Errorf("--blob: only file:DIR is supported so far, not %q", c.Blob)
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

	path, ok := strings.CutPrefix(c.Database, "sqlite:")
	if !ok {
		return fmt.Errorf("--database: only sqlite:PATH is supported so far, not %q", c.Database)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.store = store

	key, fresh, err := ensureAdminKey(ctx, store, c.DataDir, m.getenv)
	if err != nil {
		return err
	}
	m.AdminKey = key

	if m.apiLn, err = net.Listen("tcp", c.APIAddr); err != nil {
		return fmt.Errorf("listen on --api-addr: %w", err)
	}
	m.APIURL = "http://" + m.apiLn.Addr().String()
	publicURL := c.PublicURL
	if publicURL == "" {
		publicURL = m.APIURL
	}
	svc, err := service.New(ctx, store, service.Config{Region: c.Region, BaseDomain: c.BaseDomain, PublicURL: publicURL, Logger: logger})
	if err != nil {
		return err
	}
	verifier := &sigv4.Verifier{Credentials: awsapi.StoreCredentials{Store: store}, Services: []string{"amplify"}}
	m.api = &http.Server{
		Handler:           awsapi.NewServer(svc, verifier, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.api.Serve(m.apiLn) }()
	m.printBanner(key, fresh)
	return nil
}

// printBanner tells a new user where Pier listens and how to authenticate.
func (m *Main) printBanner(key *pier.AccessKey, fresh bool) {
	fmt.Fprintf(m.stdout, "Pier is running.\n  Amplify API:  %s   (aws amplify … --endpoint-url %s)\n", m.APIURL, m.APIURL)
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
	if m.api != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, m.api.Shutdown(ctx))
		if err := <-m.done; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}
