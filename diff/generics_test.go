package diff

import "testing"

func TestElideShapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"main.Alloc[go.shape.int]", "main.Alloc[...]"},
		{"main.(*Pool[go.shape.string,go.shape.int]).Get", "main.(*Pool[...]).Get"},
		{"main.Map[go.shape.[]uint8,go.shape.struct { A int }].func1", "main.Map[...].func1"},
		{"main.Alloc[...]", "main.Alloc[...]"},
		{"main.plain", "main.plain"},
		{"main.Cut[go.shape.int", "main.Cut[go.shape.int"},
	}
	for _, tt := range tests {
		if got := ElideShapes(Frame{Function: tt.in}).Function; got != tt.want {
			t.Errorf("ElideShapes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
