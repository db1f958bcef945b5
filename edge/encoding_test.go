package edge

import "testing"

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name           string
		accept         string
		haveBr, haveGz bool
		want           string
	}{
		{"br preferred", "gzip, deflate, br", true, true, "br"},
		{"br preferred with zstd", "gzip, deflate, br, zstd", true, true, "br"},
		{"gzip only accepted", "gzip", true, true, "gzip"},
		{"x-gzip", "x-gzip", true, true, "gzip"},
		{"br refused", "gzip, br;q=0", true, true, "gzip"},
		{"higher q wins", "br;q=0.5, gzip", true, true, "gzip"},
		{"br wins ties", "gzip;q=0.8, br;q=0.8", true, true, "br"},
		{"case and spaces", " GZIP ; Q=1 , Br ;q=0.9", true, true, "gzip"},
		{"star", "*", true, true, "br"},
		{"star with br refused", "*, br;q=0", true, true, "gzip"},
		{"star refused", "*;q=0", true, true, ""},
		{"all refused", "gzip;q=0, br;q=0", true, true, ""},
		{"q=0.000 refuses", "br;q=0.000", true, false, ""},
		{"malformed q refuses", "br;q=high", true, true, ""},
		{"identity", "identity", true, true, ""},
		{"empty", "", true, true, ""},
		{"no variants", "br, gzip", false, false, ""},
		{"only gzip stored", "br, gzip", false, true, "gzip"},
		{"only br stored", "br, gzip", true, false, "br"},
		{"only gzip stored, gzip refused", "br, gzip;q=0", false, true, ""},
		{"other params", "br;level=5", true, true, "br"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := negotiate(tt.accept, tt.haveBr, tt.haveGz); got != tt.want {
				t.Errorf("negotiate(%q, br=%v, gzip=%v) = %q, want %q", tt.accept, tt.haveBr, tt.haveGz, got, tt.want)
			}
		})
	}
}
