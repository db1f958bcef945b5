package accesslog

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"hash/maphash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pier-hosting/pier"
)

// Config configures a Recorder. Zero durations and sizes mean the defaults.
type Config struct {
	// Blobs is where segments are written (required). Every node of a
	// deployment writes to the same store, so logs never live on one node's
	// disk only.
	Blobs pier.BlobStore
	// AppOf returns the id of the app a Host header (port included, as
	// sent) belongs to, "" for none (required). It is called after the
	// response, so it should be cheap: the edge's own host lookup, which
	// knows custom domains too. The recorder reuses an answer other than ""
	// for the same host for up to a second, as the edge reuses what it
	// knows of a site. Requests for no app are not recorded: no app's access
	// log could show them.
	AppOf func(host string) string
	// Node names this edge node: the x-edge-location column and part of
	// segment names (default: the host name).
	Node string
	// FlushInterval is how often buffered records are written to Blobs
	// (default 1s): the delay before GenerateAccessLogs and tails see them.
	FlushInterval time.Duration
	// FlushBytes flushes at once when this many bytes are buffered (default
	// 1 MiB).
	FlushBytes int
	// MaxBufferedBytes bounds the memory of records not yet written, those
	// being written included (default 16 MiB). When the blob store is slow
	// and it is reached, new records are dropped and counted, never waited
	// for: access logs are best-effort, as Amplify's are.
	MaxBufferedBytes int
	// Logger receives write failures and drop counts; slog.Default() if nil.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultFlushInterval    = time.Second
	DefaultFlushBytes       = 1 << 20
	DefaultMaxBufferedBytes = 16 << 20
)

// putTimeout bounds the write of one segment.
const putTimeout = 30 * time.Second

// Recorder records one Record per request of the handlers it wraps and
// writes them to the blob store in the background. It is safe for
// concurrent use.
type Recorder struct {
	cfg       Config
	node      string // Node made safe for a key segment, with this process's id
	reqPrefix string // random start of this recorder's request ids
	reqSeq    atomic.Uint64
	apps      hostCache
	segSeq    uint64 // flusher only

	mu       sync.Mutex
	batch    map[string]*appBatch // by app id, not yet being written
	pending  int                  // bytes in batch
	buffered int                  // bytes in batch and being written
	closed   bool

	dropped      atomic.Int64 // since the last report
	droppedTotal atomic.Int64

	kick    chan struct{}
	closing chan struct{}
	done    chan struct{}
	once    sync.Once
	free    [][]byte // reusable batch buffers, flusher and mu
}

// appBatch is the lines of one app waiting for a flush.
type appBatch struct {
	lines []byte
	first int64 // earliest record time, Unix nanoseconds
	count int
}

// New returns a Recorder for cfg and starts its flusher; Close stops it.
func New(cfg Config) *Recorder {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.FlushBytes <= 0 {
		cfg.FlushBytes = DefaultFlushBytes
	}
	if cfg.MaxBufferedBytes <= 0 {
		cfg.MaxBufferedBytes = DefaultMaxBufferedBytes
	}
	if cfg.Node == "" {
		cfg.Node, _ = os.Hostname()
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	rec := &Recorder{
		cfg:       cfg,
		node:      keySafe(cfg.Node) + "." + hex.EncodeToString(id[:4]),
		reqPrefix: base64.RawURLEncoding.EncodeToString(id[4:]),
		apps:      hostCache{seed: maphash.MakeSeed()},
		batch:     map[string]*appBatch{},
		kick:      make(chan struct{}, 1),
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
	}
	go rec.run()
	return rec
}

// Dropped returns how many records were dropped since the recorder started:
// refused because the buffer was full, or lost in a failed write.
func (rec *Recorder) Dropped() int64 { return rec.droppedTotal.Load() }

// Close writes what is buffered and stops the flusher. Requests recorded
// after Close are dropped. Call it after the servers using Wrap have shut
// down.
func (rec *Recorder) Close() error {
	rec.once.Do(func() { close(rec.closing) })
	<-rec.done
	return nil
}

// Wrap returns next recording every request it serves.
func (rec *Recorder) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lw := writerPool.Get().(*logWriter)
		*lw = logWriter{ResponseWriter: w, start: time.Now(), status: http.StatusOK}
		next.ServeHTTP(lw, r)
		rec.record(lw, r, time.Now())
		lw.ResponseWriter = nil
		writerPool.Put(lw)
	})
}

var writerPool = sync.Pool{New: func() any { return new(logWriter) }}

// lineCap is the size of the stack buffer a record is formatted into; longer
// lines still work, in a buffer of the heap.
const lineCap = 1024

// record formats the record of a served request and appends it to the batch.
// It allocates nothing in the common case: header values are found in one
// pass over each header map, the request id is formatted straight into the
// line, and the line is built on the stack and copied into the batch.
func (rec *Recorder) record(lw *logWriter, r *http.Request, end time.Time) {
	now := end.UnixNano()
	app := rec.apps.lookup(r.Host, now, rec.cfg.AppOf)
	if app == "" {
		return
	}
	ip, port, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip, port = r.RemoteAddr, ""
	}
	e := Record{
		Time:            end,
		EdgeLocation:    rec.cfg.Node,
		BytesSent:       lw.bytes,
		ClientIP:        ip,
		ClientPort:      port,
		Method:          r.Method,
		HostHeader:      r.Host,
		Path:            r.URL.EscapedPath(),
		Query:           r.URL.RawQuery,
		Status:          lw.status,
		Protocol:        "http",
		TimeTaken:       end.Sub(lw.start),
		ProtocolVersion: r.Proto,
		ContentLength:   -1,
		RangeStart:      -1,
		RangeEnd:        -1,
		Aborted:         lw.aborted,
	}
	scanRequest(r, &e)
	if lw.wrote {
		e.TimeToFirstByte = lw.ttfb
		scanResponse(lw.status, lw.ResponseWriter.Header(), &e)
	} else {
		e.TimeToFirstByte = e.TimeTaken
	}
	if r.TLS != nil {
		e.Protocol = "https"
		e.TLSProtocol = tlsVersions[r.TLS.Version]
		e.TLSCipher = cipherNames[r.TLS.CipherSuite]
	}
	var buf [lineCap]byte
	line := e.appendLine(buf[:0], rec.reqPrefix, rec.reqSeq.Add(1))
	rec.append(app, now, line)
}

// append adds one formatted line to app's batch, or drops it when the
// buffer is full.
func (rec *Recorder) append(app string, t int64, line []byte) {
	rec.mu.Lock()
	if rec.closed || rec.buffered+len(line) > rec.cfg.MaxBufferedBytes {
		rec.mu.Unlock()
		rec.dropped.Add(1)
		rec.droppedTotal.Add(1)
		return
	}
	b := rec.batch[app]
	if b == nil {
		b = &appBatch{first: t}
		if n := len(rec.free); n > 0 {
			b.lines, rec.free = rec.free[n-1], rec.free[:n-1]
		}
		rec.batch[app] = b
	}
	b.lines = append(b.lines, line...)
	b.count++
	b.first = min(b.first, t)
	rec.pending += len(line)
	rec.buffered += len(line)
	full := rec.pending >= rec.cfg.FlushBytes
	rec.mu.Unlock()
	if full {
		select {
		case rec.kick <- struct{}{}:
		default:
		}
	}
}

// run is the flusher.
func (rec *Recorder) run() {
	defer close(rec.done)
	t := time.NewTicker(rec.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-rec.kick:
		case <-rec.closing:
			rec.mu.Lock()
			rec.closed = true
			rec.mu.Unlock()
			rec.flush()
			return
		}
		rec.flush()
	}
}

// flush writes every app's batch as one segment.
func (rec *Recorder) flush() {
	rec.mu.Lock()
	batch := rec.batch
	if len(batch) > 0 {
		rec.batch = make(map[string]*appBatch, len(batch))
	} else {
		batch = nil
	}
	rec.pending = 0
	rec.mu.Unlock()
	for app, b := range batch {
		rec.segSeq++
		key := SegmentKey(app, time.Unix(0, b.first), rec.node, rec.segSeq)
		ctx, cancel := context.WithTimeout(context.Background(), putTimeout)
		err := rec.cfg.Blobs.Put(ctx, key, bytes.NewReader(b.lines))
		cancel()
		if err != nil {
			rec.cfg.Logger.Error("access log: write segment", "key", key, "records", b.count, "err", err)
			rec.dropped.Add(int64(b.count))
			rec.droppedTotal.Add(int64(b.count))
		}
		rec.mu.Lock()
		rec.buffered -= len(b.lines)
		if cap(b.lines) <= 4*rec.cfg.FlushBytes && len(rec.free) < 64 {
			rec.free = append(rec.free, b.lines[:0])
		}
		rec.mu.Unlock()
	}
	if n := rec.dropped.Swap(0); n > 0 {
		rec.cfg.Logger.Warn("access log: records dropped (buffer full or blob store failing)", "dropped", n)
	}
}

// logWriter observes a response for its record.
type logWriter struct {
	http.ResponseWriter
	start   time.Time
	ttfb    time.Duration
	status  int
	bytes   int64 // body bytes written
	wrote   bool  // the header was written
	aborted bool
}

func (w *logWriter) WriteHeader(status int) {
	if !w.wrote && (status >= 200 || status == http.StatusSwitchingProtocols) {
		w.wrote = true
		w.status = status
		w.ttfb = time.Since(w.start)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *logWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	if err != nil {
		w.aborted = true
	}
	return n, err
}

// ReadFrom keeps the underlying writer's ReadFrom reachable, so files still
// go out by sendfile.
func (w *logWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{w.ResponseWriter}, src)
	}
	w.bytes += n
	if err != nil {
		w.aborted = true
	}
	return n, err
}

// Flush sends what is buffered, as http.Flusher.
func (w *logWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// scanRequest sets e's request header fields (Referer, User-Agent, Cookie,
// X-Forwarded-For) and RequestBytes, an estimate of the request's size as
// sent over HTTP/1.1: request line, headers and the declared body. One pass
// over the header map does both.
func scanRequest(r *http.Request, e *Record) {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	n += len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
		if len(vs) == 0 {
			continue
		}
		switch k {
		case "Referer":
			e.Referer = vs[0]
		case "User-Agent":
			e.UserAgent = vs[0]
		case "Cookie":
			// HTTP/2 clients may send several.
			e.Cookie = vs[0]
			if len(vs) > 1 {
				e.Cookie = strings.Join(vs, "; ")
			}
		case "X-Forwarded-For":
			e.ForwardedFor = vs[0]
		}
	}
	n += 2
	e.RequestBytes = int64(n)
	if r.ContentLength > 0 {
		e.RequestBytes += r.ContentLength
	}
}

// scanResponse adds to e.BytesSent an estimate of the size of a response's
// status line and headers as sent over HTTP/1.1 (the Date header net/http
// adds included), and sets e's content type, length and range from them.
func scanResponse(status int, h http.Header, e *Record) {
	n := len("HTTP/1.1 200 ") + len(http.StatusText(status)) + 2 + len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n") + 2
	var cl, cr string
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
		if len(vs) == 0 {
			continue
		}
		switch k {
		case "Content-Type":
			e.ContentType = vs[0]
		case "Content-Length":
			cl = vs[0]
		case "Content-Range":
			cr = vs[0]
		}
	}
	e.BytesSent += int64(n)
	if cl != "" {
		if v, err := strconv.ParseInt(cl, 10, 64); err == nil {
			e.ContentLength = v
		}
	}
	if status == http.StatusPartialContent {
		e.RangeStart, e.RangeEnd = contentRange(cr)
	}
}

// contentRange returns the first and last byte of a Content-Range header
// "bytes FIRST-LAST/SIZE", -1 and -1 if it is not one.
func contentRange(v string) (int64, int64) {
	rest, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return -1, -1
	}
	rng, _, ok := strings.Cut(rest, "/")
	if !ok {
		return -1, -1
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return -1, -1
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return -1, -1
	}
	return first, last
}

// tlsVersions names TLS versions as CloudFront's ssl-protocol does.
var tlsVersions = map[uint16]string{
	tls.VersionTLS10: "TLSv1",
	tls.VersionTLS11: "TLSv1.1",
	tls.VersionTLS12: "TLSv1.2",
	tls.VersionTLS13: "TLSv1.3",
}

// cipherNames are Go's names of cipher suites, looked up once: the
// tls.CipherSuiteName function builds lists on every call.
var cipherNames = func() map[uint16]string {
	m := map[uint16]string{}
	for _, c := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		m[c.ID] = c.Name
	}
	return m
}()

// keySafe makes s usable inside a key segment: letters, digits, "-" and
// "_" stay, anything else becomes "_".
func keySafe(s string) string {
	if s == "" {
		return "node"
	}
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}
