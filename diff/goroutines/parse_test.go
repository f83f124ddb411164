package goroutines_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/reftest"
)

func parse(t *testing.T, text string) *goroutines.Snapshot {
	t.Helper()
	d, err := diff.Parse(context.Background(), []byte(text), "dump.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := goroutines.FromDump(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func only(t *testing.T, s *goroutines.Snapshot) goroutines.SiteDelta {
	t.Helper()
	c := goroutines.Compare(nil, s)
	if len(c.Sites) != 1 {
		t.Fatalf("%d sites, want 1: %+v", len(c.Sites), c.Sites)
	}
	return c.Sites[0]
}

func TestHeaderForms(t *testing.T) {
	const body = "main.(*Client).watch(0xc000123456)\n\t/src/app/main.go:80 +0x5d\ncreated by main.NewClient in goroutine 57\n\t/src/app/main.go:69 +0x1a5\n"
	tests := []struct {
		desc, header string
		state        string
		wait         int32
		leaked       int64
		labels       map[string]int64
	}{
		{"plain", "goroutine 1234 [chan receive]:", "chan receive", 0, 0, nil},
		{"minutes", "goroutine 1234 [chan receive, 5 minutes]:", "chan receive", 5, 0, nil},
		{"locked", "goroutine 9 [syscall, 12 minutes, locked to thread]:", "syscall", 12, 0, nil},
		{"running", "goroutine 1 [running]:", "running", 0, 0, nil},
		{"runnable", "goroutine 1 [runnable]:", "runnable", 0, 0, nil},
		{"state with parentheses", "goroutine 3 [select (no cases)]:", "select (no cases)", 0, 0, nil},
		{"leaked", "goroutine 77 [chan send (leaked)]:", "chan send", 0, 1, nil},
		{"leaked with wait", "goroutine 77 [chan send (leaked), 61 minutes]:", "chan send", 61, 1, nil},
		{"durable synctest", "goroutine 5 [chan receive (durable), synctest bubble 1]:", "chan receive", 0, 0, nil},
		{"labels", `goroutine 8 [select, 3 minutes labels:{"handler": "/api", "tenant": "a,b"}]:`, "select", 3,
			// A comma in a value is escaped, so that the set reads back.
			0, map[string]int64{`handler=/api,tenant=a\,b`: 1}},
		{"everything", `goroutine 8 [IO wait (leaked), 2 minutes, locked to thread labels:{"k": "v"}]:`, "IO wait", 2,
			1, map[string]int64{"k=v": 1}},
		{"gp and m (GOTRACEBACK=system)", "goroutine 1 gp=0xc000002380 m=0 mp=0x5a2b40 [running]:", "running", 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			s := only(t, parse(t, tt.header+"\n"+body))
			want := goroutines.Site{Function: "main.NewClient", File: "/src/app/main.go", Line: 69}
			if s.Site != want {
				t.Errorf("site %+v, want %+v", s.Site, want)
			}
			if s.States[tt.state] != 1 || len(s.States) != 1 {
				t.Errorf("states %v, want %q", s.States, tt.state)
			}
			if s.MaxWait != tt.wait || s.Leaked != tt.leaked {
				t.Errorf("wait %d leaked %d, want %d and %d", s.MaxWait, s.Leaked, tt.wait, tt.leaked)
			}
			if len(s.Labels) != len(tt.labels) || (tt.labels != nil && !reflect.DeepEqual(s.Labels, tt.labels)) {
				t.Errorf("labels %v, want %v", s.Labels, tt.labels)
			}
			if len(s.Stack) != 1 || s.Stack[0] != (diff.Frame{Function: "main.(*Client).watch", File: "/src/app/main.go", Line: 80}) {
				t.Errorf("stack %v", s.Stack)
			}
		})
	}
}

func TestFrameForms(t *testing.T) {
	tests := []struct {
		desc, dump string
		site       goroutines.Site
		stack      []diff.Frame
	}{
		{"no offsets (leaked goroutines)",
			"goroutine 5 [chan send (leaked)]:\nmain.leak.func1()\n\t/src/a.go:10\ncreated by main.leak in goroutine 1\n\t/src/a.go:9\n",
			goroutines.Site{Function: "main.leak", File: "/src/a.go", Line: 9},
			[]diff.Frame{{Function: "main.leak.func1", File: "/src/a.go", Line: 10}}},
		{"before Go 1.21: no creator goroutine",
			"goroutine 5 [select]:\nnet/http.(*persistConn).writeLoop(0xc0001b6000)\n\t/usr/go/src/net/http/transport.go:2421 +0xe5\ncreated by net/http.(*Transport).dialConn\n\t/usr/go/src/net/http/transport.go:1777 +0x16f1\n",
			goroutines.Site{Function: "net/http.(*Transport).dialConn", File: "/usr/go/src/net/http/transport.go", Line: 1777},
			[]diff.Frame{{Function: "net/http.(*persistConn).writeLoop", File: "/usr/go/src/net/http/transport.go", Line: 2421}}},
		{"elided frames",
			"goroutine 6 [running]:\nmain.rec(0x1)\n\t/src/r.go:5 +0x1\nmain.rec(0x2)\n\t/src/r.go:5 +0x1\n...additional frames elided...\ncreated by main.main in goroutine 1\n\t/src/r.go:20 +0x2\n",
			goroutines.Site{Function: "main.main", File: "/src/r.go", Line: 20},
			[]diff.Frame{{Function: "main.rec", File: "/src/r.go", Line: 5}, {Function: "main.rec", File: "/src/r.go", Line: 5}}},
		{"inlined frame, generic, path with spaces",
			"goroutine 7 [sleep]:\ntime.Sleep(0x3b9aca00)\n\t/usr/go/src/runtime/time.go:300 +0x111\nmy/pkg.Run[...](...)\n\t/home/me/my project/run.go:14\nmain.main()\n\t/home/me/my project/main.go:8 +0x25\n",
			goroutines.Site{Function: "main.main", NoCreator: true},
			[]diff.Frame{{Function: "time.Sleep", File: "/usr/go/src/runtime/time.go", Line: 300},
				{Function: "my/pkg.Run[...]", File: "/home/me/my project/run.go", Line: 14},
				{Function: "main.main", File: "/home/me/my project/main.go", Line: 8}}},
		{"panic prelude and register dump",
			"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/m.go:3 +0x1\nexit status 2\n",
			goroutines.Site{Function: "main.main", NoCreator: true},
			[]diff.Frame{{Function: "main.main", File: "/src/m.go", Line: 3}}},
		{"fp and sp (GOTRACEBACK=crash)",
			"goroutine 2 [force gc (idle)]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/usr/go/src/runtime/proc.go:435 +0xce fp=0xc000050fa8 sp=0xc000050f88 pc=0x46d2ae\ncreated by runtime.init.7 in goroutine 1\n\t/usr/go/src/runtime/proc.go:336 +0x1a fp=0xc000050fe0 sp=0xc000050fc8 pc=0x43a85a\n",
			goroutines.Site{Function: "runtime.init.7", File: "/usr/go/src/runtime/proc.go", Line: 336},
			[]diff.Frame{{Function: "runtime.gopark", File: "/usr/go/src/runtime/proc.go", Line: 435}}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			s := only(t, parse(t, tt.dump))
			if s.Site != tt.site {
				t.Errorf("site %+v, want %+v", s.Site, tt.site)
			}
			if !reflect.DeepEqual(s.Stack, tt.stack) {
				t.Errorf("stack %v, want %v", s.Stack, tt.stack)
			}
		})
	}
}

func TestBadDumps(t *testing.T) {
	const two = "goroutine 1 [running]:\nmain.main()\n\t/src/m.go:3 +0x1\n\ngoroutine 9 [select]:\nmain.w()\n\t/src/m.go:9 +0x1\ncreated by main.main in goroutine 1\n\t/src/m.go:8 +0x1\n"
	tests := []struct {
		desc, dump string
		goroutines int64
		warning    string
		err        string
	}{
		{"complete", two, 2, "", ""},
		{"last goroutine cut in a frame", two[:len(two)-30], 1, "the dump ends inside a goroutine; 1 incomplete goroutine left out", ""},
		{"last goroutine cut after its function", two[:strings.LastIndex(two, "\t/src/m.go:8")], 1, "1 incomplete goroutine left out", ""},
		{"last goroutine cut in a file line", two[:strings.LastIndex(two, "8 +0x1")], 1, "1 incomplete goroutine left out", ""},
		{"last goroutine cut in its header", two[:strings.Index(two, "main.w")-3], 1, "1 incomplete goroutine left out", ""},
		{"no newline after a whole goroutine", two[:len(two)-1], 2, "", ""},
		{"no newline after a file line without offset", strings.TrimSuffix(two, " +0x1\n"), 1, "1 incomplete goroutine left out", ""},
		{"garbage lines inside", strings.Replace(two, "main.w()\n", "main.w()\n#### noise ####\n\t\t???\n", 1), 2, "lines inside goroutines matched no known form", ""},
		{"only a header", "goroutine 1 [running]:\n", 1, "", ""},
		{"header, then garbage", "goroutine 1 [running]:\n\t\t\n", 1, "1 lines inside goroutines", ""},
		{"Go 1.26 elision in the middle", strings.Replace(two, "main.w()\n", "main.w()\n\t/src/m.go:9 +0x1\n...37 frames elided...\nmain.v()\n", 1), 2, "", ""},
		{"panic output past 64 KiB before the first header", strings.Repeat("log: some output\n", 5000) + "panic: boom\n\n" + two, 2, "", ""},
		{"deeper than this tool reads", "goroutine 1 [running]:\n" + strings.Repeat("main.f()\n\t/src/m.go:3 +0x1\n", diff.MaxStackDepth+1), 0, "",
			"a stack has 65537 frames, more than the 65536 this tool reads"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d, err := diff.Parse(context.Background(), []byte(tt.dump), "g.txt", nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := d.Total(0); n != tt.goroutines {
				t.Errorf("%d goroutines, want %d", n, tt.goroutines)
			}
			w := strings.Join(d.Warnings, "; ")
			if (tt.warning == "") != (w == "") || !strings.Contains(w, tt.warning) {
				t.Errorf("warnings %q, want %q", w, tt.warning)
			}
		})
	}
}

func TestNotAGoroutineDump(t *testing.T) {
	for _, text := range []string{"", "goroutine profile: total 0\n", "goroutine x [running]:\n", "hello\n"} {
		if goroutines.Match([]byte(text)) {
			t.Errorf("Match(%q) = true", text)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("goroutine 1 [running]:\nmain.main()\n\t/src/m.go:3 +0x1\n\ngoroutine 9 [select (leaked), 3 minutes labels:{\"a\": \"b\"}]:\nmain.w(...)\n\t/src/m.go:9\n...additional frames elided...\ncreated by main.main in goroutine 1\n\t/src/m.go:8 +0x1\n"))
	f.Add([]byte("goroutine 1 gp=0x1 m=0 mp=0x2 [running, locked to thread]:\nmain.main()\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := reftest.ParseFuzzInput(t, data)
		if d == nil {
			return
		}
		if d.Kind != diff.KindGoroutine {
			return
		}
		s, err := goroutines.FromDump(d)
		if err != nil {
			t.Fatal(err)
		}
		c := goroutines.Compare(s, s)
		var total int64
		for i, site := range c.Sites {
			if site.Delta() != 0 || site.Survivors > site.Later {
				t.Fatalf("a dump compared with itself: %+v", site)
			}
			total += site.Later
			if _, err := c.Profile(i); err != nil {
				t.Fatal(err)
			}
		}
		if total != s.Total() {
			t.Fatalf("sites hold %d goroutines of %d", total, s.Total())
		}
	})
}
