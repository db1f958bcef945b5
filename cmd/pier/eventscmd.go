package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"

	"github.com/pier-hosting/pier/awsapi"
)

// eventsUsage is the usage line of "pier events".
const eventsUsage = "usage: pier events APP [--endpoint URL] [--region REGION] [--profile NAME]"

// runEvents implements "pier events APP": it prints the URL and the secret
// to configure as the app's webhook on its Git provider.
func runEvents(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pier events", flag.ContinueOnError)
	fs.SetOutput(stdout)
	api := targetFlags(fs, getenv)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New(eventsUsage)
	}
	resp, err := api.get(ctx, awsapi.GitEventsPath, url.Values{"appId": {pos[0]}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct{ URL, Secret string }
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out); err != nil {
		return fmt.Errorf("GET %s: %w", awsapi.GitEventsPath, err)
	}
	fmt.Fprintf(stdout, "URL:    %s\nSecret: %s\n\n", out.URL, out.Secret)
	fmt.Fprintf(stdout, "Add a webhook with this URL (content type application/json) and secret to the repository:\n"+
		"  GitHub, Gitea, Forgejo: secret; events push, create, delete, pull request\n"+
		"  GitLab: secret token; push and merge request events\n"+
		"  Bitbucket: secret; repository push and pull request created, updated, merged, declined\n")
	return nil
}
