package pprof_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/leakscope/leakscope/diff"
	ourpprof "github.com/leakscope/leakscope/diff/pprof"
	"github.com/leakscope/leakscope/diff/reftest"
)

const demoDir = "../../assets/demo/dumps"

// TestProtoAgreesWithProfileParse checks the streaming protobuf reader
// against google/pprof's profile.Parse on every sample type: the demo
// dumps, the Go compiler's own heap profile (about 400k samples, stacks up
// to 130 frames) and a CPU profile of this test binary made here.
func TestProtoAgreesWithProfileParse(t *testing.T) {
	reftest.Reference(t)
	// Before t.Parallel: no other test profiles the CPU meanwhile.
	cpu := longCPUProfile(t)
	t.Parallel()
	read := func(path string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"heap-base.pb.gz", read(filepath.Join(demoDir, "heap-base.pb.gz"))},
		{"heap-later.pb.gz", read(filepath.Join(demoDir, "heap-later.pb.gz"))},
		{"goroutine-later.pb.gz", read(filepath.Join(demoDir, "goroutine-later.pb.gz"))},
		{"compiler heap", func(t *testing.T) []byte {
			_, later, err := reftest.SharedCompilerHeapPair()
			if err != nil {
				t.Fatal(err)
			}
			return read(later)(t)
		}},
		{"cpu", func(*testing.T) []byte { return cpu }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			agreeWithProfileParse(t, tt.data(t), tt.name)
		})
	}
}

// longCPUProfile profiles this test binary for a while of busy work.
func longCPUProfile(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	var sink [][]byte
	for n := 0; time.Now().Before(deadline); n++ {
		b := bytes.Repeat([]byte{byte(n)}, 1+n%4096)
		sink = append(sink, bytes.ToUpper(b))
		if len(sink) > 512 {
			sink = sink[:0]
		}
		_ = fmt.Sprintf("f[%d[%d]]", n, len(sink))
		_, _ = diff.Parse(context.Background(), []byte(fmt.Sprintf("goroutine profile: total %d\n%d @ 0x1 0x2\n", n, n)), "cpu", nil)
	}
	pprof.StopCPUProfile()
	return buf.Bytes()
}

func agreeWithProfileParse(t *testing.T, data []byte, name string) {
	t.Helper()
	fast, err := diff.Parse(context.Background(), data, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := ourpprof.ParseWithProfilePackage(data, name)
	if err != nil {
		t.Fatal(err)
	}
	if fast.NumStacks() < 3 {
		t.Fatalf("only %d stacks: the profile is too thin", fast.NumStacks())
	}
	t.Logf("%s: %d stacks, %d frames", name, fast.NumStacks(), fast.NumFrames())
	if len(fast.SampleTypes) != len(slow.SampleTypes) {
		t.Fatalf("sample types %v, profile.Parse gives %v", fast.SampleTypes, slow.SampleTypes)
	}
	if !fast.Time.Equal(slow.Time) || fast.DefaultSampleType != slow.DefaultSampleType || fast.Kind != slow.Kind ||
		fast.Period != slow.Period || fast.PeriodType != slow.PeriodType {
		t.Errorf("header (%v, %q, %s, %d %v), profile.Parse gives (%v, %q, %s, %d %v)",
			fast.Time, fast.DefaultSampleType, fast.Kind, fast.Period, fast.PeriodType,
			slow.Time, slow.DefaultSampleType, slow.Kind, slow.Period, slow.PeriodType)
	}
	for i, st := range fast.SampleTypes {
		if st != slow.SampleTypes[i] {
			t.Errorf("sample type %d is %v, profile.Parse gives %v", i, st, slow.SampleTypes[i])
		}
		a, err := diff.Compare(nil, fast, st.Type)
		if err != nil {
			t.Fatal(err)
		}
		b, err := diff.Compare(slow, fast, st.Type)
		if err != nil {
			t.Fatal(err)
		}
		if a.Total() != (diff.Delta{Base: 0, Later: fast.Total(i)}) || fast.Total(i) != slow.Total(i) {
			t.Errorf("%s: total %v, profile.Parse's %d", st.Type, a.Total(), slow.Total(i))
		}
		// The same profile read both ways must cancel out exactly, stack by stack.
		bad := 0
		for s := 0; s < b.NumStacks(); s++ {
			if v := b.Value(s); v.Diff() != 0 {
				if bad++; bad <= 5 {
					t.Errorf("%s: stack %d differs between readers: %+v", st.Type, s, v)
				}
			}
		}
		if bad > 5 {
			t.Errorf("%s: %d stacks differ in all", st.Type, bad)
		}
	}
}
