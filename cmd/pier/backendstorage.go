package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/awsapi"
	"github.com/pier-hosting/pier/s3admin"
	"github.com/pier-hosting/pier/service"
)

// backendS3Help documents --backend-s3-endpoint.
const backendS3Help = "S3-compatible store of AmplifyBackend storage, such as versitygw started with --iam-dir " +
	"(keys: PIER_BACKEND_S3_ACCESS_KEY, PIER_BACKEND_S3_SECRET_KEY, else PIER_S3_ACCESS_KEY_ID, PIER_S3_SECRET_ACCESS_KEY; " +
	"they must be allowed to create users); without it the storage operations are refused"

// backendBuckets returns the administrator of the store of AmplifyBackend
// storage, or nil without --backend-s3-endpoint. Its keys come from
// PIER_BACKEND_S3_ACCESS_KEY and PIER_BACKEND_S3_SECRET_KEY, or else from the
// keys of the blob store's S3 (PIER_S3_ACCESS_KEY_ID, PIER_S3_SECRET_ACCESS_KEY).
func (m *Main) backendBuckets() (pier.BucketAdmin, error) {
	c := m.Config
	if c.BackendS3Endpoint == "" {
		return nil, nil
	}
	key, secret := m.getenv("PIER_BACKEND_S3_ACCESS_KEY"), m.getenv("PIER_BACKEND_S3_SECRET_KEY")
	if key == "" && secret == "" {
		key, secret = m.getenv("PIER_S3_ACCESS_KEY_ID"), m.getenv("PIER_S3_SECRET_ACCESS_KEY")
	}
	a, err := s3admin.New(s3admin.Config{Endpoint: c.BackendS3Endpoint, Region: c.Region, AccessKey: key, SecretKey: secret})
	if err != nil {
		return nil, fmt.Errorf("--backend-s3-endpoint: %w", err)
	}
	return a, nil
}

// backendCredentialsUsage is the usage line of "pier backend-credentials".
const backendCredentialsUsage = "usage: pier backend-credentials APP ENV [--endpoint URL] [--region REGION] [--profile NAME]"

// runBackendCredentials implements "pier backend-credentials APP ENV": it
// prints the S3 credential that bucket policies grant the Authenticated
// permissions of the environment's storage resources.
func runBackendCredentials(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pier backend-credentials", flag.ContinueOnError)
	fs.SetOutput(stdout)
	api := targetFlags(fs, getenv)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New(backendCredentialsUsage)
	}
	resp, err := api.get(ctx, awsapi.BackendCredentialsPath,
		url.Values{"appId": {pos[0]}, "backendEnvironmentName": {pos[1]}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out service.BackendCredentials
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out); err != nil {
		return fmt.Errorf("GET %s: %w", awsapi.BackendCredentialsPath, err)
	}
	fmt.Fprintf(stdout, "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_REGION=%s\n", out.AccessKeyID, out.SecretAccessKey, out.Region)
	if out.Endpoint != "" {
		fmt.Fprintf(stdout, "AWS_ENDPOINT_URL_S3=%s\n", out.Endpoint)
	}
	return nil
}
