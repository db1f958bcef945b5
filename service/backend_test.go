package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// fakeBuckets is a hand-written pier.BucketAdmin: buckets in memory, some
// owned by another account of the store.
type fakeBuckets struct {
	mu       sync.Mutex
	buckets  map[string]*fakeBucket
	users    map[string]string
	failNext error // returned by the next CreateBucket
	noUsers  bool  // CreateUser answers as a store without user management
}

type fakeBucket struct {
	foreign bool
	objects int
	policy  pier.BucketPolicy
	created time.Time
}

var _ pier.BucketAdmin = (*fakeBuckets)(nil)

func newFakeBuckets() *fakeBuckets {
	return &fakeBuckets{buckets: map[string]*fakeBucket{}, users: map[string]string{}}
}

func (f *fakeBuckets) ListBuckets(ctx context.Context) ([]pier.Bucket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []pier.Bucket
	for name, b := range f.buckets {
		if !b.foreign {
			out = append(out, pier.Bucket{Name: name, CreationDate: b.created})
		}
	}
	slices.SortFunc(out, func(a, b pier.Bucket) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (f *fakeBuckets) CreateBucket(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failNext; err != nil {
		f.failNext = nil
		return err
	}
	if b, ok := f.buckets[name]; ok {
		if b.foreign {
			return pier.Errorf(pier.ECONFLICT, "Bucket %s is owned by another account.", name)
		}
		return pier.Errorf(pier.ECONFLICT, "You already own bucket %s.", name)
	}
	f.buckets[name] = &fakeBucket{created: time.Now()}
	return nil
}

func (f *fakeBuckets) bucket(name string) (*fakeBucket, error) {
	b, ok := f.buckets[name]
	if !ok {
		return nil, pier.Errorf(pier.ENOTFOUND, "no bucket %s", name)
	}
	return b, nil
}

func (f *fakeBuckets) BucketOwned(ctx context.Context, name string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return false, err
	}
	return !b.foreign, nil
}

func (f *fakeBuckets) BucketEmpty(ctx context.Context, name string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return false, err
	}
	return b.objects == 0, nil
}

func (f *fakeBuckets) DeleteBucket(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return err
	}
	if b.objects > 0 {
		return pier.Errorf(pier.ECONFLICT, "bucket %s is not empty", name)
	}
	delete(f.buckets, name)
	return nil
}

func (f *fakeBuckets) SetBucketPolicy(ctx context.Context, name string, p pier.BucketPolicy) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return err
	}
	b.policy = p
	return nil
}

func (f *fakeBuckets) CreateUser(ctx context.Context, c pier.BucketCredential) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noUsers {
		return fmt.Errorf("create user: %w: %w", pier.Errorf(pier.EDEPENDENCY, "The S3 store has no user management."), pier.ErrNoBucketUsers)
	}
	if _, ok := f.users[c.AccessKey]; ok {
		return pier.Errorf(pier.ECONFLICT, "user exists")
	}
	f.users[c.AccessKey] = c.SecretKey
	return nil
}

func (f *fakeBuckets) DeleteUser(ctx context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.users, key)
	return nil
}

func (f *fakeBuckets) policy(name string) (pier.BucketPolicy, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.buckets[name]
	if !ok {
		return pier.BucketPolicy{}, false
	}
	return b.policy, true
}

const (
	beAccount = "111111111111"
	beApp     = "d1backend0001"
)

// newBackendFixture returns a service on SQLite with fake buckets and one app.
func newBackendFixture(t *testing.T, buckets pier.BucketAdmin) (*Service, pier.Store) {
	t.Helper()
	ctx := t.Context()
	store, blobs := openStores(t)
	if err := store.CreateAccount(ctx, &pier.Account{ID: beAccount, CreateTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := store.CreateApp(ctx, &pier.App{AccountID: beAccount, ID: beApp, Name: "be", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	svc, err := New(ctx, store, blobs, Config{Sealer: testSealer(t), Buckets: buckets, BucketsEndpoint: "http://s3.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.WaitBackendJobs)
	return svc, store
}

// finish waits for the job and returns it as it ended.
func finish(t *testing.T, svc *Service) func(*pier.BackendJob, error) *pier.BackendJob {
	return func(j *pier.BackendJob, err error) *pier.BackendJob {
		t.Helper()
		if err != nil {
			t.Fatalf("start job: %v", err)
		}
		svc.WaitBackendJobs()
		got, err := svc.store.GetBackendJob(t.Context(), j.AccountID, j.AppID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
}

func wantJob(t *testing.T, j *pier.BackendJob, status, errText string) {
	t.Helper()
	if j.Status != status || (errText == "" && j.Error != "") || (errText != "" && !contains(j.Error, errText)) {
		t.Fatalf("job %s = %s %q; want %s %q", j.Operation, j.Status, j.Error, status, errText)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestBackendStorageLifecycle(t *testing.T) {
	ctx := t.Context()
	fb := newFakeBuckets()
	svc, _ := newBackendFixture(t, fb)

	wantJob(t, finish(t, svc)(svc.CreateBackend(ctx, beAccount, beApp, "site", "dev")), pier.BackendJobCompleted, "")
	if _, err := svc.GetBackendEnvironment(ctx, beAccount, beApp, "dev"); err != nil {
		t.Fatalf("CreateBackend made no backend environment: %v", err)
	}
	_, err := svc.CreateBackend(ctx, beAccount, beApp, "site", "dev")
	wantCodeOf(t, err, pier.ECONFLICT)

	perms := pier.StoragePermissions{Authenticated: []string{"DELETE", "READ", "READ"}, UnAuthenticated: []string{"READ"}}
	j := finish(t, svc)(svc.CreateBackendStorage(ctx, beAccount, beApp, StorageInput{Env: "dev", ResourceName: "files", Permissions: perms}))
	wantJob(t, j, pier.BackendJobCompleted, "")
	st, err := svc.GetBackendStorage(ctx, beAccount, beApp, "dev", "files")
	if err != nil {
		t.Fatal(err)
	}
	if st.BucketName != "files-"+beApp+"-dev" || st.Imported {
		t.Errorf("storage = %+v", st)
	}
	if !slices.Equal(st.Permissions.Authenticated, []string{"READ", "DELETE"}) {
		t.Errorf("authenticated = %v, want canonical order without duplicates", st.Permissions.Authenticated)
	}
	cred, err := svc.BackendCredential(ctx, beAccount, beApp, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if fb.users[cred.AccessKeyID] != cred.SecretAccessKey || cred.Endpoint != "http://s3.test" {
		t.Errorf("credential %+v is not the store's user", cred)
	}
	p, _ := fb.policy(st.BucketName)
	if !slices.Equal(p.Anonymous, []string{"READ"}) || !slices.Equal(p.Users[cred.AccessKeyID], []string{"READ", "DELETE"}) {
		t.Errorf("policy = %+v", p)
	}

	_, err = svc.CreateBackendStorage(ctx, beAccount, beApp, StorageInput{Env: "dev", ResourceName: "files"})
	wantCodeOf(t, err, pier.ECONFLICT)

	j = finish(t, svc)(svc.UpdateBackendStorage(ctx, beAccount, beApp, "dev", "files", pier.StoragePermissions{Authenticated: []string{}}))
	wantJob(t, j, pier.BackendJobCompleted, "")
	if p, _ := fb.policy(st.BucketName); len(p.Anonymous) != 0 || len(p.Users) != 0 {
		t.Errorf("policy after update = %+v, want none", p)
	}

	// A bucket that is not empty is kept and detached.
	fb.buckets[st.BucketName].objects = 1
	j = finish(t, svc)(svc.DeleteBackendStorage(ctx, beAccount, beApp, "dev", "files"))
	wantJob(t, j, pier.BackendJobCompleted, "is not empty")
	if _, ok := fb.policy(st.BucketName); !ok {
		t.Error("a bucket that was not empty was deleted")
	}
	_, err = svc.GetBackendStorage(ctx, beAccount, beApp, "dev", "files")
	wantCodeOf(t, err, pier.ENOTFOUND)

	// An empty bucket Pier created is deleted.
	j = finish(t, svc)(svc.CreateBackendStorage(ctx, beAccount, beApp, StorageInput{Env: "dev", ResourceName: "media", BucketName: "media-bucket"}))
	wantJob(t, j, pier.BackendJobCompleted, "")
	wantJob(t, finish(t, svc)(svc.DeleteBackendStorage(ctx, beAccount, beApp, "dev", "media")), pier.BackendJobCompleted, "")
	if _, ok := fb.policy("media-bucket"); ok {
		t.Error("an empty bucket Pier created was kept")
	}

	// Import: an existing bucket of Pier's credentials, never deleted.
	fb.buckets["existing"] = &fakeBucket{}
	fb.buckets["foreign"] = &fakeBucket{foreign: true}
	wantJob(t, finish(t, svc)(svc.ImportBackendStorage(ctx, beAccount, beApp, "dev", "existing")), pier.BackendJobCompleted, "")
	st, err = svc.GetBackendStorage(ctx, beAccount, beApp, "dev", "existing")
	if err != nil || !st.Imported || st.BucketName != "existing" {
		t.Fatalf("imported storage = %+v, %v", st, err)
	}
	_, err = svc.ImportBackendStorage(ctx, beAccount, beApp, "dev", "foreign")
	wantCodeOf(t, err, pier.EINVALID)
	_, err = svc.ImportBackendStorage(ctx, beAccount, beApp, "dev", "missing")
	wantCodeOf(t, err, pier.ENOTFOUND)

	// A bucket name someone else owns fails the job.
	j = finish(t, svc)(svc.CreateBackendStorage(ctx, beAccount, beApp, StorageInput{Env: "dev", ResourceName: "taken", BucketName: "foreign"}))
	wantJob(t, j, pier.BackendJobFailed, "owned by another account")

	// DeleteBackend removes the environment, detaching the imported bucket.
	j = finish(t, svc)(svc.DeleteBackend(ctx, beAccount, beApp, "dev"))
	wantJob(t, j, pier.BackendJobCompleted, "was imported")
	if _, ok := fb.buckets["existing"]; !ok {
		t.Error("DeleteBackend deleted an imported bucket")
	}
	if len(fb.users) != 0 {
		t.Errorf("DeleteBackend left the store users %v", fb.users)
	}
	_, err = svc.GetBackendEnvironment(ctx, beAccount, beApp, "dev")
	wantCodeOf(t, err, pier.ENOTFOUND)

	jobs, _, err := svc.ListBackendJobs(ctx, beAccount, beApp, "dev", pier.BackendJobFilter{Status: pier.BackendJobFailed}, 0, "")
	if err != nil || len(jobs) != 1 || jobs[0].ResourceName != "taken" {
		t.Errorf("failed jobs = %v, %v", jobs, err)
	}
}

func TestBackendErrors(t *testing.T) {
	ctx := t.Context()
	svc, _ := newBackendFixture(t, newFakeBuckets())
	wantJob(t, finish(t, svc)(svc.CreateBackend(ctx, beAccount, beApp, "site", "dev")), pier.BackendJobCompleted, "")
	storage := func(env, bucket string) error {
		_, err := svc.CreateBackendStorage(ctx, beAccount, beApp, StorageInput{Env: env, ResourceName: "r", BucketName: bucket})
		return err
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown app", func() error { _, err := svc.CreateBackend(ctx, beAccount, "d1nope", "x", "dev"); return err }(), pier.ENOTFOUND},
		{"other account", func() error { _, err := svc.GetBackend(ctx, "222222222222", beApp, ""); return err }(), pier.ENOTFOUND},
		{"unknown environment", storage("prod", ""), pier.ENOTFOUND},
		{"bad bucket name", storage("dev", "Bad_Name"), pier.EINVALID},
		{"short bucket name", storage("dev", "ab"), pier.EINVALID},
		{"bad permission", func() error {
			_, err := svc.UpdateBackendStorage(ctx, beAccount, beApp, "dev", "r", pier.StoragePermissions{Authenticated: []string{"WRITE"}})
			return err
		}(), pier.EINVALID},
		{"unknown resource", func() error { _, err := svc.GetBackendStorage(ctx, beAccount, beApp, "dev", "nope"); return err }(), pier.ENOTFOUND},
		{"unknown job", func() error { _, err := svc.GetBackendJob(ctx, beAccount, beApp, "dev", "nope"); return err }(), pier.ENOTFOUND},
		{"import without bucket", func() error { _, err := svc.ImportBackendStorage(ctx, beAccount, beApp, "dev", ""); return err }(), pier.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCodeOf(t, tt.err, tt.want) })
	}

	noStore, _ := newBackendFixture(t, nil)
	_, err := noStore.CreateBackendStorage(ctx, beAccount, beApp, StorageInput{Env: "dev", ResourceName: "r"})
	if pier.ErrorCode(err) != pier.EINVALID || !contains(pier.ErrorMessage(err), "--backend-s3-endpoint") {
		t.Errorf("storage without an S3 store: %v", err)
	}
}

func TestBackendJobRecovery(t *testing.T) {
	ctx := t.Context()
	svc, store := newBackendFixture(t, newFakeBuckets())
	old := time.Now().Add(-time.Hour).UTC()
	stale := &pier.BackendJob{ID: "stale", AccountID: beAccount, AppID: beApp, Env: "dev", Operation: "CreateBackendStorage",
		Status: pier.BackendJobInProgress, LeaseUntil: old, CreateTime: old, UpdateTime: old}
	if err := store.CreateBackendJob(ctx, stale); err != nil {
		t.Fatal(err)
	}
	// Reading it fails it, as a restart does.
	j, err := svc.GetBackendJob(ctx, beAccount, beApp, "dev", "stale")
	if err != nil {
		t.Fatal(err)
	}
	wantJob(t, j, pier.BackendJobFailed, "Interrupted")

	stale.ID, stale.Status = "stale2", pier.BackendJobInProgress
	if err := store.CreateBackendJob(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.RecoverBackendJobs(ctx); err != nil || n != 1 {
		t.Fatalf("RecoverBackendJobs = %d, %v; want 1", n, err)
	}
	j, err = store.GetBackendJob(ctx, beAccount, beApp, "stale2")
	if err != nil {
		t.Fatal(err)
	}
	wantJob(t, j, pier.BackendJobFailed, "Interrupted")
}

func TestDeriveBucketName(t *testing.T) {
	tests := []struct{ app, env, resource, want string }{
		{"d1abc", "dev", "files", "files-d1abc-dev"},
		{"d1abc", "Dev", "my_files", "my-files-d1abc-dev-"},
		{"d1abc", "dev", "averyveryveryveryveryveryveryveryveryverylongresourcename", "averyveryveryveryveryveryveryveryveryverylongresourcen-"},
	}
	for _, tt := range tests {
		got := deriveBucketName(tt.app, tt.env, tt.resource)
		if len(got) < len(tt.want) || got[:len(tt.want)] != tt.want || validateBucketName(got) != nil {
			t.Errorf("deriveBucketName(%s, %s, %s) = %q, want prefix %q and a valid name", tt.app, tt.env, tt.resource, got, tt.want)
		}
	}
	if deriveBucketName("d1abc", "Dev", "x") == deriveBucketName("d1abc", "dev", "x") {
		t.Error("names that differ only in case share a bucket")
	}
}

func wantCodeOf(t *testing.T, err error, code string) {
	t.Helper()
	if pier.ErrorCode(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

// TestBackendStorageWithoutUsers: on a store that cannot create users the
// storage is still created with its anonymous policy; the job completes and
// its error says Authenticated went to no credential.
func TestBackendStorageWithoutUsers(t *testing.T) {
	ctx := t.Context()
	fb := newFakeBuckets()
	fb.noUsers = true
	svc, _ := newBackendFixture(t, fb)
	wantJob(t, finish(t, svc)(svc.CreateBackend(ctx, beAccount, beApp, "site", "dev")), pier.BackendJobCompleted, "")
	perms := pier.StoragePermissions{Authenticated: []string{"READ"}, UnAuthenticated: []string{"READ"}}
	j := finish(t, svc)(svc.CreateBackendStorage(ctx, beAccount, beApp, StorageInput{Env: "dev", ResourceName: "files", Permissions: perms}))
	if j.Status != pier.BackendJobCompleted || !strings.Contains(j.Error, "no user management") {
		t.Fatalf("job = %s %q, want COMPLETED saying the store has no user management", j.Status, j.Error)
	}
	st, err := svc.GetBackendStorage(ctx, beAccount, beApp, "dev", "files")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := fb.policy(st.BucketName)
	if !slices.Equal(p.Anonymous, []string{"READ"}) || len(p.Users) != 0 {
		t.Errorf("policy = %+v, want anonymous READ only", p)
	}
	_, err = svc.BackendCredential(ctx, beAccount, beApp, "dev")
	wantCodeOf(t, err, pier.ENOTFOUND)
}
