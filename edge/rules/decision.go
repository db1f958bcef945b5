package rules

// Request is what rule evaluation needs to know about an HTTP request. Its
// fields are used as given: resolving dot segments or trusting a country
// header is the caller's decision.
type Request struct {
	Host     string // the Host header, port allowed
	Path     string // the percent-decoded path, starting with "/"
	RawQuery string // the query string without "?", still encoded
	Country  string // the viewer's two-letter country code, "" when unknown
}

// Kind is what a matching rule does with a request.
type Kind uint8

// Kinds of decisions; the zero Kind is no decision.
const (
	Redirect        Kind = iota + 1 // 301 or 302 to Target
	Rewrite                         // serve the path Target under the request's URL
	Proxy                           // serve the response of the absolute URL Target
	NotFoundPage                    // serve the path Target with status 404 (rule status "404")
	NotFoundRewrite                 // serve the path Target with status 200 (rule status "404-200")
)

var kindNames = [...]string{"none", "redirect", "rewrite", "proxy", "404", "404-200"}

// String returns the name of k, as shown by pier trace.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Decision is the outcome of evaluating a request. The zero Decision means
// no rule matched.
type Decision struct {
	Matched bool
	Index   int    // index of the matching rule in the list given to Compile
	Kind    Kind   // what to do
	Status  int    // 301 or 302 for redirects, 404 for NotFoundPage, else 200
	Target  string // escaped URL reference: Location, path to serve or URL to proxy, query included
}
