package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"iter"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"example.com/logtail/gen"
	"r2go.dev/r2go/rt"
)

// logFile implements gen.Log. Appends and reads may run at once: mu guards
// the path and the channel that wakes followers.
type logFile struct {
	mu      sync.Mutex
	path    string
	changed chan struct{} // closed, and replaced, by every append

	followers atomic.Int32
	lastEnd   atomic.Pointer[string]
}

func newLogFile() *logFile {
	return &logFile{changed: make(chan struct{})}
}

func (l *logFile) Open(path string) error {
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.path = path
	return nil
}

// state returns the file's path and the channel the next append closes.
func (l *logFile) state() (string, <-chan struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.path == "" {
		return "", nil, errors.New("no log file is open")
	}
	return l.path, l.changed, nil
}

func (l *logFile) Append(text string) error {
	if strings.Contains(text, "\n") {
		return errors.New("a line cannot contain a newline")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.path == "" {
		return errors.New("no log file is open")
	}
	f, err := os.OpenFile(l.path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

// snippet: go-upload
// AppendAll writes the lines Rust streams. All asks Rust for more lines
// as it goes, and waits only when none is buffered; the stream's Err item
// arrives as its error, which AppendAll returns.
func (l *logFile) AppendAll(ctx context.Context, lines *rt.Source[string]) (uint64, error) {
	return l.appendAll(lines.All(ctx))
}

// end snippet

// appendAll is AppendAll over any sequence of lines, so a Go test can run it.
func (l *logFile) appendAll(lines iter.Seq2[string, error]) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.path == "" {
		return 0, errors.New("no log file is open")
	}
	f, err := os.OpenFile(l.path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	var n uint64
	var failed error
	for text, err := range lines {
		if err == nil && strings.Contains(text, "\n") {
			err = errors.New("a line cannot contain a newline")
		}
		if err != nil {
			failed = err
			break
		}
		w.WriteString(text + "\n")
		n++
	}
	if err := w.Flush(); err != nil {
		return n, err
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return n, failed
}

// snippet: go-stream
// Scan sends every matching line, then returns nil: the end of the stream.
// Its error, or a failing Send's, is the stream's last Err item.
func (l *logFile) Scan(ctx context.Context, pattern string, out *rt.Sink[gen.Line]) error {
	return l.scan(pattern, out.Send)
}

// scan is Scan with the sink's Send as a function, so a Go test can run it.
func (l *logFile) scan(pattern string, send func(gen.Line) error) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return err
	}
	path, _, err := l.state()
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for n := uint64(1); lines.Scan(); n++ {
		if re.MatchString(lines.Text()) {
			if err := send(gen.Line{Number: n, Text: lines.Text()}); err != nil {
				return err
			}
		}
	}
	return lines.Err()
}

// Follow sends the lines from line from on, then waits for appends until
// Rust drops the stream, which cancels ctx (and makes Send fail).
func (l *logFile) Follow(ctx context.Context, from uint64, out *rt.Sink[gen.Line]) error {
	l.followers.Add(1)
	defer l.followers.Add(-1)
	err := l.follow(ctx, from, out.Send)
	end := err.Error()
	l.lastEnd.Store(&end)
	return err
}

// end snippet

// follow is Follow with the sink's Send as a function. It returns only with
// an error: ctx's once it is cancelled.
func (l *logFile) follow(ctx context.Context, from uint64, send func(gen.Line) error) error {
	path, changed, err := l.state()
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var partial string // a line read before its newline was written
	for n := uint64(1); ; {
		text, err := r.ReadString('\n')
		partial += text
		switch {
		case err == nil:
			if n >= from {
				if err := send(gen.Line{Number: n, Text: strings.TrimSuffix(partial, "\n")}); err != nil {
					return ctx.Err()
				}
			}
			partial = ""
			n++
		case err != io.EOF:
			return err
		default:
			// At the end: wait for the next append. changed was taken before
			// this read, so an append made meanwhile has already closed it.
			select {
			case <-changed:
			case <-ctx.Done():
				return ctx.Err()
			}
			if _, changed, err = l.state(); err != nil {
				return err
			}
		}
	}
}

func (l *logFile) Followers() uint32 {
	return uint32(l.followers.Load())
}

func (l *logFile) LastFollowEnd() string {
	if end := l.lastEnd.Load(); end != nil {
		return *end
	}
	return ""
}
