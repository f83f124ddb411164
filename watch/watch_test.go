package watch

import (
	"strings"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"localhost:6060", "http://localhost:6060/debug/pprof/", ""},
		{"http://h:1/debug/pprof", "http://h:1/debug/pprof/", ""},
		{"https://h/x/?q=1#f", "https://h/x/", ""},
		{"", "", "watch needs a URL"},
		{"ftp://h", "", "bad URL"},
	}
	for _, tt := range tests {
		got, err := NormalizeURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("NormalizeURL(%q): %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if d := DefaultDir("http://[::1]:6060/debug/pprof/"); d != "leakscope-__1_6060" {
		t.Errorf("DefaultDir: %q", d)
	}
}

// TestNames: messages name a setting as the front end calls it.
func TestNames(t *testing.T) {
	o := &Options{}
	if got := o.name("--timeout"); got != "--timeout" {
		t.Errorf("command line: %q", got)
	}
	o.Names = map[string]string{"--timeout": "the capture timeout"}
	if got := o.name("--timeout"); got != "the capture timeout" {
		t.Errorf("window: %q", got)
	}
}
