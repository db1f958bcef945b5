package accesslog

import (
	"bytes"
	"encoding/csv"
	"hash/maphash"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sample is a record with every field set, awkward characters included.
func sample() Record {
	return Record{
		Time:         time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC),
		EdgeLocation: "node-1",
		BytesSent:    1234, ClientIP: "192.0.2.7", ClientPort: "51234",
		Method: "GET", HostHeader: "Main.D1ABC.localhost:8751", Path: "/a%20b/c.html",
		Query: "q=1&x=a b", Status: 206,
		Referer:   "https://example.com/\tpage",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) \"quoted\", 100%\n",
		Cookie:    "a=b; c=d", RequestID: "abc123", Protocol: "https",
		RequestBytes: 321, TimeTaken: 12345 * time.Microsecond,
		ForwardedFor: "203.0.113.9, 198.51.100.1", TLSProtocol: "TLSv1.3",
		TLSCipher: "TLS_AES_128_GCM_SHA256", ProtocolVersion: "HTTP/2.0",
		TimeToFirstByte: 2 * time.Millisecond, ContentType: "text/html; charset=utf-8",
		ContentLength: 100, RangeStart: 0, RangeEnd: 99,
		Aborted: false,
	}
}

func TestLineRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  Record
	}{
		{"every field", sample()},
		{"empty strings and absent numbers", Record{Time: time.Unix(0, 1).UTC(), Status: 404, ContentLength: -1, RangeStart: -1, RangeEnd: -1}},
		{"escapes", Record{Time: time.Unix(5, 0).UTC(), UserAgent: "a\\tb\t\r\n\\", Path: "/\\", Aborted: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := tc.rec.AppendLine(nil)
			if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
				t.Fatalf("line %q is not one line", line)
			}
			got, err := ParseLine(line)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.rec, got); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

// TestAppendStr checks the word-at-a-time escaping against escaping byte by
// byte, for every byte value at every position of strings up to 20 bytes
// (the 8-byte words and the tail both).
func TestAppendStr(t *testing.T) {
	slow := func(s string) string {
		r := strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\n", "\\n", "\r", "\\r")
		return "\t" + r.Replace(s)
	}
	for _, base := range []string{"", "a", "abcdefg", "abcdefgh", "0123456789abcdefghij", "é ünïcödé ✓ 日本"} {
		for pos := 0; pos <= len(base); pos++ {
			for c := 0; c < 256; c++ {
				s := base[:pos] + string([]byte{byte(c)}) + base[pos:]
				if got, want := string(appendStr(nil, s)), slow(s); got != want {
					t.Fatalf("appendStr(%q) = %q, want %q", s, got, want)
				}
				if got := unescape([]byte(appendStr(nil, s)[1:])); got != s {
					t.Fatalf("unescape(appendStr(%q)) = %q", s, got)
				}
			}
		}
	}
}

func TestParseLineRejects(t *testing.T) {
	good := sample()
	line := good.AppendLine(nil)
	for _, tc := range []struct {
		name string
		line string
	}{
		{"empty", ""},
		{"other version", "2" + string(line[1:])},
		{"missing field", string(line[:bytes.LastIndexByte(line, '\t')])},
		{"extra field", strings.TrimSuffix(string(line), "\n") + "\tx"},
		{"bad number", strings.Replace(string(line), "\t1234\t", "\tx\t", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseLine([]byte(tc.line)); err == nil {
				t.Errorf("ParseLine(%q) accepted", tc.line)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"curl/8.0":              "curl/8.0",
		"Mozilla/5.0 (X11; L)":  "Mozilla/5.0%20(X11;%20L)",
		`a"b'c<d>e#f%g{h}i|j\k`: "a%22b%27c%3Cd%3Ee%23f%25g%7Bh%7Di%7Cj%5Ck",
		"^~[]`":                 "%5E%7E%5B%5D%60",
		"tab\tnl\n":             "tab%09nl%0A",
		"é":                     "%C3%A9",
		"a,b=c&d":               "a,b=c&d",
	} {
		if got := Encode(in); got != want {
			t.Errorf("Encode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRow(t *testing.T) {
	r := sample()
	got := r.Row()
	want := []string{
		"2025-03-04", "05:06:07", "node-1", "1234", "192.0.2.7", "GET", "main.d1abc.localhost",
		"/a%20b/c.html", "206", "https://example.com/%09page",
		"Mozilla/5.0%20(X11;%20Linux%20x86_64)%20%22quoted%22,%20100%25%0A",
		"q=1&x=a%20b", "a=b;%20c=d", "Hit", "abc123", "Main.D1ABC.localhost:8751", "https", "321",
		"0.012", "203.0.113.9,%20198.51.100.1", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Hit", "HTTP/2.0",
		"-", "-", "51234", "0.002", "Hit", "text/html; charset=utf-8", "100", "0", "99",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Row (-want +got):\n%s", d)
	}
	if len(got) != len(Columns) {
		t.Errorf("%d fields, want %d", len(got), len(Columns))
	}
	empty := Record{Time: r.Time, Status: 404, ContentLength: -1, RangeStart: -1, RangeEnd: -1}
	row := empty.Row()
	for i, v := range row {
		if v == "" {
			t.Errorf("column %s is empty, want -", Columns[i])
		}
	}
	if row[13] != "Error" || row[30] != "-" || row[31] != "-" {
		t.Errorf("404 row: result %s, content-len %s, range-start %s", row[13], row[30], row[31])
	}
}

func TestResultType(t *testing.T) {
	for _, tc := range []struct {
		rec            Record
		want, detailed string
	}{
		{Record{Status: 200}, "Hit", "Hit"},
		{Record{Status: 304}, "Hit", "Hit"},
		{Record{Status: 301}, "Redirect", "Redirect"},
		{Record{Status: 401}, "Error", "Error"},
		{Record{Status: 502}, "Error", "Error"},
		{Record{Status: 200, Aborted: true}, "Error", "ClientCommError"},
	} {
		if got := tc.rec.ResultType(); got != tc.want {
			t.Errorf("%d aborted=%v: %s, want %s", tc.rec.Status, tc.rec.Aborted, got, tc.want)
		}
		if got := tc.rec.detailedResultType(); got != tc.detailed {
			t.Errorf("%d aborted=%v: detailed %s, want %s", tc.rec.Status, tc.rec.Aborted, got, tc.detailed)
		}
	}
}

// TestCSV checks that the CSV is proper CSV: a reader gets back the header
// and every field, commas and quotes included.
func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	r := sample()
	r.ContentType = `text/plain; name="a,b"`
	err := WriteCSV(&buf, func(fn func(*Record) error) error { return fn(&r) })
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want header + 1", len(rows))
	}
	if d := cmp.Diff(Columns[:], rows[0]); d != "" {
		t.Errorf("header (-want +got):\n%s", d)
	}
	if d := cmp.Diff(r.Row(), rows[1]); d != "" {
		t.Errorf("row (-want +got):\n%s", d)
	}
}

func TestContentRange(t *testing.T) {
	for in, want := range map[string][2]int64{
		"bytes 0-99/1234":  {0, 99},
		"bytes 10-10/*":    {10, 10},
		"bytes */1234":     {-1, -1},
		"":                 {-1, -1},
		"items 0-1/2":      {-1, -1},
		"bytes 5-x/10":     {-1, -1},
		"bytes 100-199/99": {100, 199},
	} {
		a, b := contentRange(in)
		if [2]int64{a, b} != want {
			t.Errorf("contentRange(%q) = %d, %d, want %v", in, a, b, want)
		}
	}
}

func TestDefaultDomainApp(t *testing.T) {
	appOf := DefaultDomainApp("localhost")
	for host, want := range map[string]string{
		"main.d1abc.localhost":       "d1abc",
		"Main.D1ABC.localhost:8751":  "d1abc",
		"main.d1abc.localhost.":      "d1abc",
		"d1abc.localhost":            "",
		"a.b.d1abc.localhost":        "",
		"main.d1abc.example.com":     "",
		"localhost":                  "",
		"main.d1abc.notlocalhost:80": "",
	} {
		if got := appOf(host); got != want {
			t.Errorf("AppOf(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestAppendInt(t *testing.T) {
	for _, n := range []int64{-12, -10, -2, -1, 0, 1, 9, 10, 99, 100, 1 << 40, -1 << 63, 1<<63 - 1} {
		if got, want := string(appendInt(nil, n)), "\t"+strconv.FormatInt(n, 10); got != want {
			t.Errorf("appendInt(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestHostCache checks that the recorder reuses AppOf's answers for a host
// for hostTTL, and never an answer of no app.
func TestHostCache(t *testing.T) {
	apps := map[string]string{"a.d1.localhost": "d1", "b.d2.localhost": "d2"}
	calls := 0
	appOf := func(host string) string { calls++; return apps[host] }
	c := hostCache{seed: maphash.MakeSeed()}
	const s = int64(time.Second)
	for i, step := range []struct {
		host  string
		now   int64
		want  string
		calls int
	}{
		{"a.d1.localhost", 0, "d1", 1},
		{"a.d1.localhost", s / 2, "d1", 1}, // cached
		{"b.d2.localhost", s / 2, "d2", 2},
		{"x.example.com", s / 2, "", 3},
		{"x.example.com", s / 2, "", 4}, // no app: asked again
		{"a.d1.localhost", s, "d1", 5},  // expired
		{"a.d1.localhost", s + 1, "d1", 5},
	} {
		if got := c.lookup(step.host, step.now, appOf); got != step.want || calls != step.calls {
			t.Errorf("step %d: lookup(%q) = %q after %d calls, want %q after %d", i, step.host, got, calls, step.want, step.calls)
		}
	}
}
