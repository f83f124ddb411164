package assets

import (
	"os"
	"regexp"
	"testing"
)

// TestVersionMatchesFyneApp: the version the program states is the one the
// packaged app carries.
func TestVersionMatchesFyneApp(t *testing.T) {
	data, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(data)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	if string(m[1]) != Version {
		t.Errorf("Version %q, FyneApp.toml says %q", Version, m[1])
	}
}
