package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/pier-hosting/pier/awsapi"
)

// logsUsage is the usage line of "pier logs".
const logsUsage = "usage: pier logs APP BRANCH [JOB] [--follow|-f] [--endpoint URL] [--region REGION] [--profile NAME]"

// runLogs implements "pier logs APP BRANCH [JOB]": it prints the log of a
// job (the branch's latest without JOB), step by step, and with --follow
// keeps printing as the job runs until it ends.
func runLogs(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pier logs", flag.ContinueOnError)
	fs.SetOutput(stdout)
	endpoint := fs.String("endpoint", firstNonEmpty(getenv("PIER_ENDPOINT"), "http://127.0.0.1:8750"), "Pier API endpoint (env PIER_ENDPOINT)")
	region := fs.String("region", firstNonEmpty(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), "us-east-1"), "region to sign requests for")
	profile := fs.String("profile", "", "AWS shared configuration profile with the access key (default: the SDK's usual chain)")
	var follow bool
	fs.BoolVar(&follow, "follow", false, "keep printing as the job runs, until it ends")
	fs.BoolVar(&follow, "f", false, "shorthand for --follow")
	// Flags may follow the arguments, as in the usage line.
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) < 2 || len(pos) > 3 {
		return errors.New(logsUsage)
	}
	q := url.Values{"appId": {pos[0]}, "branchName": {pos[1]}}
	if len(pos) == 3 {
		q.Set("jobId", pos[2])
	}
	if follow {
		q.Set("follow", "true")
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(*region)}
	if *profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(*profile))
	}
	req, err := signedGet(ctx, strings.TrimRight(*endpoint, "/")+awsapi.LogsPath+"?"+q.Encode(), *region, opts...)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Message string }
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(body, &e) != nil || e.Message == "" {
			return fmt.Errorf("GET %s: %s", awsapi.LogsPath, resp.Status)
		}
		return fmt.Errorf("%s: %s", resp.Header.Get("X-Amzn-Errortype"), e.Message)
	}
	if _, err := io.Copy(stdout, resp.Body); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read log: %w", err)
	}
	return nil // interrupted (Ctrl-C) while following is how one stops
}

// signedGet returns a GET of rawURL signed with SigV4 for the amplify
// service, with the credentials the AWS SDK's default chain finds.
func signedGet(ctx context.Context, rawURL, region string, opts ...func(*config.LoadOptions) error) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS credentials: %w", err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS credentials: %w", err)
	}
	empty := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(empty[:]), "amplify", region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign request: %w", err)
	}
	return req, nil
}
