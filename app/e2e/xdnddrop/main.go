// Command xdnddrop drops files onto an X11 window the way a file manager
// does, speaking the XDND protocol (version 5) with a text/uri-list offer.
// Leakscope's end-to-end tests use it to drop dumps on the real window under
// Xvfb.
//
// Usage:
//
//	xdnddrop -window ID [-x X -y Y] FILE...
//
// X and Y are root coordinates (default: the window's centre). It exits 0
// once the target reports XdndFinished, 1 on a refusal or after 10 seconds.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

func main() {
	win := flag.Uint("window", 0, "target window ID")
	x := flag.Int("x", -1, "root x of the drop (default: the window's centre)")
	y := flag.Int("y", -1, "root y of the drop")
	flag.Parse()
	if *win == 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: xdnddrop -window ID [-x X -y Y] FILE...")
		os.Exit(2)
	}
	if err := drop(xproto.Window(*win), *x, *y, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "xdnddrop:", err)
		os.Exit(1)
	}
}

func drop(target xproto.Window, x, y int, files []string) error {
	c, err := xgb.NewConn()
	if err != nil {
		return err
	}
	defer c.Close()
	root := xproto.Setup(c).DefaultScreen(c).Root
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		if err != nil {
			panic(err)
		}
		return r.Atom
	}
	var (
		enter, position, status = atom("XdndEnter"), atom("XdndPosition"), atom("XdndStatus")
		dropA, finished         = atom("XdndDrop"), atom("XdndFinished")
		selection, copyAction   = atom("XdndSelection"), atom("XdndActionCopy")
		uriList                 = atom("text/uri-list")
	)
	src, err := xproto.NewWindowId(c)
	if err != nil {
		return err
	}
	if err := xproto.CreateWindowChecked(c, 0, src, root, 0, 0, 1, 1, 0, xproto.WindowClassInputOnly, 0, 0, nil).Check(); err != nil {
		return fmt.Errorf("creating the source window: %w", err)
	}
	if err := xproto.SetSelectionOwnerChecked(c, src, selection, xproto.TimeCurrentTime).Check(); err != nil {
		return err
	}
	if x < 0 || y < 0 {
		g, err := xproto.GetGeometry(c, xproto.Drawable(target)).Reply()
		if err != nil {
			return fmt.Errorf("window %d: %w", target, err)
		}
		t, err := xproto.TranslateCoordinates(c, target, root, int16(g.Width/2), int16(g.Height/2)).Reply()
		if err != nil {
			return err
		}
		x, y = int(t.DstX), int(t.DstY)
	}
	send := func(typ xproto.Atom, data ...uint32) error {
		for len(data) < 5 {
			data = append(data, 0)
		}
		ev := xproto.ClientMessageEvent{Format: 32, Window: target, Type: typ, Data: xproto.ClientMessageDataUnionData32New(data)}
		return xproto.SendEventChecked(c, false, target, xproto.EventMaskNoEvent, string(ev.Bytes())).Check()
	}
	if err := send(enter, uint32(src), 5<<24, uint32(uriList)); err != nil {
		return fmt.Errorf("XdndEnter: %w", err)
	}
	if err := send(position, uint32(src), 0, uint32(x)<<16|uint32(y), 0, uint32(copyAction)); err != nil {
		return fmt.Errorf("XdndPosition: %w", err)
	}
	var uris []string
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		uris = append(uris, (&url.URL{Scheme: "file", Path: abs}).String())
	}
	payload := strings.Join(uris, "\r\n") + "\r\n"

	events := make(chan xgb.Event)
	go func() {
		for {
			ev, err := c.WaitForEvent()
			if ev == nil && err == nil {
				close(events)
				return
			}
			if ev != nil {
				events <- ev
			}
		}
	}()
	deadline := time.After(10 * time.Second)
	dropped := false
	for {
		select {
		case <-deadline:
			return fmt.Errorf("no XdndFinished from window %d within 10 s (dropped: %v)", target, dropped)
		case ev, ok := <-events:
			if !ok {
				return fmt.Errorf("connection closed")
			}
			switch e := ev.(type) {
			case xproto.ClientMessageEvent:
				d := e.Data.Data32
				switch e.Type {
				case status:
					if d[1]&1 == 0 {
						return fmt.Errorf("window %d refused the drop", target)
					}
					if !dropped {
						dropped = true
						if err := send(dropA, uint32(src), 0, 0); err != nil {
							return fmt.Errorf("XdndDrop: %w", err)
						}
					}
				case finished:
					return nil
				}
			case xproto.SelectionRequestEvent:
				prop := e.Property
				if prop == 0 {
					prop = e.Target
				}
				if e.Target == uriList {
					xproto.ChangeProperty(c, xproto.PropModeReplace, e.Requestor, prop, uriList, 8, uint32(len(payload)), []byte(payload))
				} else {
					prop = 0
				}
				n := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop}
				xproto.SendEvent(c, false, e.Requestor, xproto.EventMaskNoEvent, string(n.Bytes()))
			}
		}
	}
}
