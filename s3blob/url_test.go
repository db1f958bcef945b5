package s3blob_test

import (
	"testing"

	"github.com/pier-hosting/pier/s3blob"
)

func TestParseURL(t *testing.T) {
	for _, tt := range []struct {
		name string
		raw  string
		want s3blob.Config
	}{
		{"bucket", "s3://blobs", s3blob.Config{Bucket: "blobs"}},
		{"bucket slash", "s3://blobs/", s3blob.Config{Bucket: "blobs"}},
		{"prefix", "s3://blobs/pier/prod/", s3blob.Config{Bucket: "blobs", Prefix: "pier/prod"}},
		{"escaped prefix", "s3://blobs/a%20b", s3blob.Config{Bucket: "blobs", Prefix: "a b"}},
		{"endpoint and region", "s3://blobs/p?endpoint=http://127.0.0.1:9000&region=eu-west-1",
			s3blob.Config{Bucket: "blobs", Prefix: "p", Endpoint: "http://127.0.0.1:9000", Region: "eu-west-1"}},
		{"escaped endpoint", "s3://blobs?endpoint=https%3A%2F%2Fs3.example.com%2Fbase",
			s3blob.Config{Bucket: "blobs", Endpoint: "https://s3.example.com/base"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s3blob.ParseURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Fatalf("ParseURL(%q) = %+v, want %+v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseURLInvalid(t *testing.T) {
	for _, tt := range []struct{ name, raw string }{
		{"empty", ""},
		{"other scheme", "file:///var/lib/pier"},
		{"no scheme", "blobs/prefix"},
		{"opaque", "s3:blobs"},
		{"no bucket", "s3:///prefix"},
		{"credentials", "s3://key:secret@blobs"},
		{"fragment", "s3://blobs#x"},
		{"invalid prefix", "s3://blobs/a/../b"},
		{"empty segment", "s3://blobs/a//b"},
		{"unknown parameter", "s3://blobs?endpiont=http://127.0.0.1:9000"},
		{"repeated parameter", "s3://blobs?region=a&region=b"},
		{"endpoint without scheme", "s3://blobs?endpoint=127.0.0.1:9000"},
		{"endpoint of another scheme", "s3://blobs?endpoint=ftp://127.0.0.1"},
		{"bad escape", "s3://blobs/%zz"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if cfg, err := s3blob.ParseURL(tt.raw); err == nil {
				t.Fatalf("ParseURL(%q) = %+v, want an error", tt.raw, cfg)
			}
		})
	}
}
