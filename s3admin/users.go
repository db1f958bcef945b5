package s3admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pier-hosting/pier"
)

// account is the body of versitygw's create-user request (its
// auth.Account, which has no XML tags: elements are named after fields).
type account struct {
	XMLName xml.Name `xml:"Account"`
	Access  string   `xml:"Access"`
	Secret  string   `xml:"Secret"`
	Role    string   `xml:"Role"`
}

// roleUser is versitygw's role of accounts that may do only what bucket
// policies (or ACLs) grant them; "userplus" could also create buckets and
// "admin" bypasses policies.
const roleUser = "user"

// maxAdminResponse bounds the bytes read from an admin API response.
const maxAdminResponse = 1 << 20

// CreateUser creates a versitygw account with role "user": ECONFLICT if the
// access key exists, EDEPENDENCY if the store manages no users.
func (a *Admin) CreateUser(ctx context.Context, c pier.BucketCredential) error {
	if c.AccessKey == "" || c.SecretKey == "" {
		return pier.Errorf(pier.EINVALID, "A storage user needs an access key and a secret key.")
	}
	body, err := xml.Marshal(account{Access: c.AccessKey, Secret: c.SecretKey, Role: roleUser})
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	err = a.adminRequest(ctx, "/create-user", nil, body)
	if code := adminCode(err); code == "XAdminUserExists" {
		return pier.Errorf(pier.ECONFLICT, "A storage user with access key %q already exists.", c.AccessKey)
	}
	return a.wrapAdmin("create user", err)
}

// DeleteUser deletes a versitygw account; one that does not exist is not
// an error.
func (a *Admin) DeleteUser(ctx context.Context, accessKey string) error {
	if accessKey == "" {
		return pier.Errorf(pier.EINVALID, "No access key of the storage user to delete.")
	}
	err := a.adminRequest(ctx, "/delete-user", url.Values{"access": {accessKey}}, nil)
	if adminCode(err) == "XAdminUserNotFound" {
		return nil
	}
	return a.wrapAdmin("delete user", err)
}

// adminError is an error response of versitygw's admin API.
type adminError struct {
	Status  int
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func (e *adminError) Error() string {
	return fmt.Sprintf("admin API: HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// adminCode returns the code of the adminError in err's chain, "" if none.
func adminCode(err error) string {
	if e, ok := errors.AsType[*adminError](err); ok {
		return e.Code
	}
	return ""
}

// wrapAdmin returns nil for nil, and otherwise EDEPENDENCY saying why the
// store did not do op, wrapping err.
func (a *Admin) wrapAdmin(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("s3 %s: %w", op, err)
	}
	var e *pier.Error
	noUsers := false
	if ae, ok := errors.AsType[*adminError](err); ok {
		switch {
		case ae.Code == "XAdminMethodNotSupported" || ae.Status == http.StatusNotImplemented:
			// versitygw with root keys only.
			e, noUsers = pier.Errorf(pier.EDEPENDENCY, "The S3 store has no user management: AmplifyBackend storage needs versitygw with an IAM service (such as --iam-dir)."), true
		case ae.Status == http.StatusNotFound || ae.Status == http.StatusMethodNotAllowed:
			// Another store, or versitygw serving its admin API apart.
			e, noUsers = pier.Errorf(pier.EDEPENDENCY, "The S3 store has no user management at %s: AmplifyBackend storage needs versitygw with an IAM service (such as --iam-dir), and the address of its admin API if it listens apart (--admin-port).", a.admin.Redacted()), true
		case ae.Status == http.StatusForbidden:
			e = pier.Errorf(pier.EDEPENDENCY, "The S3 store refused to %s: Pier's S3 credentials are not the store's root or an admin.", op)
		}
	}
	if e == nil {
		e = pier.Errorf(pier.EDEPENDENCY, "The S3 store failed to %s.", op)
	}
	if noUsers {
		return fmt.Errorf("s3 %s: %w: %w: %w", op, e, pier.ErrNoBucketUsers, err)
	}
	return fmt.Errorf("s3 %s: %w: %w", op, e, err)
}

// adminRequest sends a PATCH of path to versitygw's admin API, signed with
// SigV4 for service "s3" like the requests of "versitygw admin", and
// returns an *adminError if the store answers with an error.
func (a *Admin) adminRequest(ctx context.Context, path string, query url.Values, body []byte) error {
	u := a.admin.JoinPath(path)
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: a.accessKey, SecretAccessKey: a.secretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", a.region, time.Now()); err != nil {
		return err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAdminResponse))
	if err != nil {
		return err
	}
	if resp.StatusCode < 300 {
		return nil
	}
	e := &adminError{}
	_ = xml.Unmarshal(data, e) // a store without the route may answer anything
	e.Status = resp.StatusCode
	return e
}
