package pier

// EachPage calls fn for every item of a paginated list, fetching pages of
// limit items with list until the last one. It stops at the first error of
// list or fn.
func EachPage[T any](limit int, list func(Page) ([]T, string, error), fn func(T) error) error {
	for p := (Page{Limit: limit}); ; {
		items, next, err := list(p)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.After = next
	}
}
