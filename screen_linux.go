package main

import (
	"io"
	"log"
	"os"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// screenSize returns the size of the X screen the window opens on, in
// pixels; ok is false without an X display (Wayland alone, or none).
func screenSize() (w, h int, ok bool) {
	if os.Getenv("DISPLAY") == "" {
		return 0, 0, false
	}
	xgb.Logger = log.New(io.Discard, "", 0) // it would print X authority notes on stderr
	c, err := xgb.NewConn()
	if err != nil {
		return 0, 0, false
	}
	defer c.Close()
	s := xproto.Setup(c).DefaultScreen(c)
	return int(s.WidthInPixels), int(s.HeightInPixels), true
}
