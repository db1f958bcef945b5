package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"

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
	resp, err := apiTarget{*endpoint, *region, *profile}.get(ctx, awsapi.LogsPath, q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(stdout, resp.Body); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read log: %w", err)
	}
	return nil // interrupted (Ctrl-C) while following is how one stops
}
