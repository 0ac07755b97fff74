package fetch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"example.com/http-client/gen"
)

// maxBody bounds how much of a response one call brings into Rust memory.
const maxBody = 1 << 20

// client implements gen.HTTPClient with one http.Client, so connections are
// pooled across calls from Rust.
type client struct {
	http *http.Client
}

func newClient() *client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // this example talks to 127.0.0.1 only
	return &client{http: &http.Client{Transport: transport}}
}

// snippet: fetch
// Fetch runs on a goroutine. ctx is cancelled when Rust drops the future (a
// tokio timeout, a select!), and the request carries ctx, so net/http closes
// the connection then.
func (c *client) Fetch(ctx context.Context, req gen.Request) (gen.Response, error) {
	if req.TimeoutMs > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(req.TimeoutMs)*time.Millisecond)
		defer cancel()
	}
	hreq, err := http.NewRequestWithContext(ctx, strings.ToUpper(req.Method.String()), req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return gen.Response{}, gen.FetchErrorBadRequest{Reason: err.Error()}
	}
	for k, v := range req.Headers {
		hreq.Header.Set(k, v)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		return gen.Response{}, failure(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return gen.Response{}, failure(err)
	}
	if resp.StatusCode >= 400 {
		return gen.Response{}, gen.FetchErrorStatus{Code: uint16(resp.StatusCode), Body: string(body)}
	}
	return gen.Response{
		Status:      uint16(resp.StatusCode),
		ContentType: resp.Header.Get("Content-Type"),
		Body:        body,
	}, nil
}

// failure turns a transport error into the variant Rust matches on.
func failure(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return gen.FetchErrorTimeout{}
	}
	return gen.FetchErrorUnreachable{Message: err.Error()}
}

// end snippet
