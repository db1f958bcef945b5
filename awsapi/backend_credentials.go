package awsapi

import (
	"net/http"

	"github.com/pier-hosting/pier"
)

// BackendCredentialsPath is Pier's API extension that hands out the S3
// credential of a backend environment's signed-in users:
// GET /pier/backend-credentials?appId=ID&backendEnvironmentName=ENV, signed
// with SigV4 like every amplify call, returns JSON {"accessKeyId": …,
// "secretAccessKey": …, "endpoint": …, "region": …}. Bucket policies grant
// that credential the Authenticated permissions of the environment's storage
// resources; Pier creates it when one first gets some.
const BackendCredentialsPath = "/pier/backend-credentials"

// serveBackendCredentials answers a signed GET of BackendCredentialsPath for
// the caller's account.
func (s *Server) serveBackendCredentials(w http.ResponseWriter, r *http.Request, account string) error {
	if r.Method != http.MethodGet {
		return wireError{errMethodNotAllowed, "Use GET " + BackendCredentialsPath + "?appId=ID&backendEnvironmentName=ENV."}
	}
	q := r.URL.Query()
	appID, env := q.Get("appId"), q.Get("backendEnvironmentName")
	if appID == "" || env == "" {
		return pier.Errorf(pier.EINVALID, "Missing required parameter 'appId' or 'backendEnvironmentName'.")
	}
	c, err := s.svc.BackendCredential(r.Context(), account, appID, env)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, c)
}
