package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/awsapi"
	"github.com/pier-hosting/pier/certs"
)

// certFlags adds the certificate flags of "pier serve".
func (c *Config) certFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.HTTPSAddr, "https-addr", "", "listen address of the edge's HTTPS (SNI: custom domains and the base domain); empty: no HTTPS")
	fs.StringVar(&c.ACMEDirectory, "acme-directory", "", "ACME directory URL for AMPLIFY_MANAGED certificates, e.g. https://acme-v02.api.letsencrypt.org/directory (HTTP-01: the edge must answer on port 80); empty: only CUSTOM certificates")
	fs.StringVar(&c.ACMEEmail, "acme-email", "", "contact e-mail of the ACME account")
	fs.StringVar(&c.ACMECARoot, "acme-ca-root", "", "PEM file of a root CA to trust (besides the system's) for the ACME directory's HTTPS, e.g. Pebble's")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate (typically *.BASE-DOMAIN) served for the base domain; needs --tls-key")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
}

// checkCertFlags checks the certificate flags together.
func checkCertFlags(c Config) error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if c.ACMECARoot != "" && c.ACMEDirectory == "" {
		return errors.New("--acme-ca-root needs --acme-directory")
	}
	return nil
}

// newCertificates returns the certificate manager. edgeAddr is the edge's
// HTTP listener, where the CA's HTTP-01 requests arrive (nil on a node
// without the edge role: the port of --edge-addr).
func (m *Main) newCertificates(store pier.Store, sealer pier.Sealer, logger *slog.Logger, edgeAddr net.Addr) (*certs.Manager, error) {
	c := m.Config
	cfg := certs.Config{
		Store: store, Sealer: sealer, Region: c.Region,
		Directory: c.ACMEDirectory, Email: c.ACMEEmail,
		BaseCertFile: c.TLSCert, BaseKeyFile: c.TLSKey, BaseDomain: c.BaseDomain,
		Logger: logger.With("component", "certs"),
	}
	if c.ACMECARoot != "" {
		roots, err := certs.LoadCARoots(c.ACMECARoot)
		if err != nil {
			return nil, fmt.Errorf("--acme-ca-root: %w", err)
		}
		cfg.CARoots = roots
	}
	if tcp, ok := edgeAddr.(*net.TCPAddr); ok {
		cfg.HTTPPort = tcp.Port
	} else if _, port, err := net.SplitHostPort(c.EdgeAddr); err == nil {
		cfg.HTTPPort, _ = strconv.Atoi(port)
	}
	return certs.New(cfg)
}

// serveHTTPS serves h over TLS on --https-addr with the certificates of
// m.certs.
func (m *Main) serveHTTPS(h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", m.Config.HTTPSAddr)
	if err != nil {
		return fmt.Errorf("listen on --https-addr: %w", err)
	}
	m.HTTPSURL = "https://" + ln.Addr().String()
	m.serve(tls.NewListener(ln, &tls.Config{GetCertificate: m.certs.GetCertificate, NextProtos: []string{"h2", "http/1.1"}}), h, logger)
	return nil
}

// certsUsage is the usage of "pier certs".
const certsUsage = `usage: pier certs import CERT.pem KEY.pem [--chain CHAIN.pem]   import a certificate, print its ARN
       pier certs list                                          list the imported certificates
       pier certs delete ARN                                    delete an imported certificate
flags: [--endpoint URL] [--region REGION] [--profile NAME]`

// runCerts implements "pier certs": the certificates of CUSTOM domain
// associations (their customCertificateArn).
func runCerts(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pier certs", flag.ContinueOnError)
	fs.SetOutput(stdout)
	api := targetFlags(fs, getenv)
	chain := fs.String("chain", "", "PEM file of the intermediate certificates (import)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New(certsUsage)
	}
	switch {
	case pos[0] == "import" && len(pos) == 3:
		in := map[string]string{}
		for name, file := range map[string]string{"certificate": pos[1], "privateKey": pos[2], "certificateChain": *chain} {
			if file == "" {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			in[name] = string(b)
		}
		body, _ := json.Marshal(in)
		var out struct {
			Certificate certificateJSON `json:"certificate"`
		}
		if err := callJSON(ctx, api, http.MethodPost, nil, body, &out); err != nil {
			return err
		}
		fmt.Fprintln(stdout, out.Certificate.ARN)
		return nil
	case pos[0] == "list" && len(pos) == 1:
		var out struct {
			Certificates []certificateJSON `json:"certificates"`
		}
		if err := callJSON(ctx, api, http.MethodGet, nil, nil, &out); err != nil {
			return err
		}
		for _, c := range out.Certificates {
			fmt.Fprintf(stdout, "%s\t%s\tvalid until %s\n", c.ARN, strings.Join(c.DomainNames, ","),
				time.Unix(int64(c.NotAfter), 0).UTC().Format(time.RFC3339))
		}
		return nil
	case pos[0] == "delete" && len(pos) == 2:
		return callJSON(ctx, api, http.MethodDelete, url.Values{"certificateArn": {pos[1]}}, nil, &struct{}{})
	}
	return errors.New(certsUsage)
}

// certificateJSON is an imported certificate on the wire.
type certificateJSON struct {
	ARN         string   `json:"certificateArn"`
	DomainNames []string `json:"domainNames"`
	NotAfter    float64  `json:"notAfter"`
}

// callJSON sends a signed call of awsapi.CertificatesPath and decodes its
// answer into out.
func callJSON(ctx context.Context, api *apiTarget, method string, query url.Values, body []byte, out any) error {
	resp, err := api.send(ctx, method, awsapi.CertificatesPath, query, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: %w", method, awsapi.CertificatesPath, err)
	}
	return nil
}
