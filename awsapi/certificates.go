package awsapi

import (
	"encoding/json"
	"net/http"

	"github.com/pier-hosting/pier"
)

// CertificatesPath is Pier's API extension for the certificates operators
// import for CUSTOM domain associations, SigV4-signed like every amplify
// call and scoped to the caller's account:
//
//	POST   /pier/certificates  {"certificate": PEM, "privateKey": PEM, "certificateChain": PEM}
//	       → the certificate (its certificateArn goes in customCertificateArn)
//	GET    /pier/certificates  → {"certificates": [...]}
//	DELETE /pier/certificates?certificateArn=ARN
const CertificatesPath = "/pier/certificates"

// importedCertificateOut is the wire form of an imported certificate.
type importedCertificateOut struct {
	CertificateARN string   `json:"certificateArn"`
	DomainNames    []string `json:"domainNames"`
	NotBefore      epoch    `json:"notBefore"`
	NotAfter       epoch    `json:"notAfter"`
	CreateTime     epoch    `json:"createTime"`
}

func importedCertificateWire(c *pier.ImportedCertificate) importedCertificateOut {
	return importedCertificateOut{CertificateARN: c.ARN, DomainNames: c.DomainNames,
		NotBefore: epoch(c.NotBefore), NotAfter: epoch(c.NotAfter), CreateTime: epoch(c.CreateTime)}
}

// serveCertificates answers a signed call of CertificatesPath for the
// caller's account.
func (s *Server) serveCertificates(w http.ResponseWriter, r *http.Request, account string, body []byte) error {
	if s.Certificates == nil {
		return wireError{errNotFound, "This server imports no certificates."}
	}
	w.Header().Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodPost:
		var in struct {
			Certificate      string `json:"certificate"`
			PrivateKey       string `json:"privateKey"`
			CertificateChain string `json:"certificateChain"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return pier.Errorf(pier.EINVALID, "The body must be JSON {certificate, privateKey, certificateChain}.")
		}
		if in.Certificate == "" || in.PrivateKey == "" {
			return pier.Errorf(pier.EINVALID, "Missing required parameter 'certificate' or 'privateKey'.")
		}
		c, err := s.Certificates.ImportCertificate(r.Context(), account, []byte(in.Certificate), []byte(in.PrivateKey), []byte(in.CertificateChain))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"certificate": importedCertificateWire(c)})
	case http.MethodGet:
		list, err := s.Certificates.ListCertificates(r.Context(), account)
		if err != nil {
			return err
		}
		out := make([]importedCertificateOut, 0, len(list))
		for _, c := range list {
			out = append(out, importedCertificateWire(c))
		}
		return writeJSON(w, http.StatusOK, map[string]any{"certificates": out})
	case http.MethodDelete:
		arn := r.URL.Query().Get("certificateArn")
		if arn == "" {
			return pier.Errorf(pier.EINVALID, "Missing required parameter 'certificateArn'.")
		}
		if err := s.Certificates.DeleteCertificate(r.Context(), account, arn); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{})
	}
	return wireError{errMethodNotAllowed, "Use POST, GET or DELETE " + CertificatesPath + "."}
}
