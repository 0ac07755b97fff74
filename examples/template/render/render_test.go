package render

import (
	"reflect"
	"testing"

	"example.com/template/gen"
)

// The handlers are plain Go: this test runs them without Rust.
func TestRender(t *testing.T) {
	r := &renderer{}
	if err := r.Define("t", "{{.Title}}:{{range .Items}} {{.}}{{end}}"); err != nil {
		t.Fatal(err)
	}
	pages := []gen.Page{{Title: "A", Items: []string{"x", "y"}}, {Title: "B"}}
	got, err := r.RenderAll("t", pages)
	if want := []string{"A: x y", "B:"}; !reflect.DeepEqual(got, want) || err != nil {
		t.Errorf("RenderAll = %q, %v; want %q", got, err, want)
	}
	if one, err := r.Render("t", pages[0]); one != "A: x y" || err != nil {
		t.Errorf("Render = %q, %v", one, err)
	}
	if _, err := r.Render("u", pages[0]); err == nil || err.Error() != "no template u" {
		t.Errorf("Render of an unknown template: %v", err)
	}
	if m, err := r.FindAll(`\d+`, "a1b22c333"); !reflect.DeepEqual(m, []string{"1", "22", "333"}) || err != nil {
		t.Errorf("FindAll = %q, %v", m, err)
	}
}
