package accesslog

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// Prefix starts the keys of every segment.
const Prefix = "access-logs/"

// maxSegmentSpan is how much earlier than a record its segment may be
// named: a segment is named after its earliest record, and holds what one
// node buffered between two flushes, normally a second. Readers look this
// far before a window for segments that may hold its first records.
const maxSegmentSpan = time.Hour

// SegmentKey returns the key of a segment of app appID whose earliest
// record ended at t, written by node as its seq'th segment:
//
//	access-logs/{appId}/{YYYY-MM-DD}/{HH}/{unixnano, 19 digits}-{node}-{seq}.log
//
// Keys sort by time within an hour, and the hour directories bound listings
// to the hours a window covers.
func SegmentKey(appID string, t time.Time, node string, seq uint64) string {
	t = t.UTC()
	return hourPrefix(appID, t) + fmt.Sprintf("%019d", t.UnixNano()) + "-" + node + "-" + strconv.FormatUint(seq, 10) + ".log"
}

// hourPrefix is the directory of an app's segments of the hour of t.
func hourPrefix(appID string, t time.Time) string {
	return Prefix + appID + "/" + t.UTC().Format("2006-01-02/15") + "/"
}

// segmentTime returns the time a segment key is named after.
func segmentTime(key string) (time.Time, bool) {
	name := key[strings.LastIndexByte(key, '/')+1:]
	ns, _, ok := strings.Cut(name, "-")
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// listHour returns the segment keys of app appID in the hour directory of
// t, sorted by time.
func listHour(ctx context.Context, blobs pier.BlobStore, appID string, t time.Time) ([]string, error) {
	var keys []string
	err := blobs.List(ctx, hourPrefix(appID, t), func(key string, _ pier.BlobInfo) error {
		if strings.HasSuffix(key, ".log") {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list access log segments: %w", err)
	}
	slices.Sort(keys)
	return keys, nil
}

// readSegment calls fn for every record of a segment. Lines that do not
// parse (a future format, say) are skipped.
func readSegment(ctx context.Context, blobs pier.BlobStore, key string, fn func(Record)) error {
	rc, _, err := blobs.Open(ctx, key)
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return nil // deleted since it was listed
	} else if err != nil {
		return fmt.Errorf("open access log segment: %w", err)
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if r, err := ParseLine(sc.Bytes()); err == nil {
			fn(r)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read access log segment %s: %w", key, err)
	}
	return nil
}

// Filter selects the records a log holds.
type Filter struct {
	// Start and End bound the records' times, both included.
	Start, End time.Time
	// Domain, when set, keeps only requests for this host or its subdomains.
	Domain string
}

// keep reports whether r passes f.
func (f Filter) keep(r *Record) bool {
	if r.Time.Before(f.Start) || r.Time.After(f.End) {
		return false
	}
	if f.Domain == "" {
		return true
	}
	h := r.Host()
	d := normalizeHost(f.Domain)
	return h == d || strings.HasSuffix(h, "."+d)
}

// Export writes app appID's records that pass f to w, sorted by time, and
// returns how many. It reads the app's segments hour by hour, so it holds
// about one hour of the app's records in memory, not the whole window.
func Export(ctx context.Context, blobs pier.BlobStore, appID string, f Filter, fn func(*Record) error) (int, error) {
	var pending []Record
	n := 0
	emit := func(before time.Time, all bool) error {
		slices.SortStableFunc(pending, func(a, b Record) int { return a.Time.Compare(b.Time) })
		i := 0
		for ; i < len(pending) && (all || pending[i].Time.Before(before)); i++ {
			if err := fn(&pending[i]); err != nil {
				return err
			}
			n++
		}
		pending = slices.Delete(pending, 0, i)
		return nil
	}
	from := f.Start.Add(-maxSegmentSpan).UTC().Truncate(time.Hour)
	for hour := from; !hour.After(f.End); hour = hour.Add(time.Hour) {
		keys, err := listHour(ctx, blobs, appID, hour)
		if err != nil {
			return n, err
		}
		for _, key := range keys {
			if t, ok := segmentTime(key); !ok || t.After(f.End) {
				continue
			}
			if err := readSegment(ctx, blobs, key, func(r Record) {
				if f.keep(&r) {
					pending = append(pending, r)
				}
			}); err != nil {
				return n, err
			}
		}
		// Segments of later hours are named after later records, and a
		// segment holds no record earlier than its name: everything before
		// the next hour is complete.
		if err := emit(hour.Add(time.Hour), false); err != nil {
			return n, err
		}
	}
	return n, emit(time.Time{}, true)
}

// DefaultFollowInterval is how often Follow looks for new segments.
const DefaultFollowInterval = time.Second

// Follow calls fn for app appID's records that ended at or after since and
// pass domain (every host when ""): first those already written, then, until
// ctx ends, those of segments any node writes later, batch by batch in time
// order. Records arrive after their node's flush interval, plus up to every
// (DefaultFollowInterval when zero). Without follow it returns once the
// records already written are done. It returns ctx's error when ctx ends.
func Follow(ctx context.Context, blobs pier.BlobStore, appID, domain string, since time.Time, follow bool, every time.Duration, now func() time.Time, fn func(*Record) error) error {
	if every <= 0 {
		every = DefaultFollowInterval
	}
	seen := map[string]time.Time{}
	start := now()
	f := Filter{Start: since, End: start.Add(maxSegmentSpan), Domain: domain}
	// Mark the segments the first pass reads, listing before reading so
	// that a segment written in between is read by a later poll instead.
	from := since.Add(-maxSegmentSpan).UTC().Truncate(time.Hour)
	for hour := from; !hour.After(start); hour = hour.Add(time.Hour) {
		keys, err := listHour(ctx, blobs, appID, hour)
		if err != nil {
			return err
		}
		for _, k := range keys {
			t, _ := segmentTime(k)
			seen[k] = t
		}
	}
	var batch []Record
	for k := range seen {
		if err := readSegment(ctx, blobs, k, func(r Record) {
			if f.keep(&r) {
				batch = append(batch, r)
			}
		}); err != nil {
			return err
		}
	}
	if err := emitSorted(batch, fn); err != nil {
		return err
	}
	if !follow {
		return nil
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		cur := now()
		f.End = cur.Add(maxSegmentSpan)
		batch = batch[:0]
		for _, hour := range []time.Time{cur.Add(-maxSegmentSpan), cur} {
			keys, err := listHour(ctx, blobs, appID, hour)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if _, ok := seen[k]; ok {
					continue
				}
				st, _ := segmentTime(k)
				seen[k] = st
				if err := readSegment(ctx, blobs, k, func(r Record) {
					if f.keep(&r) {
						batch = append(batch, r)
					}
				}); err != nil {
					return err
				}
			}
		}
		if err := emitSorted(batch, fn); err != nil {
			return err
		}
		for k, st := range seen {
			if st.Before(cur.Add(-3 * maxSegmentSpan)) {
				delete(seen, k)
			}
		}
	}
}

// emitSorted calls fn for the records in time order.
func emitSorted(rs []Record, fn func(*Record) error) error {
	slices.SortStableFunc(rs, func(a, b Record) int { return a.Time.Compare(b.Time) })
	for i := range rs {
		if err := fn(&rs[i]); err != nil {
			return err
		}
	}
	return nil
}

// WriteCSV writes the header row and then the rows of the records fn
// produces; a helper for Export and Follow callers that want CSV.
func WriteCSV(w io.Writer, produce func(func(*Record) error) error) error {
	cw := NewCSVWriter(w)
	if err := cw.WriteHeader(); err != nil {
		return err
	}
	if err := produce(cw.Write); err != nil {
		return err
	}
	return cw.Flush()
}
