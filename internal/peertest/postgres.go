package peertest

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

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the admin connection
)

// Postgres is a throwaway PostgreSQL cluster: one data directory, socket
// directory and log under a temporary directory, listening on
// 127.0.0.1:Port, with a superuser named postgres that needs no password.
// Durability a test does not need (fsync, synchronous commit) is off.
type Postgres struct {
	Port int

	bin string // directory of initdb and pg_ctl
	dir string
	// runAs is the user that runs PostgreSQL's programs when the tests run
	// as root, which initdb refuses; "" runs them as the current user.
	runAs string
	// admin is a connection to the postgres database, for creating the
	// databases the tests use.
	admin *sql.DB
	// n numbers the databases and schemas created.
	n atomic.Int64
}

// ErrNoPostgres reports that PostgreSQL's programs are not installed.
var ErrNoPostgres = errors.New("PostgreSQL binaries (initdb, pg_ctl) not found in $(pg_config --bindir) or /usr/lib/postgresql/*/bin")

// StartPostgres initializes a cluster in a new temporary directory and
// starts it. The caller stops it with Stop; most tests use SharedPostgres
// instead. It returns ErrNoPostgres if PostgreSQL is not installed.
func StartPostgres() (*Postgres, error) {
	bin, err := PostgresBinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pier-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{bin: bin, dir: dir}
	if err := p.init(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	// Another process may take the free port before the server binds it.
	for attempt := 0; ; attempt++ {
		if err = p.startOnFreePort(); err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if p.admin, err = sql.Open("pgx", p.DSN("postgres")); err != nil {
		return nil, errors.Join(err, p.Stop())
	}
	return p, nil
}

// PostgresBinDir returns the directory of initdb and pg_ctl: the one
// pg_config names, or the newest Debian-style /usr/lib/postgresql/VERSION/bin.
func PostgresBinDir() (string, error) {
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
	return "", ErrNoPostgres
}

// versionOf returns the major version in a path like
// /usr/lib/postgresql/15/bin.
func versionOf(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

// init runs initdb, as an unprivileged user when the tests run as root.
func (p *Postgres) init() error {
	if os.Geteuid() == 0 {
		if err := p.chownToUnprivileged(); err != nil {
			return err
		}
	}
	return p.run("initdb", "-D", p.data(), "-U", "postgres", "-A", "trust",
		"--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions")
}

// chownToUnprivileged gives p.dir to the postgres user (or nobody, where
// there is no postgres user) and makes PostgreSQL's programs run as it.
func (p *Postgres) chownToUnprivileged() error {
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
	if err := os.Chown(p.dir, uid, gid); err != nil {
		return err
	}
	p.runAs = u.Username
	return nil
}

// startOnFreePort starts the server on a port that is free now. Many pier
// nodes and parallel tests share it, hence max_connections.
func (p *Postgres) startOnFreePort() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	p.Port = l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500",
		p.Port, p.dir)
	return p.run("pg_ctl", "-D", p.data(), "-l", filepath.Join(p.dir, "log"), "-o", opts, "-w", "-t", "30", "start")
}

// Stop stops the server at once, since its data is thrown away, and
// removes its directory.
func (p *Postgres) Stop() error {
	if p.admin != nil {
		_ = p.admin.Close()
	}
	err := p.run("pg_ctl", "-D", p.data(), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(p.dir))
}

func (p *Postgres) data() string { return filepath.Join(p.dir, "data") }

// run runs one of PostgreSQL's programs as p.runAs, returning its output
// and the server log in the error if it fails.
func (p *Postgres) run(program string, args ...string) error {
	path := filepath.Join(p.bin, program)
	cmd := exec.Command(path, args...)
	if p.runAs != "" {
		cmd = exec.Command(runuser(), append([]string{"-u", p.runAs, "--", path}, args...)...)
	}
	cmd.Dir = p.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
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

// DSN returns the URL of database on the server, with the extra parameters
// given as name, value pairs.
func (p *Postgres) DSN(database string, params ...string) string {
	q := url.Values{"sslmode": {"disable"}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port)),
		Path: "/" + database, RawQuery: q.Encode()}
	return u.String()
}

// NewDatabase creates an empty database with a name no other call returns,
// and returns the name. Creating one takes about a tenth of a second.
func (p *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	name := p.NewName("t")
	if _, err := p.admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return name
}

// NewName returns prefix_N, an identifier no other call returns, for the
// databases and schemas tests create.
func (p *Postgres) NewName(prefix string) string {
	return fmt.Sprintf("%s_%d", prefix, p.n.Add(1))
}
