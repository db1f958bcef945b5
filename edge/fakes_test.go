package edge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// fakeStore is an in-memory Store. It hands out copies, so tests may change
// apps and branches while the server reads them.
type fakeStore struct {
	mu          sync.Mutex
	apps        map[string]*pier.App
	branches    map[string][]*pier.Branch // by app id, in creation order
	deployments map[string]*pier.Deployment
	domains     map[string]*pier.DomainAssociation
	err         error         // when set, every method fails with it
	gate        chan struct{} // when set, FindApp waits for it to close

	findApps, listBranches, getDeployments, findDomains atomic.Int64
}

var _ Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{
		apps:        map[string]*pier.App{},
		branches:    map[string][]*pier.Branch{},
		deployments: map[string]*pier.Deployment{},
		domains:     map[string]*pier.DomainAssociation{},
	}
}

func (s *fakeStore) FindDomainAssociation(ctx context.Context, domain string) (*pier.DomainAssociation, error) {
	s.findDomains.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	d, ok := s.domains[domain]
	if !ok {
		return nil, pier.Errorf(pier.ENOTFOUND, "domain %s not found", domain)
	}
	c := *d
	return &c, nil
}

// putDomain stores a copy of d.
func (s *fakeStore) putDomain(d pier.DomainAssociation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains[d.DomainName] = &d
}

func (s *fakeStore) FindApp(ctx context.Context, appID string) (*pier.App, error) {
	s.findApps.Add(1)
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		<-gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	a, ok := s.apps[appID]
	if !ok {
		return nil, pier.Errorf(pier.ENOTFOUND, "app %s not found", appID)
	}
	c := *a
	return &c, nil
}

func (s *fakeStore) ListBranches(ctx context.Context, accountID, appID string, p pier.Page) ([]*pier.Branch, string, error) {
	s.listBranches.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, "", s.err
	}
	a, ok := s.apps[appID]
	if !ok || a.AccountID != accountID {
		return nil, "", pier.Errorf(pier.ENOTFOUND, "app %s not found", appID)
	}
	start := 0
	if p.After != "" {
		start, _ = strconv.Atoi(p.After)
	}
	all := s.branches[appID]
	end := min(start+p.Limit, len(all))
	var out []*pier.Branch
	for _, b := range all[start:end] {
		c := *b
		out = append(out, &c)
	}
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return out, next, nil
}

func (s *fakeStore) GetDeployment(ctx context.Context, id string) (*pier.Deployment, error) {
	s.getDeployments.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	d, ok := s.deployments[id]
	if !ok {
		return nil, pier.Errorf(pier.ENOTFOUND, "deployment %s not found", id)
	}
	return d, nil
}

// putApp stores a copy of a.
func (s *fakeStore) putApp(a pier.App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[a.ID] = &a
}

// putBranch stores a copy of b, replacing the branch of that name.
func (s *fakeStore) putBranch(b pier.Branch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.branches[b.AppID] {
		if old.Name == b.Name {
			s.branches[b.AppID][i] = &b
			return
		}
	}
	s.branches[b.AppID] = append(s.branches[b.AppID], &b)
}

// publish points branch name of app appID at deployment id.
func (s *fakeStore) publish(appID, name, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.branches[appID] {
		if b.Name == name {
			b.DeploymentID = id
			return
		}
	}
	panic("no branch " + name)
}

func (s *fakeStore) putDeployment(d *pier.Deployment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deployments[d.ID] = d
}

func (s *fakeStore) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// testBlobs is a blob store the tests can fill and watch.
type testBlobs interface {
	pier.BlobStore
	put(t testing.TB, content []byte) string // returns the sha256
	opens() int64
}

// memBlobs keeps blobs in memory; Open returns a bytes reader. Only Open is
// implemented: the edge calls nothing else.
type memBlobs struct {
	pier.BlobStore
	mu    sync.Mutex
	blobs map[string][]byte
	n     atomic.Int64
}

func newMemBlobs() *memBlobs { return &memBlobs{blobs: map[string][]byte{}} }

func (m *memBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, pier.BlobInfo, error) {
	m.n.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[key]
	if !ok {
		return nil, pier.BlobInfo{}, pier.Errorf(pier.ENOTFOUND, "no blob %s", key)
	}
	return nopCloser{bytes.NewReader(b)}, pier.BlobInfo{Size: int64(len(b))}, nil
}

// nopCloser is a bytes.Reader with a Close that does nothing.
type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (m *memBlobs) put(t testing.TB, content []byte) string {
	sum := shaHex(content)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blobs[pier.ContentKey(sum)] = content
	return sum
}

func (m *memBlobs) opens() int64 { return m.n.Load() }

// dirBlobs keeps blobs as files under a temporary directory; Open returns
// the *os.File, as the local blob store does.
type dirBlobs struct {
	pier.BlobStore
	dir string
	n   atomic.Int64
}

func newDirBlobs(t testing.TB) *dirBlobs { return &dirBlobs{dir: t.TempDir()} }

func (d *dirBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, pier.BlobInfo, error) {
	d.n.Add(1)
	f, err := os.Open(filepath.Join(d.dir, filepath.FromSlash(key)))
	if os.IsNotExist(err) {
		return nil, pier.BlobInfo{}, pier.Errorf(pier.ENOTFOUND, "no blob %s", key)
	} else if err != nil {
		return nil, pier.BlobInfo{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, pier.BlobInfo{}, err
	}
	return f, pier.BlobInfo{Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

func (d *dirBlobs) put(t testing.TB, content []byte) string {
	t.Helper()
	sum := shaHex(content)
	name := filepath.Join(d.dir, filepath.FromSlash(pier.ContentKey(sum)))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return sum
}

func (d *dirBlobs) opens() int64 { return d.n.Load() }

func shaHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Names used throughout the tests.
const (
	base    = "pier.test"
	appID   = "d1app"
	account = "000000000000"
)

// createTime is the CreateTime of every test deployment.
var createTime = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a Server over fakes.
type fixture struct {
	t     testing.TB
	store *fakeStore
	blobs testBlobs
	srv   *Server
	logs  *bytes.Buffer // what the server logged
}

// newFixture returns a server with app appID and no branches; cfg's Store,
// Blobs, BaseDomain and Logger are filled in.
func newFixture(t testing.TB, blobs testBlobs, cfg Config) *fixture {
	t.Helper()
	st := newFakeStore()
	st.putApp(pier.App{AccountID: account, ID: appID})
	logs := new(bytes.Buffer)
	cfg.BaseDomain, cfg.Store, cfg.Blobs = base, st, blobs
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	return &fixture{t: t, store: st, blobs: blobs, srv: New(cfg), logs: logs}
}

// spec describes one file of a deployment to build.
type spec struct {
	body, contentType string
	gzip, br          string // variant bodies, "" for none
}

// deployment stores the blobs of files and a deployment of them.
func (f *fixture) deployment(id string, files map[string]spec) *pier.Deployment {
	d := &pier.Deployment{ID: id, AccountID: account, AppID: appID, Files: map[string]pier.File{}, CreateTime: createTime}
	for p, s := range files {
		file := pier.File{
			Body:        pier.Body{SHA256: f.blobs.put(f.t, []byte(s.body)), Size: int64(len(s.body))},
			ContentType: s.contentType,
		}
		if s.gzip != "" {
			file.Gzip = &pier.Body{SHA256: f.blobs.put(f.t, []byte(s.gzip)), Size: int64(len(s.gzip))}
		}
		if s.br != "" {
			file.Brotli = &pier.Body{SHA256: f.blobs.put(f.t, []byte(s.br)), Size: int64(len(s.br))}
		}
		d.Files[p] = file
	}
	f.store.putDeployment(d)
	return d
}

// branch creates a branch serving deployment id ("" for none), with the
// display name equal to the name unless b says otherwise.
func (f *fixture) branch(b pier.Branch) {
	b.AccountID, b.AppID = account, appID
	if b.DisplayName == "" {
		b.DisplayName = pier.DisplayNameFor(b.Name)
	}
	f.store.putBranch(b)
}

// do serves a request for host and target with headers given as
// name, value pairs.
func (f *fixture) do(method, host, target string, headers ...string) *http.Response {
	r := httptest.NewRequest(method, target, nil)
	r.Host = host
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w.Result()
}

// get is do with GET.
func (f *fixture) get(host, target string, headers ...string) *http.Response {
	return f.do(http.MethodGet, host, target, headers...)
}

// body reads a response body whole.
func body(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mainHost is the host of branch "main".
const mainHost = "main." + appID + "." + base

// etag is the ETag of a body.
func etag(body string) string { return `"` + shaHex([]byte(body)) + `"` }
