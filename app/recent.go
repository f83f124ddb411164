package app

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
)

// recentKey is the preference that lists recent comparisons, newest first,
// each as its paths joined by newlines.
const recentKey = "recent"

func (u *UI) recent() []string { return u.app.Preferences().StringList(recentKey) }

func (u *UI) addRecent(paths []string) {
	abs := make([]string, 0, len(paths))
	for _, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		abs = append(abs, p)
	}
	entry := strings.Join(abs, "\n")
	list := []string{entry}
	for _, e := range u.recent() {
		if e != entry && len(list) < 10 {
			list = append(list, e)
		}
	}
	u.app.Preferences().SetStringList(recentKey, list)
	u.setMenus()
}

func (u *UI) recentItems() []*fyne.MenuItem {
	var items []*fyne.MenuItem
	for _, e := range u.recent() {
		paths := strings.Split(e, "\n")
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		items = append(items, fyne.NewMenuItem(strings.Join(names, " → "), func() { u.Open(paths) }))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Open Any File…", func() { u.showOpen(false) }))
	return items
}
