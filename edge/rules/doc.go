// Package rules evaluates an app's Amplify customRules (hosting-semantics
// §1): redirects, rewrites, reverse proxies and not-found pages.
//
// Compile turns a rule list into an immutable Ruleset once, when the rules
// change; evaluating a request is then a pure function of the Ruleset and
// the Request. A request is evaluated in two phases:
//
//  1. Evaluate, before file resolution: the first matching 200, 301 or 302
//     rule, whether or not a file exists at the path.
//  2. NotFound, only when file resolution found nothing: the first matching
//     404 or 404-200 rule.
//
// First match wins and a rewritten target is never evaluated again.
//
// # Rules
//
// Status, source, target and condition are trimmed of surrounding spaces. A
// missing status means 301. Rules that can never match are kept out of the
// Ruleset and reported by Ignored with a reason, as Amplify ignores them.
//
// Sources take these forms:
//
//   - A literal path such as "/about" matches exactly that percent-decoded,
//     case-sensitive path. A trailing slash is significant: "/about" and
//     "/about/" are different sources. Percent-escapes in the source are
//     decoded, so "/a%20b" and "/a b" are the same source.
//   - "<name>" (letters, digits, "-" and "_") matches one non-empty path
//     segment, or the non-empty middle of a segment with literal text around
//     it ("/blog/<slug>.html"). A segment holds at most one placeholder and
//     a name appears at most once.
//   - "<*>" matches the rest of the path, "/" included, possibly empty. It
//     may appear once, at the end of the path: "/docs/<*>" matches "/docs/"
//     and "/docs/a/b" but not "/docs"; "/<*>" matches every path.
//   - A query part, "/docs?id=<v>&lang=en", matches only requests carrying
//     every listed parameter (others may be present): a placeholder value
//     matches any non-empty value and captures it decoded, a literal value
//     must be equal, and a bare key ("?preview") requires an empty value.
//     The first occurrence of a repeated parameter counts.
//   - "</regex/>" is searched for (unanchored) in the decoded path with
//     ECMAScript semantics, look-ahead included, by a backtracking engine.
//     A match still running after 50 ms counts as no match; for that,
//     importing this package makes regexp2 check deadlines every 10 ms,
//     process-wide. Capture groups cannot be used in the target.
//   - "https://host" or "http://host", optionally with a trailing "/",
//     matches requests for that host whatever their scheme; hosts compare
//     case-insensitively, without port and trailing dot. The request path
//     is appended to the target, see below. A domain source with a path or
//     query is ignored.
//
// A condition "<CC>" (two letters, any case) matches when the viewer's
// country is CC; a request whose country is unknown never matches it. Any
// other condition, country lists included, is ignored.
//
// # Decisions
//
// Decision.Target is a URL reference in its escaped form, ready for a
// Location header or for file resolution. Captured values are substituted
// for "<name>" and "<*>" in the target, percent-encoded for the part of the
// URL they land in; a placeholder the source does not define is kept as
// literal text.
//
// For a domain source, the escaped request path is appended to the target's
// path after removing one trailing "/" from it: "https://www.x.com" and
// "https://www.x.com/" with "/a" both give "https://www.x.com/a", and
// ".../documents/" with "/" gives ".../documents/".
//
// Redirects (301, 302) forward the request's query string unless the source
// has a query part or the target has a "?". Every other decision forwards
// it, after the target's own query, if any.
//
// A 200 rule whose target is an absolute http:// or https:// URL is a
// Proxy (refusing http:// is the proxy's job); any other 200 target must be
// a path starting with "/". 404 and 404-200 targets must be paths too.
package rules
