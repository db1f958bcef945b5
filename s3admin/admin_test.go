package s3admin

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/internal/peertest"
)

// newAdmin returns an Admin of gw signed with the given keys.
func newAdmin(t *testing.T, gw *peertest.S3, accessKey, secretKey string) *Admin {
	t.Helper()
	a, err := New(Config{Endpoint: gw.Endpoint, Region: gw.Region, AccessKey: accessKey, SecretKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// rootAdmin returns an Admin of gw signed with its root keys.
func rootAdmin(t *testing.T, gw *peertest.S3) *Admin {
	t.Helper()
	return newAdmin(t, gw, gw.AccessKeyID, gw.SecretAccessKey)
}

// otherAccount creates a user of gw that may create buckets (versitygw's
// role "userplus": CreateUser makes role "user", which may not) and returns
// an Admin signed with its keys.
func otherAccount(t *testing.T, root *Admin, gw *peertest.S3, accessKey string) *Admin {
	t.Helper()
	secret := accessKey + "-secret-0123456789"
	if err := root.CreateUser(t.Context(), pier.BucketCredential{AccessKey: accessKey, SecretKey: secret}); err != nil {
		t.Fatalf("create user %s: %v", accessKey, err)
	}
	err := root.adminRequest(t.Context(), "/update-user", url.Values{"access": {accessKey}},
		[]byte("<MutableProps><Role>userplus</Role></MutableProps>"))
	if err != nil {
		t.Fatalf("make %s userplus: %v", accessKey, err)
	}
	return newAdmin(t, gw, accessKey, secret)
}

// wantCode fails the test unless err has code, and a message containing
// msg.
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	if pier.ErrorCode(err) != code || !strings.Contains(pier.ErrorMessage(err), msg) {
		t.Fatalf("got %v (%s: %q), want %s with %q", err, pier.ErrorCode(err), pier.ErrorMessage(err), code, msg)
	}
}

// put writes an object with the root client of gw.
func put(t *testing.T, gw *peertest.S3, bucket, key, body string) {
	t.Helper()
	_, err := gw.Client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBuckets drives the bucket methods against versitygw with internal
// IAM, as root (Pier) and as another account of the store.
func TestBuckets(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygwIAM(t)
	ctx := t.Context()
	pierAdmin := rootAdmin(t, gw)
	other := otherAccount(t, pierAdmin, gw, "OTHERACCOUNT")

	for _, name := range []string{"pier-ours", "pier-full"} {
		if err := pierAdmin.CreateBucket(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.CreateBucket(ctx, "other-theirs"); err != nil {
		t.Fatal(err)
	}
	put(t, gw, "pier-full", "dir/object.txt", "content")

	t.Run("ListBuckets", func(t *testing.T) {
		tests := []struct {
			name  string
			admin *Admin
			want  []string
		}{
			{"root sees every bucket", pierAdmin, []string{"other-theirs", "pier-full", "pier-ours"}},
			{"a user sees its own", other, []string{"other-theirs"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				buckets, err := tt.admin.ListBuckets(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, b := range buckets {
					if b.CreationDate.IsZero() {
						t.Errorf("bucket %s has no creation date", b.Name)
					}
					names = append(names, b.Name)
				}
				slices.Sort(names)
				if !slices.Equal(names, tt.want) {
					t.Fatalf("got %v, want %v", names, tt.want)
				}
			})
		}
	})

	t.Run("CreateBucket", func(t *testing.T) {
		tests := []struct {
			name   string
			admin  *Admin
			bucket string
			code   string
			msg    string
		}{
			{"ours again", pierAdmin, "pier-ours", pier.ECONFLICT, "already exists and is yours"},
			{"another account's", pierAdmin, "other-theirs", pier.ECONFLICT, "belongs to another account"},
			{"ours, by another account", other, "pier-ours", pier.ECONFLICT, "belongs to another account"},
			{"upper case", pierAdmin, "Pier_Bad", pier.EINVALID, "Invalid bucket name"},
			{"too short", pierAdmin, "ab", pier.EINVALID, "Invalid bucket name"},
			{"a path", pierAdmin, "a/b", pier.EINVALID, "Invalid bucket name"},
			{"empty", pierAdmin, "", pier.EINVALID, "Invalid bucket name"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, tt.admin.CreateBucket(ctx, tt.bucket), tt.code, tt.msg)
			})
		}
	})

	t.Run("BucketOwned", func(t *testing.T) {
		tests := []struct {
			name   string
			admin  *Admin
			bucket string
			want   bool
			code   string
		}{
			{"root's own", pierAdmin, "pier-ours", true, ""},
			{"a user's, asked by root", pierAdmin, "other-theirs", false, ""},
			{"a user's own", other, "other-theirs", true, ""},
			{"root's, asked by a user (403)", other, "pier-ours", false, ""},
			{"missing", pierAdmin, "pier-missing", false, pier.ENOTFOUND},
			{"missing, asked by a user", other, "pier-missing", false, pier.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.admin.BucketOwned(ctx, tt.bucket)
				if pier.ErrorCode(err) != tt.code || got != tt.want {
					t.Fatalf("got %v, %v; want %v, code %q", got, err, tt.want, tt.code)
				}
			})
		}
	})

	t.Run("BucketEmpty", func(t *testing.T) {
		tests := []struct {
			bucket string
			want   bool
			code   string
		}{
			{"pier-ours", true, ""},
			{"pier-full", false, ""},
			{"pier-missing", false, pier.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.bucket, func(t *testing.T) {
				got, err := pierAdmin.BucketEmpty(ctx, tt.bucket)
				if pier.ErrorCode(err) != tt.code || got != tt.want {
					t.Fatalf("got %v, %v; want %v, code %q", got, err, tt.want, tt.code)
				}
			})
		}
	})

	t.Run("DeleteBucket", func(t *testing.T) {
		wantCode(t, pierAdmin.DeleteBucket(ctx, "pier-full"), pier.ECONFLICT, "is not empty")
		wantCode(t, pierAdmin.DeleteBucket(ctx, "pier-missing"), pier.ENOTFOUND, "does not exist")
		if err := pierAdmin.DeleteBucket(ctx, "pier-ours"); err != nil {
			t.Fatal(err)
		}
		_, err := pierAdmin.BucketOwned(ctx, "pier-ours")
		wantCode(t, err, pier.ENOTFOUND, "does not exist")
		// The name is free again.
		if err := pierAdmin.CreateBucket(ctx, "pier-ours"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestUsers checks CreateUser and DeleteUser: duplicates, deleting what is
// missing, and that a deleted user's keys no longer work.
func TestUsers(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygwIAM(t)
	ctx := t.Context()
	a := rootAdmin(t, gw)
	cred := pier.BucketCredential{AccessKey: "STORAGEUSER1", SecretKey: "storage-user-secret-1"}

	if err := a.CreateUser(ctx, cred); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.CreateUser(ctx, cred), pier.ECONFLICT, "already exists")
	wantCode(t, a.CreateUser(ctx, pier.BucketCredential{AccessKey: "NOSECRET"}), pier.EINVALID, "secret key")

	user := newAdmin(t, gw, cred.AccessKey, cred.SecretKey)
	if _, err := user.ListBuckets(ctx); err != nil {
		t.Fatalf("the new user's keys do not work: %v", err)
	}
	// Role "user" may not create buckets: only policies grant it anything.
	if err := user.CreateBucket(ctx, "user-bucket"); pier.ErrorCode(err) != pier.EDEPENDENCY {
		t.Fatalf("a user created a bucket: %v", err)
	}
	// Nor may it create users.
	wantCode(t, user.CreateUser(ctx, pier.BucketCredential{AccessKey: "X1", SecretKey: "x1-secret"}), pier.EDEPENDENCY, "not the store's root or an admin")

	if err := a.DeleteUser(ctx, cred.AccessKey); err != nil {
		t.Fatal(err)
	}
	if _, err := user.ListBuckets(ctx); err == nil {
		t.Fatal("the deleted user's keys still work")
	}
	if err := a.DeleteUser(ctx, cred.AccessKey); err != nil {
		t.Fatalf("deleting a missing user: %v", err)
	}
	// The access key is free again.
	if err := a.CreateUser(ctx, cred); err != nil {
		t.Fatal(err)
	}
}

// TestNoUserManagement checks that a store without IAM (versitygw with
// only root keys) says it has no user management.
func TestNoUserManagement(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygw(t)
	a := rootAdmin(t, gw)
	cred := pier.BucketCredential{AccessKey: "STORAGEUSER1", SecretKey: "storage-user-secret-1"}
	err := a.CreateUser(t.Context(), cred)
	wantCode(t, err, pier.EDEPENDENCY, "no user management")
	if !errors.Is(err, pier.ErrNoBucketUsers) {
		t.Errorf("CreateUser on a store without IAM: %v, want it to wrap pier.ErrNoBucketUsers", err)
	}
	wantCode(t, a.DeleteUser(t.Context(), cred.AccessKey), pier.EDEPENDENCY, "no user management")
}

// TestUnreachable checks that a store that does not answer is EDEPENDENCY.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	a, err := New(Config{Endpoint: "http://" + peertest.FreeAddr(t), AccessKey: "K", SecretKey: "S"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	_, err = a.ListBuckets(ctx)
	wantCode(t, err, pier.EDEPENDENCY, "")
	wantCode(t, a.CreateBucket(ctx, "bucket"), pier.EDEPENDENCY, "")
	wantCode(t, a.CreateUser(ctx, pier.BucketCredential{AccessKey: "A", SecretKey: "B"}), pier.EDEPENDENCY, "")
}

// TestNewConfig checks the configuration New refuses.
func TestNewConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no keys", Config{Endpoint: "http://127.0.0.1:1"}},
		{"no endpoint", Config{AccessKey: "K", SecretKey: "S"}},
		{"not http", Config{Endpoint: "ftp://127.0.0.1:1", AccessKey: "K", SecretKey: "S"}},
		{"bad admin endpoint", Config{Endpoint: "http://127.0.0.1:1", AdminEndpoint: "127.0.0.1:2", AccessKey: "K", SecretKey: "S"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}

// TestSetBucketPolicy checks what policies grant on a real store:
// anonymous (unsigned) reads and writes, a user's signed reads, and that
// removing the policy revokes them.
func TestSetBucketPolicy(t *testing.T) {
	t.Parallel()
	gw := peertest.StartVersitygwIAM(t)
	ctx := t.Context()
	a := rootAdmin(t, gw)
	const bucket = "pier-storage"
	if err := a.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	put(t, gw, bucket, "public/photo.jpg", "photo")
	reader := pier.BucketCredential{AccessKey: "READERKEY", SecretKey: "reader-secret-0123"}
	outsider := pier.BucketCredential{AccessKey: "OUTSIDERKEY", SecretKey: "outsider-secret-0123"}
	for _, c := range []pier.BucketCredential{reader, outsider} {
		if err := a.CreateUser(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	readerClient := newAdmin(t, gw, reader.AccessKey, reader.SecretKey).client
	outsiderClient := newAdmin(t, gw, outsider.AccessKey, outsider.SecretKey).client

	anonymousGet := func() int { return anonymous(t, http.MethodGet, gw.Endpoint+"/"+bucket+"/public/photo.jpg", "") }
	anonymousPut := func() int {
		status := anonymous(t, http.MethodPut, gw.Endpoint+"/"+bucket+"/public/upload.txt", "uploaded")
		if status == http.StatusOK {
			_, err := gw.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("public/upload.txt")})
			if err != nil {
				t.Errorf("the anonymous PUT stored nothing: %v", err)
			}
		}
		return status
	}
	anonymousDelete := func() int {
		return anonymous(t, http.MethodDelete, gw.Endpoint+"/"+bucket+"/public/upload.txt", "")
	}
	signedGet := func(c *s3.Client) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("public/photo.jpg")})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	signedList := func(c *s3.Client) error {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		return err
	}
	signedDelete := func(c *s3.Client) error {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("public/upload.txt")})
		return err
	}

	steps := []struct {
		name   string
		policy pier.BucketPolicy
		// Wanted: HTTP status of anonymous GET and PUT, and whether the
		// reader's signed GET, list and delete and the outsider's GET
		// succeed.
		anonGet, anonPut, anonDelete        int
		readerGet, readerList, readerDelete bool
		outsiderGet                         bool
	}{
		{name: "no policy", anonGet: 403, anonPut: 403, anonDelete: 403},
		// Principal "*" is everyone: signed requests too.
		{name: "anonymous READ", policy: pier.BucketPolicy{Anonymous: []string{pier.StorageRead}},
			anonGet: 200, anonPut: 403, anonDelete: 403, readerGet: true, outsiderGet: true},
		{name: "anonymous READ and CREATE_AND_UPDATE", policy: pier.BucketPolicy{Anonymous: []string{pier.StorageRead, pier.StorageCreateAndUpdate}},
			anonGet: 200, anonPut: 200, anonDelete: 403, readerGet: true, outsiderGet: true},
		{name: "anonymous CREATE_AND_UPDATE and DELETE", policy: pier.BucketPolicy{Anonymous: []string{pier.StorageCreateAndUpdate, pier.StorageDelete}},
			anonGet: 403, anonPut: 200, anonDelete: 204, readerDelete: true},
		{name: "a user's READ", policy: pier.BucketPolicy{Users: map[string][]string{reader.AccessKey: {pier.StorageRead}}},
			anonGet: 403, anonPut: 403, anonDelete: 403, readerGet: true, readerList: true},
		{name: "a user's READ and DELETE, anonymous CREATE_AND_UPDATE", policy: pier.BucketPolicy{
			Anonymous: []string{pier.StorageCreateAndUpdate},
			Users:     map[string][]string{reader.AccessKey: {pier.StorageRead, pier.StorageDelete}, outsider.AccessKey: {}},
		}, anonGet: 403, anonPut: 200, anonDelete: 403, readerGet: true, readerList: true, readerDelete: true},
		{name: "removed", anonGet: 403, anonPut: 403, anonDelete: 403},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if err := a.SetBucketPolicy(ctx, bucket, step.policy); err != nil {
				t.Fatal(err)
			}
			if got := anonymousGet(); got != step.anonGet {
				t.Errorf("anonymous GET: %d, want %d", got, step.anonGet)
			}
			if got := anonymousPut(); got != step.anonPut {
				t.Errorf("anonymous PUT: %d, want %d", got, step.anonPut)
			}
			if got := anonymousDelete(); got != step.anonDelete {
				t.Errorf("anonymous DELETE: %d, want %d", got, step.anonDelete)
			}
			for _, c := range []struct {
				what string
				err  error
				want bool
			}{
				{"reader's GET", signedGet(readerClient), step.readerGet},
				{"reader's list", signedList(readerClient), step.readerList},
				{"reader's DELETE", signedDelete(readerClient), step.readerDelete},
				{"outsider's GET", signedGet(outsiderClient), step.outsiderGet},
			} {
				if (c.err == nil) != c.want {
					t.Errorf("%s: %v, want success %v", c.what, c.err, c.want)
				}
				if c.err != nil && !isCode(c.err, "AccessDenied") {
					t.Errorf("%s: %v, want AccessDenied", c.what, c.err)
				}
			}
		})
	}

	t.Run("errors", func(t *testing.T) {
		wantCode(t, a.SetBucketPolicy(ctx, "pier-missing", pier.BucketPolicy{Anonymous: []string{pier.StorageRead}}), pier.ENOTFOUND, "does not exist")
		wantCode(t, a.SetBucketPolicy(ctx, bucket, pier.BucketPolicy{Anonymous: []string{"WRITE"}}), pier.EINVALID, "Unknown storage permission")
		wantCode(t, a.SetBucketPolicy(ctx, bucket, pier.BucketPolicy{Users: map[string][]string{"NOSUCHUSER": {pier.StorageRead}}}), pier.EINVALID, "refused the policy")
		// Removing a policy that is not there is no error.
		if err := a.SetBucketPolicy(ctx, bucket, pier.BucketPolicy{}); err != nil {
			t.Fatal(err)
		}
	})
}

// anonymous sends an unsigned request and returns its status.
func anonymous(t *testing.T, method, url, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
