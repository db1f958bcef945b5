package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/pier-hosting/pier/awsapi"
	"github.com/pier-hosting/pier/edge"
)

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ", ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// runTrace implements "pier trace URL": it asks the API (SigV4-signed) how
// the edge answers a request for URL and prints the explanation.
func runTrace(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pier trace", flag.ContinueOnError)
	fs.SetOutput(stdout)
	endpoint := fs.String("endpoint", firstNonEmpty(getenv("PIER_ENDPOINT"), "http://127.0.0.1:8750"), "Pier API endpoint (env PIER_ENDPOINT)")
	region := fs.String("region", firstNonEmpty(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), "us-east-1"), "region to sign requests for")
	country := fs.String("country", "", "viewer country for <CC> conditions (two letters)")
	asJSON := fs.Bool("json", false, "print the raw JSON answer")
	var headers repeated
	fs.Var(&headers, "header", "request header Key:Value (repeatable), e.g. for Authorization")
	var target string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if target != "" {
			return fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
		target, rest = fs.Arg(0), fs.Args()[1:]
	}
	if target == "" {
		return fmt.Errorf("usage: pier trace URL [--header K:V]… [--country CC] [--endpoint URL] [--json]")
	}
	q := url.Values{"url": {target}}
	q["header"] = headers
	if *country != "" {
		q.Set("country", *country)
	}
	resp, err := apiTarget{endpoint: *endpoint, region: *region}.get(ctx, awsapi.TracePath, q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := stdout.Write(append(body, '\n'))
		return err
	}
	var t edge.Trace
	if err := json.Unmarshal(body, &t); err != nil {
		return err
	}
	printTrace(stdout, &t)
	return nil
}

// printTrace renders a trace for people.
func printTrace(w io.Writer, t *edge.Trace) {
	fmt.Fprintf(w, "GET %s\n  app %s, branch %s", t.URL, t.AppID, t.Branch)
	if t.Country != "" {
		fmt.Fprintf(w, ", viewer country %s", t.Country)
	}
	fmt.Fprintln(w)
	switch {
	case !t.AuthRequired:
		fmt.Fprintln(w, "  basic auth: not required")
	case t.Authorized:
		fmt.Fprintln(w, "  basic auth: required, credentials accepted")
	default:
		fmt.Fprintln(w, "  basic auth: required, credentials missing or wrong")
	}
	fmt.Fprintf(w, "  → %d %s", t.Status, t.Outcome)
	switch {
	case t.Location != "":
		fmt.Fprintf(w, " to %s", t.Location)
	case t.ProxyTarget != "":
		fmt.Fprintf(w, " to %s", t.ProxyTarget)
	case t.File != "":
		fmt.Fprintf(w, ", serving %s", t.File)
	}
	fmt.Fprintln(w)
	if t.ProxyRefused != "" {
		fmt.Fprintf(w, "    but the proxy refuses it: %s\n", t.ProxyRefused)
	}
	if r := t.Rule; r != nil {
		fmt.Fprintf(w, "  matched rule #%d: %s → %s %s %s\n", r.Index, r.Source, r.Target, r.Status, r.Condition)
	} else {
		fmt.Fprintln(w, "  no custom rule matched")
	}
	if len(t.Headers) > 0 {
		fmt.Fprintln(w, "  custom headers:")
		for _, h := range t.Headers {
			fmt.Fprintf(w, "    %s: %s\n", h.Key, h.Value)
		}
		for _, m := range t.HeaderRules {
			fmt.Fprintf(w, "    (pattern %q, line %d)\n", m.Pattern, m.Line)
		}
	}
	for _, r := range t.Ignored {
		fmt.Fprintf(w, "  ignored rule #%d %s → %s: %s\n", r.Index, r.Source, r.Target, r.Reason)
	}
}
