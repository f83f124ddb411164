package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"

	"github.com/leakscope/leakscope/cli"
)

// parked blocks until release is closed: one instantiation per type.
//
//go:noinline
func parked[T any](release chan struct{}, wg *sync.WaitGroup, v T) {
	wg.Done()
	<-release
	_ = v
}

// TestGenericsLineUp: a debug=2 goroutine dump and a protobuf goroutine
// profile of the same moment name generic functions differently
// (parked[...] and parked[go.shape.int]); compared, they show no growth
// and a note says why. Two protobufs keep the instantiations apart.
func TestGenericsLineUp(t *testing.T) {
	release := make(chan struct{})
	var started, done sync.WaitGroup
	for i := range 5 {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			if i < 3 {
				parked(release, &started, i)
			} else {
				parked(release, &started, "s")
			}
		}()
	}
	started.Wait()
	dir := t.TempDir()
	text, proto := filepath.Join(dir, "goroutines.txt"), filepath.Join(dir, "goroutine.pb.gz")
	var tb, pb bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&tb, 2); err != nil {
		t.Fatal(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(&pb, 0); err != nil {
		t.Fatal(err)
	}
	close(release)
	done.Wait()
	os.WriteFile(text, tb.Bytes(), 0o644)
	os.WriteFile(proto, pb.Bytes(), 0o644)
	if !strings.Contains(tb.String(), "parked[...]") {
		t.Fatalf("the debug=2 dump does not name parked[...]:\n%s", tb.String())
	}

	report := func(files ...string) (map[string]int64, string) {
		t.Helper()
		var out, errs bytes.Buffer
		if code, _ := cli.Run(append([]string{"report", "--json"}, files...), &out, &errs); code != 0 {
			t.Fatalf("report %v: exit %d: %s", files, code, errs.String())
		}
		var r struct {
			Functions []struct {
				Name string `json:"name"`
				Flat struct {
					Base, Later, Delta int64
				} `json:"flat"`
			} `json:"functions"`
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows := map[string]int64{}
		for _, f := range r.Functions {
			if strings.Contains(f.Name, "parked") {
				rows[f.Name] = f.Flat.Delta
				if f.Flat.Later == 0 && f.Flat.Base == 0 {
					t.Errorf("%s: no values", f.Name)
				}
			}
		}
		return rows, errs.String()
	}
	for _, pair := range [][]string{{text, proto}, {proto, text}} {
		rows, errs := report(pair...)
		if len(rows) != 1 {
			t.Errorf("%s vs %s: generic rows %v, want one parked[...]", filepath.Base(pair[0]), filepath.Base(pair[1]), rows)
		}
		for name, d := range rows {
			if d != 0 || !strings.HasSuffix(name, "parked[...]") {
				t.Errorf("%s: %+d, want parked[...] unchanged", name, d)
			}
		}
		if !strings.Contains(errs, "[go.shape.int]): the shapes are read as [...]") {
			t.Errorf("no note says how the names were lined up:\n%s", errs)
		}
	}
	rows, errs := report(proto, proto)
	var shapes []string
	for name := range rows {
		shapes = append(shapes, name)
	}
	if len(rows) != 2 || !strings.Contains(strings.Join(shapes, " "), "[go.shape.int]") || !strings.Contains(strings.Join(shapes, " "), "[go.shape.string]") {
		t.Errorf("two protobufs: generic rows %v, want the int and string shapes apart", shapes)
	}
	if strings.Contains(errs, "[...]") {
		t.Errorf("two protobufs: a note about [...]:\n%s", errs)
	}
}

// TestTagWithComma: --tag key=value keeps the stacks whose label value is
// the whole value given, commas and all.
func TestTagWithComma(t *testing.T) {
	release := make(chan struct{})
	var started, done sync.WaitGroup
	for _, tenant := range []string{"a,b", "a,b", "a"} {
		started.Add(1)
		done.Add(1)
		go pprof.Do(context.Background(), pprof.Labels("tenant", tenant), func(context.Context) {
			defer done.Done()
			parked(release, &started, tenant)
		})
	}
	started.Wait()
	var pb bytes.Buffer
	err := pprof.Lookup("goroutine").WriteTo(&pb, 0)
	close(release)
	done.Wait()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "goroutine.pb.gz")
	os.WriteFile(file, pb.Bytes(), 0o644)
	for _, tt := range []struct {
		tag  string
		want int64
	}{{"tenant=a,b", 2}, {"tenant=a", 1}, {"tenant=b", 0}} {
		var out, errs bytes.Buffer
		code, _ := cli.Run([]string{"report", "--json", "--tag", tt.tag, file}, &out, &errs)
		if code != 0 {
			t.Fatalf("--tag %s: exit %d: %s", tt.tag, code, errs.String())
		}
		var r struct{ Total struct{ Later int64 } }
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Total.Later != tt.want {
			t.Errorf("--tag %s keeps %d goroutines, want %d", tt.tag, r.Total.Later, tt.want)
		}
		// A value no stack carries says so, and which values there are.
		warned := strings.Contains(errs.String(), "warning: no stack carries "+tt.tag+" (tenant takes a, a,b)")
		if warned != (tt.want == 0) {
			t.Errorf("--tag %s: stderr %q", tt.tag, errs.String())
		}
	}
}
