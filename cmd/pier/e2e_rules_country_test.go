package main

// Country conditions (R25, R26): the viewer's country comes from a trusted
// proxy's CloudFront-Viewer-Country header or from a GeoIP database; with
// neither, a <CC> condition never matches.

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Viewer addresses of the test GeoIP database (documentation ranges), sent
// in X-Forwarded-For by a trusted proxy. The database also places
// 127.0.0.1 in the US.
const (
	geoUS = "203.0.113.9"
	geoDE = "198.51.100.7"
)

// writeGeoDB writes a tiny country database, as geoip's tests do, and
// returns its path.
func writeGeoDB(t *testing.T) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-Country", IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for network, cc := range map[string]string{"127.0.0.1/32": "US", "203.0.113.0/24": "US", "198.51.100.0/24": "DE"} {
		_, ipnet, err := net.ParseCIDR(network)
		if err != nil {
			t.Fatal(err)
		}
		rec := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(cc)}}
		if err := tree.Insert(ipnet, rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRulesCountry runs the country vectors on servers configured
// otherwise than TestRulesVectors's: with only a GeoIP database (which
// places the client, 127.0.0.1, in the US, and whose headers are not
// believed), and with neither database nor trusted proxy.
func TestRulesCountry(t *testing.T) {
	t.Parallel()
	redirected := vectorWant{status: http.StatusFound, location: "/documents/us/"}
	skipped := vectorWant{status: http.StatusOK, file: "documents.html"}
	for _, tt := range []struct {
		name  string
		geoDB bool
		want  map[string]vectorWant // by vector name
	}{
		{name: "GeoIP database", geoDB: true, want: map[string]vectorWant{
			"R25 unknown viewer":                        redirected,
			"R26 viewer DE by trusted header":           redirected,
			"R26 viewer DE by GeoIP of X-Forwarded-For": redirected,
		}},
		{name: "neither database nor trusted proxy", want: map[string]vectorWant{
			"R25 unknown viewer":                        skipped,
			"R25 viewer US by trusted header":           skipped,
			"R25 viewer US by GeoIP of X-Forwarded-For": skipped,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var flags []string
			if tt.geoDB {
				flags = append(flags, "--geoip-db", writeGeoDB(t))
			}
			s := startDeployServer(t, flags...)
			var vectors []ruleVector
			for _, name := range sortedKeys(tt.want) {
				v := vectorNamed(t, name)
				v.want = tt.want[name]
				vectors = append(vectors, v)
			}
			s.runVectors(t, vectors, s.setUpSites(t, vectors, ""))
		})
	}
}
