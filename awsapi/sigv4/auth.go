package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	timeFormat = "20060102T150405Z"
	dateFormat = "20060102"
	maxExpires = 7 * 24 * time.Hour
)

// auth is what a request claims about its signature, before any check
// against the secret.
type auth struct {
	presigned     bool
	accessKeyID   string
	date          string   // credential scope: YYYYMMDD
	region        string   // credential scope
	service       string   // credential scope
	signedHeaders []string // lowercase, sorted, without duplicates
	signature     string   // as sent
	amzDate       string   // the request time in ISO 8601 basic format, as signed
	time          time.Time
	expires       time.Duration // presigned lifetime; zero when X-Amz-Expires is absent
}

// parseAuth reads the signature from the Authorization header or, for a
// presigned URL, from the query.
func parseAuth(r *http.Request, query []param) (*auth, error) {
	header := strings.TrimSpace(r.Header.Get("Authorization"))
	presigned := slices.ContainsFunc(query, func(p param) bool {
		return p.key == "X-Amz-Algorithm" || p.key == "X-Amz-Credential" || p.key == "X-Amz-Signature"
	})
	switch {
	case header != "" && presigned:
		return nil, unauthorized("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified.")
	case presigned:
		return parsePresigned(query)
	case header != "":
		return parseHeader(r, header)
	}
	return nil, unauthorized("Missing Authentication Token")
}

// parseHeader reads the header form:
//
//	Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
func parseHeader(r *http.Request, header string) (*auth, error) {
	alg, rest, _ := strings.Cut(header, " ")
	if alg != algorithm {
		return nil, unauthorized("Unsupported authorization type: only %s is accepted.", algorithm)
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if _, dup := fields[name]; !ok || dup {
			return nil, unauthorized("Authorization header requires each component to be of the form name=value, given once.")
		}
		fields[name] = value
	}
	for _, name := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[name] == "" {
			return nil, unauthorized("Authorization header requires '%s' parameter.", name)
		}
	}

	a := &auth{signature: fields["Signature"]}
	if err := a.setCredential(fields["Credential"]); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(fields["SignedHeaders"]); err != nil {
		return nil, err
	}
	if amzDate := r.Header.Get("X-Amz-Date"); amzDate != "" {
		if err := a.setTime(amzDate); err != nil {
			return nil, err
		}
		return a, a.requireSigned("x-amz-date")
	}
	if date := r.Header.Get("Date"); date != "" {
		t, err := http.ParseTime(date)
		if err != nil {
			return nil, unauthorized("Date must be in RFC 1123 format.")
		}
		a.time = t.UTC()
		a.amzDate = a.time.Format(timeFormat)
		return a, a.requireSigned("date")
	}
	return nil, unauthorized("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

// parsePresigned reads the query form, X-Amz-Algorithm=AWS4-HMAC-SHA256&
// X-Amz-Credential=…&X-Amz-Date=…&X-Amz-SignedHeaders=…&X-Amz-Signature=…
// with optional X-Amz-Expires and X-Amz-Security-Token.
func parsePresigned(query []param) (*auth, error) {
	values := map[string]string{}
	for _, p := range query {
		if !strings.HasPrefix(p.key, "X-Amz-") {
			continue
		}
		if _, dup := values[p.key]; dup {
			return nil, unauthorized("Query-string authentication parameters must be given once: %s is repeated.", p.key)
		}
		values[p.key] = p.value
	}
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if values[name] == "" {
			return nil, unauthorized("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders' and 'X-Amz-Date'. Re-examine the query-string parameters.")
		}
	}
	if values["X-Amz-Algorithm"] != algorithm {
		return nil, unauthorized("X-Amz-Algorithm only supports '%s'.", algorithm)
	}

	a := &auth{presigned: true, signature: values["X-Amz-Signature"]}
	if err := a.setCredential(values["X-Amz-Credential"]); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(values["X-Amz-SignedHeaders"]); err != nil {
		return nil, err
	}
	if err := a.setTime(values["X-Amz-Date"]); err != nil {
		return nil, err
	}
	if s, ok := values["X-Amz-Expires"]; ok {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			return nil, unauthorized("X-Amz-Expires should be a number.")
		case n < 1:
			return nil, unauthorized("X-Amz-Expires must be at least 1 second.")
		case time.Duration(n)*time.Second > maxExpires:
			return nil, unauthorized("X-Amz-Expires must be less than a week (in seconds) that is %d.", int(maxExpires.Seconds()))
		}
		a.expires = time.Duration(n) * time.Second
	}
	return a, nil
}

// setCredential parses AKID/YYYYMMDD/REGION/SERVICE/aws4_request.
func (a *auth) setCredential(credential string) error {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || slices.Contains(parts, "") {
		return unauthorized("Credential must have the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request.")
	}
	if parts[4] != terminator {
		return unauthorized("Credential should be scoped with a valid terminator: '%s'.", terminator)
	}
	if _, err := time.Parse(dateFormat, parts[1]); err != nil || len(parts[1]) != len(dateFormat) {
		return unauthorized("Credential should be scoped to a date in the form YYYYMMDD.")
	}
	a.accessKeyID, a.date, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// setSignedHeaders parses a semicolon-separated list of header names, which
// must include host.
func (a *auth) setSignedHeaders(list string) error {
	names := strings.Split(strings.ToLower(list), ";")
	slices.Sort(names)
	if len(slices.Compact(slices.Clone(names))) != len(names) || slices.Contains(names, "") {
		return unauthorized("SignedHeaders must be a list of distinct header names separated by ';'.")
	}
	a.signedHeaders = names
	return a.requireSigned("host")
}

// setTime parses an ISO 8601 basic timestamp such as 20261121T052751Z.
func (a *auth) setTime(amzDate string) error {
	t, err := time.Parse(timeFormat, amzDate)
	if err != nil || len(amzDate) != len(timeFormat) {
		return unauthorized("X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'.")
	}
	a.time, a.amzDate = t, amzDate
	return nil
}

// requireSigned fails unless the header name is among the signed headers.
func (a *auth) requireSigned(name string) error {
	if _, found := slices.BinarySearch(a.signedHeaders, name); !found {
		return unauthorized("'%s' must be a 'SignedHeader' in the AWS Authorization.", name)
	}
	return nil
}
