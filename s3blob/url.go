package s3blob

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseURL parses the location of a blob store,
// "s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1",
// into a Config. The prefix, endpoint and region are optional. Credentials
// are not part of the URL: the caller sets them (and PartSize, if not the
// default).
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("blob store URL: %w", err)
	}
	switch {
	case u.Scheme != "s3" || u.Opaque != "":
		return Config{}, fmt.Errorf("blob store URL %q: want s3://bucket/prefix", raw)
	case u.Host == "":
		return Config{}, fmt.Errorf("blob store URL %q: no bucket", raw)
	case u.User != nil:
		return Config{}, fmt.Errorf("blob store URL %q: credentials do not belong in the URL", raw)
	case u.Fragment != "":
		return Config{}, fmt.Errorf("blob store URL %q: unexpected fragment", raw)
	}
	cfg := Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("blob store URL %q: %w", raw, err)
	}
	for name, values := range q {
		if len(values) != 1 {
			return Config{}, fmt.Errorf("blob store URL %q: %s given %d times", raw, name, len(values))
		}
		switch name {
		case "endpoint":
			cfg.Endpoint = values[0]
		case "region":
			cfg.Region = values[0]
		default:
			return Config{}, fmt.Errorf("blob store URL %q: unknown parameter %q (want endpoint or region)", raw, name)
		}
	}
	if err := cfg.validateLocation(); err != nil {
		return Config{}, fmt.Errorf("blob store URL %q: %w", raw, err)
	}
	return cfg, nil
}
