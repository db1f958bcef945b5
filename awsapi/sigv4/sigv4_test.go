package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/awsapi/sigv4"
)

// now is the server's clock in every test.
var now = time.Date(2026, time.November, 21, 5, 27, 51, 0, time.UTC)

var (
	alice   = aws.Credentials{AccessKeyID: "AKIAPIERALICE0000001", SecretAccessKey: "alice/Secret+Key00000000000000000000000000"}
	mallory = aws.Credentials{AccessKeyID: alice.AccessKeyID, SecretAccessKey: "mallory/Guess000000000000000000000000000000"}
	nobody  = aws.Credentials{AccessKeyID: "AKIAPIERNOBODY000001", SecretAccessKey: "nobody/Secret0000000000000000000000000000"}
	withTok = aws.Credentials{AccessKeyID: alice.AccessKeyID, SecretAccessKey: alice.SecretAccessKey, SessionToken: "FwoGZXIvYXdzEPIER//session+token=="}

	keys = fakeCredentials{alice.AccessKeyID: {Secret: alice.SecretAccessKey, AccountID: "123456789012"}}
)

// fakeCredentials is a Credentials backed by a map from access key id.
type fakeCredentials map[string]pier.AccessKey

func (c fakeCredentials) SecretFor(_ context.Context, accessKeyID string) (string, string, error) {
	k, ok := c[accessKeyID]
	if !ok {
		return "", "", pier.Errorf(pier.ENOTFOUND, "access key %s not found", accessKeyID)
	}
	return k.Secret, k.AccountID, nil
}

// failingCredentials is a Credentials whose store is down.
type failingCredentials struct{ err error }

func (c failingCredentials) SecretFor(context.Context, string) (string, string, error) {
	return "", "", c.err
}

func newVerifier(c sigv4.Credentials) *sigv4.Verifier {
	return &sigv4.Verifier{
		Credentials: c,
		Services:    []string{"amplify", "amplifybackend"},
		Now:         func() time.Time { return now },
	}
}

// request is what an Amplify SDK sends, before signing.
type request struct {
	method string
	target string // escaped path and raw query, as on the wire
	body   string
	header map[string]string
}

var (
	sdkHeaders = map[string]string{
		"Amz-Sdk-Invocation-Id": "0d6a7c9e-3f1b-4b8e-9a51-2a7e7c1d5f00",
		"Amz-Sdk-Request":       "attempt=1;   max=3", // runs of spaces are collapsed when signing
	}
	jsonHeaders = map[string]string{
		"Content-Type":          "application/json",
		"Amz-Sdk-Invocation-Id": "0d6a7c9e-3f1b-4b8e-9a51-2a7e7c1d5f00",
		"Amz-Sdk-Request":       "attempt=1; max=3",
	}

	createApp        = request{method: "POST", target: "/apps", body: `{"name":"site","platform":"WEB"}`, header: jsonHeaders}
	listApps         = request{method: "GET", target: "/apps?maxResults=1&nextToken=tok%2F%2B%3D", header: sdkHeaders}
	untagResource    = request{method: "DELETE", target: "/tags/arn%3Aaws%3Aamplify%3Aus-east-1%3A123456789012%3Aapps%2Fd1abc%2Fbranches%2Ffeature%2Fx?tagKeys=k1&tagKeys=k%2F2", header: sdkHeaders}
	createDeployment = request{method: "POST", target: "/apps/d1abc/branches/feature%2Fx%20y/deployments", body: "{}", header: jsonHeaders}
	listS3Buckets    = request{method: "POST", target: "/s3Buckets", body: "{}", header: jsonHeaders}
)

// with returns a copy of r with an extra header.
func (r request) with(name, value string) request {
	h := map[string]string{name: value}
	for k, v := range r.header {
		h[k] = v
	}
	r.header = h
	return r
}

// newClientRequest builds r as an HTTP client request to baseURL.
func (r request) newClientRequest(t testing.TB, baseURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(r.method, baseURL+r.target, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	return req
}

// signing says how the client signs; zero fields take the defaults of
// withDefaults.
type signing struct {
	creds   aws.Credentials
	service string
	region  string
	at      time.Time
	expires time.Duration // presigned only: X-Amz-Expires when set
	payload string        // presigned only: the payload hash, "" for the body's
}

func (s signing) withDefaults() signing {
	if s.creds.AccessKeyID == "" {
		s.creds = alice
	}
	if s.service == "" {
		s.service = "amplify"
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.at.IsZero() {
		s.at = now
	}
	return s
}

// signFunc signs a client request and returns the request to send.
type signFunc func(t testing.TB, r *http.Request, body string) *http.Request

// signHeader signs with the Authorization header, as the SDK's API clients
// do. The payload hash is X-Amz-Content-Sha256 when the request has one.
func signHeader(s signing) signFunc {
	s = s.withDefaults()
	return func(t testing.TB, r *http.Request, body string) *http.Request {
		t.Helper()
		payload := r.Header.Get("X-Amz-Content-Sha256")
		if payload == "" {
			payload = sha256Hex(body)
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, r, payload, s.service, s.region, s.at); err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// presign signs with query parameters, as presigned URLs are.
func presign(s signing) signFunc {
	s = s.withDefaults()
	return func(t testing.TB, r *http.Request, body string) *http.Request {
		t.Helper()
		payload := s.payload
		if payload == "" {
			payload = sha256Hex(body)
		}
		if s.expires > 0 {
			q := r.URL.Query()
			q.Set("X-Amz-Expires", strconv.Itoa(int(s.expires.Seconds())))
			r.URL.RawQuery = q.Encode()
		}
		signedURL, signedHeader, err := v4.NewSigner().PresignHTTP(context.Background(), s.creds, r, payload, s.service, s.region, s.at)
		if err != nil {
			t.Fatal(err)
		}
		presigned, err := http.NewRequest(r.Method, signedURL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range signedHeader {
			if k != "Host" {
				presigned.Header[k] = v
			}
		}
		return presigned
	}
}

// Tampering with a signed request on its way to the server.

func setBody(body string) func(*http.Request) {
	return func(r *http.Request) {
		r.Body, r.ContentLength, r.GetBody = io.NopCloser(strings.NewReader(body)), int64(len(body)), nil
	}
}

func setPath(escapedPath string) func(*http.Request) {
	return func(r *http.Request) {
		u, err := url.Parse(r.URL.Scheme + "://" + r.URL.Host + escapedPath + "?" + r.URL.RawQuery)
		if err != nil {
			panic(err)
		}
		r.URL = u
	}
}

func editQuery(old, new string) func(*http.Request) {
	return func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, old, new, 1) }
}

func setHeader(name, value string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

func editAuthorization(old, new string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

// result is how verifyServer reports the outcome of Verify to the client.
type result struct {
	Identity sigv4.Identity
	Code     string
	Message  string
}

// verifyServer starts an HTTP server that reads each request's body and
// reports what v.Verify makes of it.
func verifyServer(t *testing.T, v *sigv4.Verifier) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, err := v.Verify(r, body)
		json.NewEncoder(w).Encode(result{Identity: id, Code: pier.ErrorCode(err), Message: pier.ErrorMessage(err)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

var (
	msgMismatch = "The request signature we calculated does not match the signature you provided."
	hexSHA256   = regexp.MustCompile(`[0-9a-f]{64}`)
)

// TestVerify signs requests with the SDK's signer, sends them to a real
// server and checks what Verify decides there.
func TestVerify(t *testing.T) {
	aliceID := func(region, service string) sigv4.Identity {
		return sigv4.Identity{AccessKeyID: alice.AccessKeyID, AccountID: "123456789012", Region: region, Service: service}
	}
	tests := []struct {
		name    string
		req     request
		sign    signFunc // nil: not signed
		tamper  func(*http.Request)
		want    sigv4.Identity
		wantErr string // a part of the error message; "" for success
	}{
		{name: "header/POST with JSON body", req: createApp, sign: signHeader(signing{}), want: aliceID("us-east-1", "amplify")},
		{name: "header/GET with escaped query", req: listApps, sign: signHeader(signing{}), want: aliceID("us-east-1", "amplify")},
		{name: "header/DELETE of an ARN path with repeated query keys", req: untagResource, sign: signHeader(signing{}), want: aliceID("us-east-1", "amplify")},
		{name: "header/branch name with slash and space", req: createDeployment, sign: signHeader(signing{}), want: aliceID("us-east-1", "amplify")},
		{name: "header/session token", req: createApp, sign: signHeader(signing{creds: withTok}), want: aliceID("us-east-1", "amplify")},
		{name: "header/amplifybackend", req: listS3Buckets, sign: signHeader(signing{service: "amplifybackend"}), want: aliceID("us-east-1", "amplifybackend")},
		{name: "header/other region accepted and reported", req: createApp, sign: signHeader(signing{region: "eu-west-3"}), want: aliceID("eu-west-3", "amplify")},
		{name: "header/skew within limit", req: listApps, sign: signHeader(signing{at: now.Add(-14 * time.Minute)}), want: aliceID("us-east-1", "amplify")},
		{name: "header/content hash given and matching", req: createApp.with("X-Amz-Content-Sha256", sha256Hex(createApp.body)), sign: signHeader(signing{}), want: aliceID("us-east-1", "amplify")},
		{name: "header/unsigned payload", req: createApp.with("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"), sign: signHeader(signing{}), want: aliceID("us-east-1", "amplify")},

		{name: "presigned/unsigned payload", req: listApps, sign: presign(signing{expires: 15 * time.Minute, payload: "UNSIGNED-PAYLOAD"}), want: aliceID("us-east-1", "amplify")},
		{name: "presigned/payload hash without expiry", req: untagResource, sign: presign(signing{}), want: aliceID("us-east-1", "amplify")},
		{name: "presigned/session token", req: listApps, sign: presign(signing{creds: withTok, expires: time.Minute, payload: "UNSIGNED-PAYLOAD"}), want: aliceID("us-east-1", "amplify")},
		{name: "presigned/expiry beyond skew", req: listApps, sign: presign(signing{at: now.Add(-50 * time.Minute), expires: time.Hour, payload: "UNSIGNED-PAYLOAD"}), want: aliceID("us-east-1", "amplify")},
		{name: "presigned/other region", req: createDeployment, sign: presign(signing{region: "ap-southeast-2", expires: time.Hour}), want: aliceID("ap-southeast-2", "amplify")},

		{name: "missing authorization", req: createApp, wantErr: "Missing Authentication Token"},
		{name: "malformed authorization", req: createApp, sign: signHeader(signing{}), tamper: editAuthorization(", Signature=", ", Sig="), wantErr: "Authorization header requires 'Signature' parameter."},
		{name: "unsupported algorithm", req: createApp, sign: signHeader(signing{}), tamper: editAuthorization("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"), wantErr: "Unsupported authorization type"},
		{name: "unknown access key", req: createApp, sign: signHeader(signing{creds: nobody}), wantErr: "The security token included in the request is invalid."},
		{name: "wrong secret", req: createApp, sign: signHeader(signing{creds: mallory}), wantErr: msgMismatch},
		{name: "wrong service in scope", req: createApp, sign: signHeader(signing{service: "s3"}), wantErr: "Credential should be scoped to a valid service: amplify, amplifybackend."},
		{name: "tampered body", req: createApp, sign: signHeader(signing{}), tamper: setBody(`{"name":"evil","platform":"WEB"}`), wantErr: msgMismatch},
		{name: "tampered path", req: createDeployment, sign: signHeader(signing{}), tamper: setPath("/apps/d1abc/branches/feature%2Fz%20y/deployments"), wantErr: msgMismatch},
		{name: "path sent with another escaping", req: createDeployment, sign: signHeader(signing{}), tamper: setPath("/apps/d1abc/branches/feature/x%20y/deployments"), wantErr: msgMismatch},
		{name: "tampered query", req: listApps, sign: signHeader(signing{}), tamper: editQuery("maxResults=1", "maxResults=100"), wantErr: msgMismatch},
		{name: "tampered repeated query key", req: untagResource, sign: signHeader(signing{}), tamper: editQuery("tagKeys=k1", "tagKeys=k3"), wantErr: msgMismatch},
		{name: "tampered signed header", req: createApp, sign: signHeader(signing{}), tamper: setHeader("Amz-Sdk-Request", "attempt=2; max=3"), wantErr: msgMismatch},
		{name: "host not signed", req: listApps, sign: signHeader(signing{}), tamper: editAuthorization(";host;", ";"), wantErr: "'host' must be a 'SignedHeader'"},
		{name: "content hash mismatch", req: createApp.with("X-Amz-Content-Sha256", sha256Hex("{}")), sign: signHeader(signing{}), wantErr: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "streaming payload refused", req: createApp.with("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), sign: signHeader(signing{}), wantErr: "Streaming payloads"},
		{name: "signed 20 minutes ago", req: createApp, sign: signHeader(signing{at: now.Add(-20 * time.Minute)}), wantErr: "Signature expired: 20261121T050751Z is now earlier than 20261121T051251Z (20261121T052751Z - 15m0s)."},
		{name: "signed 20 minutes ahead", req: createApp, sign: signHeader(signing{at: now.Add(20 * time.Minute)}), wantErr: "Signature not yet current: 20261121T054751Z is still later than 20261121T054251Z (20261121T052751Z + 15m0s)."},
		{name: "presigned/expired", req: listApps, sign: presign(signing{at: now.Add(-2 * time.Hour), expires: time.Hour, payload: "UNSIGNED-PAYLOAD"}), wantErr: "Request has expired"},
		{name: "presigned/stale without expiry", req: listApps, sign: presign(signing{at: now.Add(-20 * time.Minute), payload: "UNSIGNED-PAYLOAD"}), wantErr: "Signature expired"},
		{name: "presigned/tampered query", req: listApps, sign: presign(signing{expires: time.Hour, payload: "UNSIGNED-PAYLOAD"}), tamper: editQuery("maxResults=1", "maxResults=2"), wantErr: msgMismatch},
		{name: "presigned/tampered body", req: createApp, sign: presign(signing{expires: time.Hour}), tamper: setBody(`{"name":"evil","platform":"WEB"}`), wantErr: msgMismatch},
		{name: "presigned/wrong secret", req: listApps, sign: presign(signing{creds: mallory, expires: time.Hour, payload: "UNSIGNED-PAYLOAD"}), wantErr: msgMismatch},
	}
	srv := verifyServer(t, newVerifier(keys))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req.newClientRequest(t, srv.URL)
			if tt.sign != nil {
				req = tt.sign(t, req, tt.req.body)
			}
			if tt.tamper != nil {
				tt.tamper(req)
			}
			got := send(t, srv.Client(), req)

			if tt.wantErr == "" {
				if got.Code != "" {
					t.Fatalf("Verify failed: %s: %s", got.Code, got.Message)
				}
				if got.Identity != tt.want {
					t.Errorf("identity = %+v, want %+v", got.Identity, tt.want)
				}
				return
			}
			if got.Code != pier.EUNAUTHORIZED {
				t.Errorf("code = %q (%s), want %q", got.Code, got.Message, pier.EUNAUTHORIZED)
			}
			if !strings.Contains(got.Message, tt.wantErr) {
				t.Errorf("message = %q, want it to contain %q", got.Message, tt.wantErr)
			}
			if strings.Contains(got.Message, alice.SecretAccessKey) || hexSHA256.MatchString(got.Message) {
				t.Errorf("message %q leaks a secret or a signature", got.Message)
			}
		})
	}
}

// send sends req and decodes the server's result.
func send(t *testing.T, client *http.Client, req *http.Request) result {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got result
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("status %s: %v", resp.Status, err)
	}
	return got
}

// TestVerifyMalformed checks requests no SDK sends, built as a server
// receives them.
func TestVerifyMalformed(t *testing.T) {
	const (
		credential = "AKIAPIERALICE0000001/20261121/us-east-1/amplify/aws4_request"
		signature  = "Signature=0000000000000000000000000000000000000000000000000000000000000000"
		amzDate    = "20261121T052751Z"
	)
	authz := "AWS4-HMAC-SHA256 Credential=" + credential + ", SignedHeaders=host;x-amz-date, " + signature
	presigned := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + url.QueryEscape(credential) +
		"&X-Amz-Date=" + amzDate + "&X-Amz-SignedHeaders=host&X-Amz-" + signature
	tests := []struct {
		name    string
		target  string
		header  map[string]string
		wantErr string
	}{
		{"no authorization", "/apps", nil, "Missing Authentication Token"},
		{"empty authorization", "/apps", map[string]string{"Authorization": " "}, "Missing Authentication Token"},
		{"algorithm only", "/apps", map[string]string{"Authorization": "AWS4-HMAC-SHA256", "X-Amz-Date": amzDate}, "requires 'Credential' parameter"},
		{"component without value", "/apps", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential", "X-Amz-Date": amzDate}, "of the form name=value"},
		{"repeated component", "/apps", map[string]string{"Authorization": authz + ", " + signature, "X-Amz-Date": amzDate}, "given once"},
		{"no signed headers", "/apps", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=" + credential + ", " + signature, "X-Amz-Date": amzDate}, "requires 'SignedHeaders' parameter"},
		{"signature v2", "/apps", map[string]string{"Authorization": "AWS AKIAPIERALICE0000001:frJIUN8DYpKDtOLCwo//yllqDzg="}, "Unsupported authorization type"},
		{"bearer token", "/apps", map[string]string{"Authorization": "Bearer abc"}, "Unsupported authorization type"},
		{"credential with four parts", "/apps", map[string]string{"Authorization": strings.Replace(authz, "/us-east-1", "", 1), "X-Amz-Date": amzDate}, "Credential must have the form"},
		{"credential with empty region", "/apps", map[string]string{"Authorization": strings.Replace(authz, "us-east-1", "", 1), "X-Amz-Date": amzDate}, "Credential must have the form"},
		{"credential with wrong terminator", "/apps", map[string]string{"Authorization": strings.Replace(authz, "aws4_request", "aws4_reqest", 1), "X-Amz-Date": amzDate}, "valid terminator"},
		{"credential with bad date", "/apps", map[string]string{"Authorization": strings.Replace(authz, "20261121", "2026-11-21", 1), "X-Amz-Date": amzDate}, "date in the form YYYYMMDD"},
		{"credential of another day", "/apps", map[string]string{"Authorization": authz, "X-Amz-Date": "20261122T000001Z"}, "Date in Credential scope does not match"},
		{"duplicate signed header", "/apps", map[string]string{"Authorization": strings.Replace(authz, "host;x-amz-date", "host;Host;x-amz-date", 1), "X-Amz-Date": amzDate}, "distinct header names"},
		{"x-amz-date not signed", "/apps", map[string]string{"Authorization": strings.Replace(authz, "host;x-amz-date", "host", 1), "X-Amz-Date": amzDate}, "'x-amz-date' must be a 'SignedHeader'"},
		{"date not signed", "/apps", map[string]string{"Authorization": strings.Replace(authz, "host;x-amz-date", "host", 1), "Date": "Sat, 21 Nov 2026 05:27:51 GMT"}, "'date' must be a 'SignedHeader'"},
		{"no date", "/apps", map[string]string{"Authorization": authz}, "either a 'X-Amz-Date' or a 'Date' header"},
		{"bad x-amz-date", "/apps", map[string]string{"Authorization": authz, "X-Amz-Date": "2026-11-21T05:27:51Z"}, "ISO 8601 basic format"},
		{"x-amz-date with fraction", "/apps", map[string]string{"Authorization": authz, "X-Amz-Date": "20261121T052751.5Z"}, "ISO 8601 basic format"},
		{"bad date", "/apps", map[string]string{"Authorization": strings.Replace(authz, "x-amz-date", "date", 1), "Date": "yesterday"}, "RFC 1123"},
		{"header and query", "/apps?" + presigned, map[string]string{"Authorization": authz, "X-Amz-Date": amzDate}, "Only one auth mechanism allowed"},
		{"bad query escape", "/apps?nextToken=%zz", map[string]string{"Authorization": authz, "X-Amz-Date": amzDate}, "not properly percent-encoded"},
		{"presigned without signature", "/apps?" + strings.Replace(presigned, "&X-Amz-"+signature, "", 1), nil, "must include 'X-Amz-Algorithm'"},
		{"presigned with another algorithm", "/apps?" + strings.Replace(presigned, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1), nil, "only supports 'AWS4-HMAC-SHA256'"},
		{"presigned repeated parameter", "/apps?" + presigned + "&X-Amz-Date=" + amzDate, nil, "X-Amz-Date is repeated"},
		{"presigned host not signed", "/apps?" + strings.Replace(presigned, "SignedHeaders=host", "SignedHeaders=content-type", 1), nil, "'host' must be a 'SignedHeader'"},
		{"presigned expiry not a number", "/apps?" + presigned + "&X-Amz-Expires=soon", nil, "should be a number"},
		{"presigned expiry zero", "/apps?" + presigned + "&X-Amz-Expires=0", nil, "at least 1 second"},
		{"presigned expiry over a week", "/apps?" + presigned + "&X-Amz-Expires=604801", nil, "less than a week"},
		{"presigned bad date", "/apps?" + strings.Replace(presigned, amzDate, "now", 1), nil, "ISO 8601 basic format"},
	}
	v := newVerifier(keys)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://pier.test"+tt.target, nil)
			for k, val := range tt.header {
				r.Header.Set(k, val)
			}
			_, err := v.Verify(r, nil)
			var perr *pier.Error
			if !errors.As(err, &perr) || perr.Code != pier.EUNAUTHORIZED {
				t.Fatalf("err = %v, want a *pier.Error with code %q", err, pier.EUNAUTHORIZED)
			}
			if !strings.Contains(perr.Message, tt.wantErr) {
				t.Errorf("message = %q, want it to contain %q", perr.Message, tt.wantErr)
			}
		})
	}
}

// TestVerifyDateHeader checks the Date header form against get-vanilla of
// the AWS SigV4 test suite (2011-09-09), which no current SDK produces.
func TestVerifyDateHeader(t *testing.T) {
	r := httptest.NewRequest("GET", "http://host.foo.com/", nil)
	r.Header.Set("Date", "Mon, 09 Sep 2011 23:36:00 GMT")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders=date;host, Signature=b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470")
	v := &sigv4.Verifier{
		Credentials: fakeCredentials{"AKIDEXAMPLE": {Secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", AccountID: "111122223333"}},
		Services:    []string{"host"},
		Now:         func() time.Time { return time.Date(2011, time.September, 9, 23, 40, 0, 0, time.UTC) },
	}
	got, err := v.Verify(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := sigv4.Identity{AccessKeyID: "AKIDEXAMPLE", AccountID: "111122223333", Region: "us-east-1", Service: "host"}
	if got != want {
		t.Errorf("identity = %+v, want %+v", got, want)
	}
}

// TestVerifyCredentialsFailure checks that a failing credential store is an
// internal error, not an authentication failure.
func TestVerifyCredentialsFailure(t *testing.T) {
	boom := errors.New("database is locked")
	r, body := serverRequest(t, createApp, signHeader(signing{}))
	_, err := newVerifier(failingCredentials{boom}).Verify(r, body)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
	if code := pier.ErrorCode(err); code != pier.EINTERNAL {
		t.Errorf("code = %q, want %q", code, pier.EINTERNAL)
	}
}

// TestVerifyDefaults checks that a zero MaxSkew means 15 minutes and a nil
// Now means the real clock.
func TestVerifyDefaults(t *testing.T) {
	tests := []struct {
		name    string
		at      time.Time
		wantErr bool
	}{
		{"now", time.Now(), false},
		{"14 minutes ago", time.Now().Add(-14 * time.Minute), false},
		{"16 minutes ago", time.Now().Add(-16 * time.Minute), true},
	}
	v := &sigv4.Verifier{Credentials: keys, Services: []string{"amplify"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := serverRequest(t, listApps, signHeader(signing{at: tt.at}))
			if _, err := v.Verify(r, body); (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %t", err, tt.wantErr)
			}
		})
	}
}

// serverRequest signs req and returns it as net/http's server parses it
// from the wire, with its body.
func serverRequest(t testing.TB, req request, sign signFunc) (*http.Request, []byte) {
	t.Helper()
	signed := sign(t, req.newClientRequest(t, "http://pier.test:8080"), req.body)
	var wire bytes.Buffer
	if err := signed.Write(&wire); err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

func BenchmarkVerify(b *testing.B) {
	v := newVerifier(keys)
	r, body := serverRequest(b, createDeployment, signHeader(signing{}))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, body); err != nil {
			b.Fatal(err)
		}
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
