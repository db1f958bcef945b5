package main

// End-to-end tests of access logs: requests to the edge, GenerateAccessLogs
// through the SDK and its CSV, and "pier logs access --follow".

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"

	"github.com/pier-hosting/pier/accesslog"
)

// accessLogSite is the site the access log tests deploy.
var accessLogSite = files{
	"index.html":       "<h1>home</h1>",
	"about/index.html": "<h1>about</h1>",
	"big.txt":          strings.Repeat("0123456789", 200),
}

// sentRequest is a request a test sent to the edge and what it got back.
type sentRequest struct {
	method, path, query string
	header              http.Header
	status              int
	contentType         string
	contentLength       string
	rangeStart          string
	rangeEnd            string
	bodyBytes           int
}

// send sends method path?query to branch main of appID and records the
// response.
func sendToEdge(t *testing.T, s *testServer, appID, method, path, query string, header http.Header) sentRequest {
	t.Helper()
	u := s.EdgeURL + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "main." + strings.ToLower(appID) + ".localhost"
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := edgeClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sent := sentRequest{
		method: method, path: path, query: query, header: header, status: resp.StatusCode,
		contentType: resp.Header.Get("Content-Type"), contentLength: resp.Header.Get("Content-Length"),
		rangeStart: "-", rangeEnd: "-", bodyBytes: len(body),
	}
	if sent.contentType == "" {
		sent.contentType = "-"
	}
	if sent.contentLength == "" {
		sent.contentLength = "-"
	}
	if cr := resp.Header.Get("Content-Range"); cr != "" {
		rng, _, _ := strings.Cut(strings.TrimPrefix(cr, "bytes "), "/")
		sent.rangeStart, sent.rangeEnd, _ = strings.Cut(rng, "-")
	}
	return sent
}

// accessLogRows calls GenerateAccessLogs, downloads the CSV from logUrl,
// checks its header row and returns the other rows as maps by column.
func accessLogRows(t *testing.T, s *testServer, in *amplify.GenerateAccessLogsInput) []map[string]string {
	t.Helper()
	out, err := s.client.GenerateAccessLogs(t.Context(), in)
	if err != nil {
		t.Fatalf("GenerateAccessLogs: %v", err)
	}
	wantURLUnder(t, "logUrl", aws.ToString(out.LogUrl), s.APIURL)
	resp, err := http.Get(aws.ToString(out.LogUrl))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET logUrl: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	records, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("logUrl is not CSV: %v", err)
	}
	if len(records) == 0 || strings.Join(records[0], ",") != strings.Join(accesslog.Columns[:], ",") {
		t.Fatalf("header row %v, want %v", records, accesslog.Columns)
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		m := map[string]string{}
		for i, col := range accesslog.Columns {
			m[col] = rec[i]
		}
		rows = append(rows, m)
	}
	return rows
}

// TestGenerateAccessLogs sends requests to the edge and checks that the CSV
// of GenerateAccessLogs holds exactly those, with the right values; then the
// operation's errors.
func TestGenerateAccessLogs(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t, "--access-log-flush", "20ms")
	ctx := t.Context()
	appID := newSite(t, s, "access-logs")
	other := newSite(t, s, "access-logs-other")
	s.deploy(t, appID, accessLogSite)
	s.deploy(t, other, accessLogSite)
	if _, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
		AppId: aws.String(appID), DomainName: aws.String("logs.example.com"),
		SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("main")}},
	}); err != nil {
		t.Fatal(err)
	}

	start := time.Now().Add(-time.Second)
	ua := `Mozilla/5.0 (X11; Linux) "pier", test`
	sent := []sentRequest{
		sendToEdge(t, s, appID, "GET", "/", "", nil),
		sendToEdge(t, s, appID, "GET", "/index.html", "a=1&b=two", http.Header{"User-Agent": {ua}, "Referer": {"https://ref.example/x"}}),
		sendToEdge(t, s, appID, "GET", "/missing", "", nil),
		sendToEdge(t, s, appID, "GET", "/big.txt", "", http.Header{"Range": {"bytes=10-29"}}),
		sendToEdge(t, s, appID, "GET", "/about", "", nil),
		sendToEdge(t, s, appID, "HEAD", "/big.txt", "", nil),
	}
	for i, want := range []int{200, 200, 404, 206, 301, 200} {
		if sent[i].status != want {
			t.Fatalf("request %d %s: status %d, want %d", i, sent[i].path, sent[i].status, want)
		}
	}
	sendToEdge(t, s, other, "GET", "/", "", nil) // another app's request
	end := time.Now().Add(time.Second)

	in := &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(appID + ".localhost"), StartTime: &start, EndTime: &end}
	var rows []map[string]string
	// The edge flushes every 20ms; wait for every row rather than for time.
	deadline := time.Now().Add(jobTimeout)
	for rows = accessLogRows(t, s, in); len(rows) < len(sent) && time.Now().Before(deadline); rows = accessLogRows(t, s, in) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(rows) != len(sent) {
		t.Fatalf("%d rows, want %d: %v", len(rows), len(sent), rows)
	}
	host := "main." + strings.ToLower(appID) + ".localhost"
	for i, want := range sent {
		row := rows[i]
		query := want.query
		if query == "" {
			query = "-"
		}
		for col, v := range map[string]string{
			"cs-method": want.method, "cs-uri-stem": want.path, "cs-uri-query": query,
			"sc-status": strconv.Itoa(want.status), "cs(Host)": host,
			"sc-content-type": want.contentType, "sc-content-len": want.contentLength,
			"sc-range-start": want.rangeStart, "sc-range-end": want.rangeEnd,
			"cs-protocol": "http", "cs-protocol-version": "HTTP/1.1", "c-ip": "127.0.0.1",
			"ssl-protocol": "-", "fle-status": "-",
		} {
			if row[col] != v {
				t.Errorf("row %d (%s %s) %s = %q, want %q", i, want.method, want.path, col, row[col], v)
			}
		}
		if row["x-host-header"] != host {
			t.Errorf("row %d x-host-header %q, want %s", i, row["x-host-header"], host)
		}
		if n, err := strconv.Atoi(row["sc-bytes"]); err != nil || n <= want.bodyBytes {
			t.Errorf("row %d sc-bytes %q, want more than the body's %d bytes", i, row["sc-bytes"], want.bodyBytes)
		}
		if ts, err := time.Parse("2006-01-02 15:04:05", row["date"]+" "+row["time"]); err != nil || ts.Before(start.Truncate(time.Second)) || ts.After(end) {
			t.Errorf("row %d date/time %s %s outside the window", i, row["date"], row["time"])
		}
		for _, col := range []string{"time-taken", "time-to-first-byte"} {
			if _, err := strconv.ParseFloat(row[col], 64); err != nil {
				t.Errorf("row %d %s %q is not seconds", i, col, row[col])
			}
		}
	}
	if got, want := rows[1]["cs(User-Agent)"], accesslog.Encode(ua); got != want {
		t.Errorf("cs(User-Agent) %q, want %q", got, want)
	}
	if got := rows[1]["cs(Referer)"]; got != "https://ref.example/x" {
		t.Errorf("cs(Referer) %q", got)
	}
	for i, want := range []string{"Hit", "Hit", "Error", "Hit", "Redirect", "Hit"} {
		if rows[i]["x-edge-result-type"] != want {
			t.Errorf("row %d x-edge-result-type %q, want %s", i, rows[i]["x-edge-result-type"], want)
		}
	}

	t.Run("window before the requests", func(t *testing.T) {
		before, beforeEnd := start.Add(-2*time.Hour), start.Add(-time.Hour)
		if rows := accessLogRows(t, s, &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(appID + ".localhost"), StartTime: &before, EndTime: &beforeEnd}); len(rows) != 0 {
			t.Errorf("%d rows, want none", len(rows))
		}
	})
	t.Run("default window", func(t *testing.T) {
		if rows := accessLogRows(t, s, &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(appID + ".localhost")}); len(rows) != len(sent) {
			t.Errorf("%d rows, want %d", len(rows), len(sent))
		}
	})
	t.Run("custom domain", func(t *testing.T) {
		// No request named logs.example.com: a header row only.
		if rows := accessLogRows(t, s, &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String("logs.example.com"), StartTime: &start}); len(rows) != 0 {
			t.Errorf("%d rows, want none", len(rows))
		}
	})

	long := end.Add(-14*24*time.Hour - time.Second)
	exactly := end.Add(-14 * 24 * time.Hour)
	for _, tc := range []struct {
		name  string
		in    *amplify.GenerateAccessLogsInput
		check func(error)
	}{
		{"more than 14 days", &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(appID + ".localhost"), StartTime: &long, EndTime: &end},
			func(err error) { wantError[*types.BadRequestException](t, err) }},
		{"start only, more than 14 days ago", &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(appID + ".localhost"), StartTime: &long},
			func(err error) { wantError[*types.BadRequestException](t, err) }},
		{"end before start", &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(appID + ".localhost"), StartTime: &end, EndTime: &start},
			func(err error) { wantError[*types.BadRequestException](t, err) }},
		{"unknown domain", &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String("unknown.example.com")},
			func(err error) { wantError[*types.NotFoundException](t, err) }},
		{"another app's default domain", &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(other + ".localhost")},
			func(err error) { wantError[*types.NotFoundException](t, err) }},
		{"unknown app", &amplify.GenerateAccessLogsInput{AppId: aws.String("dnosuchapp0000"), DomainName: aws.String("dnosuchapp0000.localhost")},
			func(err error) { wantError[*types.NotFoundException](t, err) }},
		{"exactly 14 days", &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(appID + ".localhost"), StartTime: &exactly, EndTime: &end},
			func(err error) {
				if err != nil {
					t.Errorf("14 days: %v", err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.client.GenerateAccessLogs(ctx, tc.in)
			tc.check(err)
		})
	}
}

// TestAccessLogsFollow checks "pier logs access": the requests so far, and
// with --follow the requests that come after it started.
func TestAccessLogsFollow(t *testing.T) {
	s := startDeployServer(t, "--access-log-flush", "20ms")
	traceEnv(t, s.AdminKey.ID, s.AdminKey.Secret)
	appID := newSite(t, s, "access-follow")
	s.deploy(t, appID, accessLogSite)
	sendToEdge(t, s, appID, "GET", "/before", "", nil)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"logs", "--endpoint", s.APIURL, "access", appID, "--follow", "--since", "5m"}, pw, func(k string) string { return "" })
		pw.Close()
		done <- err
	}()
	lines := bufio.NewScanner(pr)
	next := func() []string {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("the tail ended: %v", lines.Err())
		}
		rec, err := csv.NewReader(strings.NewReader(lines.Text())).Read()
		if err != nil {
			t.Fatalf("line %q: %v", lines.Text(), err)
		}
		return rec
	}
	if h := next(); strings.Join(h, ",") != strings.Join(accesslog.Columns[:], ",") {
		t.Fatalf("first line %v, want the header row", h)
	}
	if row := next(); row[7] != "/before" || row[8] != "404" {
		t.Fatalf("first row %v, want GET /before 404", row)
	}
	sendToEdge(t, s, appID, "GET", "/", "", nil)
	sendToEdge(t, s, appID, "GET", "/big.txt", "", http.Header{"Range": {"bytes=0-0"}})
	if row := next(); row[7] != "/" || row[8] != "200" {
		t.Fatalf("row %v, want GET / 200", row)
	}
	if row := next(); row[7] != "/big.txt" || row[8] != "206" || row[31] != "0" || row[32] != "0" {
		t.Fatalf("row %v, want GET /big.txt 206 0-0", row)
	}
	cancel()
	_, _ = io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Errorf("pier logs access --follow: %v", err)
	}

	t.Run("without --follow", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(t.Context(), []string{"logs", "--endpoint", s.APIURL, "access", appID}, &out, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(rows) != 4 {
			t.Fatalf("%d rows (%v), want header + 3:\n%s", len(rows), err, out.String())
		}
	})
	t.Run("unknown app", func(t *testing.T) {
		err := run(t.Context(), []string{"logs", "--endpoint", s.APIURL, "access", "d0000000000000"}, io.Discard, func(string) string { return "" })
		if err == nil || !strings.HasPrefix(err.Error(), "NotFoundException: ") {
			t.Errorf("error %v, want NotFoundException", err)
		}
	})
}
