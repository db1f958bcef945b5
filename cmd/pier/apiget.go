package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// apiTarget is where the Pier-specific commands (trace, logs, events) send
// their SigV4-signed reads, and as whom.
type apiTarget struct {
	endpoint string // the API's base URL
	region   string // the region requests are signed for
	profile  string // AWS shared configuration profile; "" for the SDK's usual chain
}

// targetFlags defines --endpoint, --region and --profile on fs and returns
// the target they fill in when fs is parsed.
func targetFlags(fs *flag.FlagSet, getenv func(string) string) *apiTarget {
	a := &apiTarget{}
	fs.StringVar(&a.endpoint, "endpoint", firstNonEmpty(getenv("PIER_ENDPOINT"), "http://127.0.0.1:8750"), "Pier API endpoint (env PIER_ENDPOINT)")
	fs.StringVar(&a.region, "region", firstNonEmpty(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), "us-east-1"), "region to sign requests for")
	fs.StringVar(&a.profile, "profile", "", "AWS shared configuration profile with the access key (default: the SDK's usual chain)")
	return a
}

// parseArgs parses args with fs, letting flags follow the positional
// arguments as the usage lines show them, and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

// get sends a signed GET of path?query and returns the response when it is
// 200 OK; any other answer becomes an error with the API's message.
func (a apiTarget) get(ctx context.Context, path string, query url.Values) (*http.Response, error) {
	return a.send(ctx, http.MethodGet, path, query, nil)
}

// send sends a signed request with body (nil for none) and returns the
// response when it is 200 OK; any other answer becomes an error with the
// API's message.
func (a apiTarget) send(ctx context.Context, method, path string, query url.Values, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.endpoint, "/")+path+"?"+query.Encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(a.region)}
	if a.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS credentials: %w", err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "amplify", a.region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct{ Message string }
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(answer, &e) != nil || e.Message == "" {
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return nil, fmt.Errorf("%s: %s", resp.Header.Get("X-Amzn-Errortype"), e.Message)
}
