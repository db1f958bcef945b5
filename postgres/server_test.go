package postgres_test

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the admin connections
)

// server is the throwaway PostgreSQL cluster TestMain starts for the
// package's tests: one data directory, socket directory and log under dir,
// listening on 127.0.0.1:port, with a superuser named postgres that needs
// no password.
type server struct {
	bin  string // directory of initdb and pg_ctl
	dir  string
	port int
	// runAs is the user that runs PostgreSQL's programs when the tests run
	// as root, which initdb refuses; "" runs them as the current user.
	runAs string
	// admin is a connection to the postgres database, for creating the
	// databases and schemas the tests use.
	admin *sql.DB
	// n numbers the databases and schemas created.
	n atomic.Int64
}

// errNoPostgres reports that PostgreSQL's programs are not installed.
var errNoPostgres = errors.New("PostgreSQL binaries (initdb, pg_ctl) not found")

var (
	srv    *server
	srvErr error // why srv is nil
)

func TestMain(m *testing.M) {
	srv, srvErr = start()
	code := m.Run()
	if srv != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop PostgreSQL: %v\n", err)
		}
	}
	os.Exit(code)
}

// requireServer returns the server, skipping the test if PostgreSQL is not
// installed unless PIER_TEST_REQUIRE_PEERS=1, and failing it if the server
// did not start.
func requireServer(t *testing.T) *server {
	t.Helper()
	switch {
	case srv != nil:
		return srv
	case errors.Is(srvErr, errNoPostgres) && os.Getenv("PIER_TEST_REQUIRE_PEERS") != "1":
		t.Skip(srvErr)
	}
	t.Fatalf("PostgreSQL: %v", srvErr)
	return nil
}

// start initializes a cluster in a new temporary directory and starts it.
func start() (*server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pier-pg-")
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dir: dir}
	if err := s.init(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	// Another process may take the free port before the server binds it.
	for attempt := 0; ; attempt++ {
		if err = s.startOnFreePort(); err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if s.admin, err = sql.Open("pgx", s.dsn("postgres")); err != nil {
		return nil, errors.Join(err, s.stop())
	}
	return s, nil
}

// binDir returns the directory of initdb and pg_ctl: the one pg_config
// names, or the newest Debian-style /usr/lib/postgresql/VERSION/bin.
func binDir() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(debian, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range append(dirs, debian...) {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
				return d, nil
			}
		}
	}
	return "", errNoPostgres
}

// versionOf returns the major version in a path like
// /usr/lib/postgresql/15/bin.
func versionOf(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

// init runs initdb, as an unprivileged user when the tests run as root.
func (s *server) init() error {
	if os.Geteuid() == 0 {
		if err := s.chownToUnprivileged(); err != nil {
			return err
		}
	}
	return s.run("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust",
		"--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions")
}

// chownToUnprivileged gives s.dir to the postgres user (or nobody, where
// there is no postgres user) and makes PostgreSQL's programs run as it.
func (s *server) chownToUnprivileged() error {
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("running as root needs a postgres or nobody user to run PostgreSQL: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(s.dir, uid, gid); err != nil {
		return err
	}
	s.runAs = u.Username
	return nil
}

// startOnFreePort starts the server on a port that is free now, with the
// durability a test does not need turned off.
func (s *server) startOnFreePort() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
		s.port, s.dir)
	return s.run("pg_ctl", "-D", s.data(), "-l", filepath.Join(s.dir, "log"), "-o", opts, "-w", "-t", "30", "start")
}

// stop stops the server at once, since its data is thrown away, and
// removes its directory.
func (s *server) stop() error {
	if s.admin != nil {
		_ = s.admin.Close()
	}
	err := s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(s.dir))
}

func (s *server) data() string { return filepath.Join(s.dir, "data") }

// run runs one of PostgreSQL's programs as s.runAs, returning its output
// and the server log in the error if it fails.
func (s *server) run(program string, args ...string) error {
	path := filepath.Join(s.bin, program)
	cmd := exec.Command(path, args...)
	if s.runAs != "" {
		cmd = exec.Command(runuser(), append([]string{"-u", s.runAs, "--", path}, args...)...)
	}
	cmd.Dir = s.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("%s: %w\n%s%s", program, err, out, log)
	}
	return nil
}

// runuser returns the path of runuser, which root's PATH has but another
// PATH may lack.
func runuser() string {
	if path, err := exec.LookPath("runuser"); err == nil {
		return path
	}
	for _, path := range []string{"/usr/sbin/runuser", "/sbin/runuser"} {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	return "runuser" // for the error to name
}

// dsn returns the URL of database on the server, with the extra parameters
// given as name, value pairs.
func (s *server) dsn(database string, params ...string) string {
	q := url.Values{"sslmode": {"disable"}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path: "/" + database, RawQuery: q.Encode()}
	return u.String()
}

// newDatabase creates an empty database and returns its name.
func (s *server) newDatabase(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("t_%d", s.n.Add(1))
	if _, err := s.admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return name
}

// newSchema creates an empty schema in database, to which db is connected,
// and returns a DSN whose search_path puts Pier's tables there. Creating a
// schema takes a millisecond, a database a tenth of a second.
func (s *server) newSchema(t *testing.T, database string, db *sql.DB) string {
	t.Helper()
	name := fmt.Sprintf("s_%d", s.n.Add(1))
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	return s.dsn(database, "search_path", name)
}

// open opens a connection to the database that dsn names, closed when the
// test ends.
func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
