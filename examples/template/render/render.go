// Package render implements the template example's Render interface with
// Go's text/template and regexp. The c-archive (handlers) and the gRPC
// server (server) both call Register, so both serve the same handler.
package render

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"text/template"

	"example.com/template/gen"
)

// The compiler checks that renderer has every method of user.rs's Render.
var _ gen.Render = (*renderer)(nil)

// Register registers the Render handler; call it once.
func Register() {
	gen.RegisterRender(&renderer{})
}

// renderer implements gen.Render. Sync calls run on the calling Rust
// thread, so several threads may call at once: the maps are guarded.
type renderer struct {
	mu        sync.RWMutex
	templates map[string]*template.Template
	patterns  map[string]*regexp.Regexp
}

func (r *renderer) Define(name, source string) error {
	t, err := template.New(name).Option("missingkey=error").Parse(source)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.templates == nil {
		r.templates = map[string]*template.Template{}
	}
	r.templates[name] = t
	return nil
}

func (r *renderer) lookup(name string) (*template.Template, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.templates[name]
	if !ok {
		return nil, errors.New("no template " + name)
	}
	return t, nil
}

func (r *renderer) Render(name string, page gen.Page) (string, error) {
	t, err := r.lookup(name)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, page); err != nil {
		return "", err
	}
	return b.String(), nil
}

// snippet: batch
// RenderAll pays for one call, one template lookup and one result buffer for
// the whole batch.
func (r *renderer) RenderAll(name string, pages []gen.Page) ([]string, error) {
	t, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(pages))
	var b strings.Builder
	for i, page := range pages {
		b.Reset()
		if err := t.Execute(&b, page); err != nil {
			return nil, err
		}
		out[i] = b.String()
	}
	return out, nil
}

// end snippet

// FindAll compiles each pattern once and keeps it.
func (r *renderer) FindAll(pattern, text string) ([]string, error) {
	r.mu.RLock()
	re, ok := r.patterns[pattern]
	r.mu.RUnlock()
	if !ok {
		var err error
		if re, err = regexp.Compile(pattern); err != nil {
			return nil, err
		}
		r.mu.Lock()
		if r.patterns == nil {
			r.patterns = map[string]*regexp.Regexp{}
		}
		r.patterns[pattern] = re
		r.mu.Unlock()
	}
	return re.FindAllString(text, -1), nil
}

func (r *renderer) Nothing(page gen.Page) {}
