package pier

// Sealer encrypts the secrets Pier keeps at rest — repository access and
// OAuth tokens — so that a copy of the database alone does not reveal them.
// Implementations are safe for concurrent use.
type Sealer interface {
	// Seal encrypts plaintext, binding it to context (an app id, say): the
	// result opens only with the same context.
	Seal(plaintext, context string) (string, error)
	// Open decrypts a value Seal returned. A value sealed with another key
	// or for another context is EINVALID; a value that was never sealed (a
	// token stored before sealing existed) is returned unchanged.
	Open(sealed, context string) (string, error)
}
