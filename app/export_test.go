package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Test hooks: they read widget state and run on the test goroutine.

// Graph returns the flame graph widget.
func (u *UI) Graph() *FlameGraph { return u.graph }

// HoverText returns the hover line.
func (u *UI) HoverText() string { return u.hoverInfo.Text }

// StatusText returns the status line.
func (u *UI) StatusText() string { return u.status.Text }

// SetSearch types q into the search entry.
func (u *UI) SetSearch(q string) { u.search.SetText(q) }

// Breadcrumbs returns the texts of the breadcrumb row.
func (u *UI) Breadcrumbs() []string {
	var out []string
	for _, o := range u.crumbs.Objects {
		switch w := o.(type) {
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Label:
			out = append(out, w.Text)
		}
	}
	return out
}

// SiteRows returns the panel's rows as text.
func (u *UI) SiteRows() []string {
	var out []string
	for i := range u.sites.rows {
		var cells []string
		for _, c := range u.sites.cols {
			cells = append(cells, c.text(&u.sites.rows[i], u.sites.unit))
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return out
}

// ActivateSite clicks row i of the panel.
func (u *UI) ActivateSite(i int) { u.sites.activate(i) }

// DemoBannerShown reports whether the demo note is on screen.
func (u *UI) DemoBannerShown() bool { return strings.Contains(u.BannerText(), demoNote) }

// BannerText returns the texts of the banner's rows on screen, one per line.
func (u *UI) BannerText() string {
	if !u.banner.Visible() {
		return ""
	}
	var texts []string
	for _, row := range u.banner.Objects {
		for _, o := range row.(*fyne.Container).Objects {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
		}
	}
	return strings.Join(texts, "\n")
}

// DismissBannerRow taps the close button of banner row i.
func (u *UI) DismissBannerRow(i int) {
	for _, o := range u.banner.Objects[i].(*fyne.Container).Objects {
		if b, ok := o.(*widget.Button); ok {
			b.OnTapped()
		}
	}
}

// Files returns the paths of the profile pair ([0]) and the goroutine pair ([1]).
func (u *UI) Files() (base, later [2]string) {
	for i, p := range []pair{u.profile, u.gor} {
		if p.base != nil {
			base[i] = p.base.Path
		}
		if p.later != nil {
			later[i] = p.later.Path
		}
	}
	return base, later
}

// Recent returns the recent comparisons.
func (u *UI) Recent() []string { return u.recent() }

// MissingBinaries returns the binaries the last load asked for.
func (u *UI) MissingBinaries() []string { return u.missing }

// UseBinaryForFiles answers the binary prompt for files.
func (u *UI) UseBinaryForFiles(path string, files []string) {
	srcs := make([]source, len(files))
	for i, f := range files {
		srcs[i] = source{path: f}
	}
	u.UseBinary(path, srcs)
}
