package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/pier-hosting/pier/awsapi"
)

// logsUsage is the usage line of "pier logs".
const logsUsage = "usage: pier logs APP BRANCH [JOB] [--follow|-f] [--endpoint URL] [--region REGION] [--profile NAME]\n" +
	"       pier logs access APP [--follow|-f] [--since DURATION] [--domain DOMAIN] [--endpoint URL] [--region REGION] [--profile NAME]"

// runLogs implements "pier logs APP BRANCH [JOB]": it prints the log of a
// job (the branch's latest without JOB), step by step, and with --follow
// keeps printing as the job runs until it ends.
func runLogs(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pier logs", flag.ContinueOnError)
	fs.SetOutput(stdout)
	api := targetFlags(fs, getenv)
	var follow bool
	fs.BoolVar(&follow, "follow", false, "keep printing as the job runs, until it ends")
	fs.BoolVar(&follow, "f", false, "shorthand for --follow")
	since := fs.Duration("since", 0, `"logs access": how far back to start (default 10m)`)
	domain := fs.String("domain", "", `"logs access": only requests for this domain and its subdomains`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 && pos[0] == "access" {
		return accessLogs(ctx, api, pos[1:], *since, *domain, follow, stdout)
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
	resp, err := api.get(ctx, awsapi.LogsPath, q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(stdout, resp.Body); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read log: %w", err)
	}
	return nil // interrupted (Ctrl-C) while following is how one stops
}

// accessLogs implements "pier logs access APP": it prints the app's access
// log as CSV (header row first) from --since ago, and with --follow keeps
// printing requests as edge nodes record them, a second or two late, until
// interrupted.
func accessLogs(ctx context.Context, api *apiTarget, pos []string, since time.Duration, domain string, follow bool, stdout io.Writer) error {
	if len(pos) != 1 {
		return errors.New(logsUsage)
	}
	q := url.Values{"appId": {pos[0]}}
	if since > 0 {
		q.Set("since", since.String())
	}
	if domain != "" {
		q.Set("domainName", domain)
	}
	if follow {
		q.Set("follow", "true")
	}
	resp, err := api.get(ctx, awsapi.AccessLogsPath, q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(stdout, resp.Body); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read access log: %w", err)
	}
	return nil
}
