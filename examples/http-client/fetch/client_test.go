package fetch

import (
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"example.com/http-client/gen"
)

// The handlers are plain Go: these tests run them without Rust.

func TestFetch(t *testing.T) {
	ts := httptest.NewServer((&server{}).routes())
	defer ts.Close()
	c := newClient()
	ctx := context.Background()

	got, err := c.Fetch(ctx, gen.Request{Method: gen.MethodPost, URL: ts.URL + "/echo", Body: []byte("hi"),
		Headers: map[string]string{"X-Example": "test"}})
	want := gen.Response{Status: 200, ContentType: "text/plain; charset=utf-8", Body: []byte("POST /echo x-example=test: hi")}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("POST /echo = %+v, %v; want %+v", got, err, want)
	}

	for _, tc := range []struct {
		req  gen.Request
		want error
	}{
		{gen.Request{Method: gen.MethodGet, URL: ts.URL + "/status/418"}, gen.FetchErrorStatus{Code: 418, Body: "I'm a teapot\n"}},
		{gen.Request{Method: gen.MethodGet, URL: ts.URL + "/slow?ms=5000", TimeoutMs: 20}, gen.FetchErrorTimeout{}},
		{gen.Request{Method: gen.MethodGet, URL: "http://[::1"}, gen.FetchErrorBadRequest{Reason: `parse "http://[::1": missing ']' in host`}},
	} {
		if _, err := c.Fetch(ctx, tc.req); !reflect.DeepEqual(err, tc.want) {
			t.Errorf("%s %s: error %#v, want %#v", tc.req.Method, tc.req.URL, err, tc.want)
		}
	}
}

// A cancelled context, as when Rust drops the future, stops the request.
func TestFetchCancelled(t *testing.T) {
	ts := httptest.NewServer((&server{}).routes())
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := newClient().Fetch(ctx, gen.Request{Method: gen.MethodGet, URL: ts.URL + "/slow?ms=5000"})
	u, ok := err.(gen.FetchErrorUnreachable)
	if !ok || !strings.HasSuffix(u.Message, "context canceled") {
		t.Errorf("error %#v, want FetchErrorUnreachable ending in context canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the cancelled request took %v", d)
	}
}

func TestClosedURL(t *testing.T) {
	_, err := newClient().Fetch(context.Background(), gen.Request{Method: gen.MethodGet, URL: (&server{}).ClosedURL()})
	u, ok := err.(gen.FetchErrorUnreachable)
	if !ok || !strings.Contains(u.Message, "connection refused") {
		t.Errorf("error %#v, want FetchErrorUnreachable with connection refused", err)
	}
}
