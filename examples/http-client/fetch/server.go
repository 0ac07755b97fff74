package fetch

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// server implements gen.TestServer: an HTTP server on 127.0.0.1 that lives
// as long as the process.
type server struct {
	once      sync.Once
	url       string
	abandoned atomic.Uint32
}

func (s *server) Start() string {
	s.once.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(fmt.Sprintf("test server: %v", err)) // Rust's call panics with this message
		}
		s.url = "http://" + ln.Addr().String()
		go http.Serve(ln, s.routes())
	})
	return s.url
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "hello from Go's net/http server")
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s x-example=%s: %s", r.Method, r.URL.Path, r.Header.Get("X-Example"), body)
	})
	mux.HandleFunc("GET /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 100 || code > 599 {
			code = http.StatusBadRequest
		}
		http.Error(w, http.StatusText(code), code)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			io.WriteString(w, "slow done")
		case <-r.Context().Done(): // the client closed the connection
			s.abandoned.Add(1)
		}
	})
	return mux
}

func (s *server) ClosedURL() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("closed url: %v", err))
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/"
}

func (s *server) Abandoned() uint32 { return s.abandoned.Load() }
