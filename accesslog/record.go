// Package accesslog records the edge's requests and turns them into the
// access logs of GenerateAccessLogs (hosting-semantics §6): the 33
// CloudFront standard-log columns, one CSV row per request.
//
// A Recorder wraps the edge handler. Each request becomes one line of Pier's
// own segment format (see Record.AppendLine), appended to an in-memory batch
// per app; a background flusher writes each batch to the blob store as one
// segment blob every FlushInterval (see SegmentKey for the layout). Nodes
// share nothing but the blob store, so every node's requests are found by
// listing the app's segments: Export writes the CSV of a window, Follow
// tails new segments as nodes flush them.
package accesslog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// Columns are the header row of an access log CSV: CloudFront's standard log
// fields, in order.
var Columns = [33]string{
	"date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)",
	"cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query",
	"cs(Cookie)", "x-edge-result-type", "x-edge-request-id", "x-host-header",
	"cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for", "ssl-protocol",
	"ssl-cipher", "x-edge-response-result-type", "cs-protocol-version",
	"fle-status", "fle-encrypted-fields", "c-port", "time-to-first-byte",
	"x-edge-detailed-result-type", "sc-content-type", "sc-content-len",
	"sc-range-start", "sc-range-end",
}

// Record is one request as the edge answered it. Strings are as received or
// sent (Cookie, User-Agent and the rest are encoded only when written as CSV).
type Record struct {
	// Time is when the response ended, as CloudFront's date and time are.
	Time time.Time
	// EdgeLocation names the node that answered (x-edge-location).
	EdgeLocation string
	// BytesSent counts the response bytes written: status line, headers and
	// body (sc-bytes).
	BytesSent  int64
	ClientIP   string
	ClientPort string
	Method     string
	// HostHeader is the Host header as sent, port included (x-host-header).
	HostHeader string
	// Path is the request path as sent, percent-encoded (cs-uri-stem).
	Path string
	// Query is the raw query string without "?" (cs-uri-query).
	Query     string
	Status    int
	Referer   string
	UserAgent string
	Cookie    string
	RequestID string
	// Protocol is "http" or "https" (cs-protocol).
	Protocol string
	// RequestBytes estimates the request's size: request line, headers and
	// declared body (cs-bytes).
	RequestBytes    int64
	TimeTaken       time.Duration
	ForwardedFor    string
	TLSProtocol     string // "TLSv1.3", "" over plain HTTP
	TLSCipher       string // Go's (IANA) name of the cipher suite
	ProtocolVersion string // "HTTP/1.1", "HTTP/2.0"
	TimeToFirstByte time.Duration
	ContentType     string
	// ContentLength is the response's Content-Length header, -1 without one.
	ContentLength int64
	// RangeStart and RangeEnd come from a 206's Content-Range, -1 without.
	RangeStart, RangeEnd int64
	// Aborted says the response could not be written whole (the client
	// went away).
	Aborted bool
}

// lineVersion starts every line of the segment format, so the format can
// change without misreading old segments.
const lineVersion = "1"

// lineFields is the number of tab-separated fields of a version-1 line.
const lineFields = 28

// AppendLine appends r to b as one line of the segment format: tab-separated
// fields, the version first, strings escaped so that no field holds a tab or
// a line break (\\, \t, \n, \r), ending in "\n".
func (r *Record) AppendLine(b []byte) []byte {
	return r.appendLine(b, "", 0)
}

// appendLine is AppendLine, but with idPrefix set the request id written is
// idPrefix followed by idSeq in base 36, not r.RequestID: the recorder's ids,
// formatted without a string of their own.
func (r *Record) appendLine(b []byte, idPrefix string, idSeq uint64) []byte {
	b = append(b, lineVersion...)
	b = appendInt(b, r.Time.UnixNano())
	b = appendStr(b, r.EdgeLocation)
	b = appendInt(b, r.BytesSent)
	b = appendStr(b, r.ClientIP)
	b = appendStr(b, r.ClientPort)
	b = appendStr(b, r.Method)
	b = appendStr(b, r.HostHeader)
	b = appendStr(b, r.Path)
	b = appendStr(b, r.Query)
	b = appendInt(b, int64(r.Status))
	b = appendStr(b, r.Referer)
	b = appendStr(b, r.UserAgent)
	b = appendStr(b, r.Cookie)
	if idPrefix != "" {
		b = strconv.AppendUint(append(append(b, '\t'), idPrefix...), idSeq, 36)
	} else {
		b = appendStr(b, r.RequestID)
	}
	b = appendStr(b, r.Protocol)
	b = appendInt(b, r.RequestBytes)
	b = appendInt(b, int64(r.TimeTaken))
	b = appendStr(b, r.ForwardedFor)
	b = appendStr(b, r.TLSProtocol)
	b = appendStr(b, r.TLSCipher)
	b = appendStr(b, r.ProtocolVersion)
	b = appendInt(b, int64(r.TimeToFirstByte))
	b = appendStr(b, r.ContentType)
	b = appendInt(b, r.ContentLength)
	b = appendInt(b, r.RangeStart)
	b = appendInt(b, r.RangeEnd)
	if r.Aborted {
		b = append(b, "\t1"...)
	} else {
		b = append(b, "\t0"...)
	}
	return append(b, '\n')
}

// appendInt appends a tab and n in decimal. The values most lines hold
// (absent ranges, one-digit flags) skip strconv.
func appendInt(b []byte, n int64) []byte {
	switch {
	case n == -1:
		return append(b, "\t-1"...)
	case n >= 0 && n < 10:
		return append(b, '\t', '0'+byte(n))
	}
	return strconv.AppendInt(append(b, '\t'), n, 10)
}

// appendStr appends a tab and s escaped. Most values need no escaping:
// checking that takes one test per 8 bytes, and s is then copied whole.
func appendStr(b []byte, s string) []byte {
	b = append(b, '\t')
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte below 0x20, or a zero byte of x^backslashes: the classic
		// "has less than" and "has zero byte" tests.
		y := x ^ (lsb * '\\')
		if ((x-lsb*0x20)&^x|(y-lsb)&^y)&(lsb*0x80) != 0 {
			return appendEscaped(b, s)
		}
	}
	for ; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == '\\' {
			return appendEscaped(b, s)
		}
	}
	return append(b, s...)
}

// lsb has the low bit of every byte of a uint64 set.
const lsb = 0x0101010101010101

// appendEscaped appends s escaped, copying the runs between bytes that need
// escaping whole.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' {
			continue
		}
		var esc byte
		switch c {
		case '\\':
			esc = '\\'
		case '\t':
			esc = 't'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		default:
			continue
		}
		b = append(append(b, s[start:i]...), '\\', esc)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// unescape reverses appendStr's escaping.
func unescape(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				c = '\t'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			default:
				c = s[i]
			}
		}
		out = append(out, c)
	}
	return string(out)
}

// errBadLine reports a line that is not in the segment format.
var errBadLine = errors.New("accesslog: malformed line")

// ParseLine parses one line written by AppendLine (with or without its
// "\n").
func ParseLine(line []byte) (Record, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	f := bytes.Split(line, []byte{'\t'})
	if len(f) != lineFields || string(f[0]) != lineVersion {
		return Record{}, errBadLine
	}
	var err error
	num := func(b []byte) int64 {
		v, e := strconv.ParseInt(string(b), 10, 64)
		if e != nil && err == nil {
			err = errBadLine
		}
		return v
	}
	r := Record{
		Time:            time.Unix(0, num(f[1])).UTC(),
		EdgeLocation:    unescape(f[2]),
		BytesSent:       num(f[3]),
		ClientIP:        unescape(f[4]),
		ClientPort:      unescape(f[5]),
		Method:          unescape(f[6]),
		HostHeader:      unescape(f[7]),
		Path:            unescape(f[8]),
		Query:           unescape(f[9]),
		Status:          int(num(f[10])),
		Referer:         unescape(f[11]),
		UserAgent:       unescape(f[12]),
		Cookie:          unescape(f[13]),
		RequestID:       unescape(f[14]),
		Protocol:        unescape(f[15]),
		RequestBytes:    num(f[16]),
		TimeTaken:       time.Duration(num(f[17])),
		ForwardedFor:    unescape(f[18]),
		TLSProtocol:     unescape(f[19]),
		TLSCipher:       unescape(f[20]),
		ProtocolVersion: unescape(f[21]),
		TimeToFirstByte: time.Duration(num(f[22])),
		ContentType:     unescape(f[23]),
		ContentLength:   num(f[24]),
		RangeStart:      num(f[25]),
		RangeEnd:        num(f[26]),
		Aborted:         string(f[27]) == "1",
	}
	return r, err
}

// Host returns the host the request named, lowercased, without port or
// trailing dot: what domain filters compare.
func (r *Record) Host() string {
	return normalizeHost(r.HostHeader)
}

// normalizeHost lowercases host and strips its port and trailing dot.
func normalizeHost(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// ResultType is the record's x-edge-result-type: Error for a status of 400
// or more or an aborted response, Redirect for a 3xx other than 304, and Hit
// otherwise — the edge serves deployments itself, with no origin behind it.
func (r *Record) ResultType() string {
	switch {
	case r.Aborted || r.Status >= 400:
		return "Error"
	case r.Status >= 300 && r.Status != 304:
		return "Redirect"
	}
	return "Hit"
}

// detailedResultType is x-edge-detailed-result-type: the result type, but
// ClientCommError for a response the client did not take whole.
func (r *Record) detailedResultType() string {
	if r.Aborted {
		return "ClientCommError"
	}
	return r.ResultType()
}

// Row returns the record's 33 CSV fields in Columns order, "-" for empty
// values. Referer, User-Agent, query, cookie and X-Forwarded-For are
// URL-encoded as CloudFront encodes them (see Encode).
func (r *Record) Row() []string {
	t := r.Time.UTC()
	row := []string{
		t.Format("2006-01-02"),
		t.Format("15:04:05"),
		r.EdgeLocation,
		strconv.FormatInt(r.BytesSent, 10),
		r.ClientIP,
		r.Method,
		r.Host(),
		r.Path,
		strconv.Itoa(r.Status),
		Encode(r.Referer),
		Encode(r.UserAgent),
		Encode(r.Query),
		Encode(r.Cookie),
		r.ResultType(),
		r.RequestID,
		Encode(r.HostHeader),
		r.Protocol,
		strconv.FormatInt(r.RequestBytes, 10),
		seconds(r.TimeTaken),
		Encode(r.ForwardedFor),
		r.TLSProtocol,
		r.TLSCipher,
		r.ResultType(),
		r.ProtocolVersion,
		"", // fle-status: Pier has no field-level encryption
		"", // fle-encrypted-fields
		r.ClientPort,
		seconds(r.TimeToFirstByte),
		r.detailedResultType(),
		r.ContentType,
		optInt(r.ContentLength),
		optInt(r.RangeStart),
		optInt(r.RangeEnd),
	}
	for i, v := range row {
		if v == "" {
			row[i] = "-"
		}
	}
	return row
}

// seconds formats d as seconds with millisecond precision, as CloudFront's
// time-taken.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', 3, 64)
}

// optInt formats n, "" when negative (absent).
func optInt(n int64) string {
	if n < 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// Encode URL-encodes a request value as CloudFront's standard logs do:
// bytes 0–32 and 127–255 and the characters < > " # % { } | \ ^ ~ [ ] ` '
// become %XX; everything else stays as it is.
func Encode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if mustEncode(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if mustEncode(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func mustEncode(c byte) bool {
	if c <= 32 || c >= 127 {
		return true
	}
	return strings.IndexByte(`<>"#%{}|\^~[]`+"`'", c) >= 0
}

// CSVWriter writes access log CSV: the header row, then one row per record.
type CSVWriter struct {
	w      *csv.Writer
	header bool
}

// NewCSVWriter returns a CSVWriter on w. Nothing is written until the first
// WriteHeader or Write.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(w)}
}

// WriteHeader writes the header row, once.
func (c *CSVWriter) WriteHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.w.Write(Columns[:])
}

// Write writes r as a row, after the header row.
func (c *CSVWriter) Write(r *Record) error {
	if err := c.WriteHeader(); err != nil {
		return err
	}
	return c.w.Write(r.Row())
}

// Flush writes what is buffered and returns the first error of any write.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
