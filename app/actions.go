package app

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/leakscope/leakscope/app/session"
)

// action is one command of the window. The same table feeds the main menu
// and the canvas shortcuts, so a shortcut works whether or not the menu
// shows it.
type action struct {
	menu     string // "File" or "View"
	label    string
	key      fyne.KeyName // "" for no shortcut
	mod      fyne.KeyModifier
	run      func()
	checked  func() bool // for toggles; nil otherwise
	quit     bool        // the Quit item
	sepAfter bool        // a separator follows in the menu
	disabled bool        // shown, not chosen: it says what is on screen
}

func (u *UI) actions() []action {
	ctrl := fyne.KeyModifierShortcutDefault
	view := u.sess.View
	graph := []action{
		{menu: "View", label: "Call Graph", run: func() { u.SetView(session.View{}) }, checked: func() bool { return view.Mode == session.GraphMode }},
		{menu: "View", label: "Inverted (bottom-up)", run: u.ToggleInverted, checked: func() bool { return view.Mode == session.InvertedMode }},
	}
	if view.About() != "" { // merged at F, or callers and callees of F: said, and Back leaves it
		label := strings.ToUpper(view.String()[:1]) + view.String()[1:]
		graph = append(graph, action{menu: "View", label: label, run: func() {}, checked: func() bool { return true }, disabled: true})
	}
	graph[len(graph)-1].sepAfter = true
	return slices.Concat([]action{
		{menu: "File", label: "Open…", key: fyne.KeyO, mod: ctrl, run: u.ShowOpenDialog},
		{menu: "File", label: "Watch a Service…", run: u.ShowWatchDialog},
		{menu: "File", label: "Symbol Sources…", run: u.ShowSymbolsDialog},
		{menu: "File", label: "Swap Base and Later", key: fyne.KeyS, mod: ctrl | fyne.KeyModifierShift, run: u.Swap},
		{menu: "File", label: "Export PNG…", key: fyne.KeyE, mod: ctrl, run: u.ShowExportDialog},
		{menu: "File", label: "Export HTML…", run: u.ShowHTMLDialog},
		{menu: "File", label: "Export Function Table as CSV…", run: u.ShowCSVDialog, sepAfter: true},
		{menu: "File", label: "Quit", key: fyne.KeyQ, mod: ctrl, run: u.Quit, quit: true},
		{menu: "View", label: "Search", key: fyne.KeyF, mod: ctrl, run: u.FocusSearch},
		{menu: "View", label: "Next Match", key: fyne.KeyG, mod: ctrl, run: func() { u.NextMatch(true) }},
		{menu: "View", label: "Previous Match", key: fyne.KeyG, mod: ctrl | fyne.KeyModifierShift, run: func() { u.NextMatch(false) }},
		{menu: "View", label: "Functions", key: fyne.KeyT, mod: ctrl, run: u.ShowFunctions},
		{menu: "View", label: "Back", key: fyne.KeyEscape, run: u.Escape},
		{menu: "View", label: "Reset Zoom", key: fyne.KeyHome, run: u.ResetZoom, sepAfter: true},
	}, graph, []action{
		{menu: "View", label: "Flame Orientation (root at the bottom)", run: u.ToggleOrientation,
			checked: func() bool { return u.flameUp }},
		{menu: "View", label: "Allocator Frames (Rust, C++)", run: u.ToggleAllocFrames, checked: func() bool { return u.sess.KeepAllocFrames }},
		{menu: "View", label: "Runtime Frames", run: u.ToggleRuntimeFrames, checked: func() bool { return u.showRuntime }},
		{menu: "View", label: "Show All Frames", run: u.ShowAllFrames},
	})
}

func (a action) shortcut() fyne.Shortcut {
	if a.key == "" {
		return nil
	}
	return &desktop.CustomShortcut{KeyName: a.key, Modifier: a.mod}
}

// setMenus builds the main menu from the actions, with the recent
// comparisons under File.
func (u *UI) setMenus() {
	u.menuView = u.sess.View
	menus := map[string]*fyne.Menu{"File": fyne.NewMenu("File"), "View": fyne.NewMenu("View")}
	for _, a := range u.actions() {
		item := fyne.NewMenuItem(a.label, a.run)
		item.Shortcut = a.shortcut()
		item.IsQuit = a.quit
		if a.checked != nil {
			item.Checked = a.checked()
		}
		item.Disabled = a.disabled
		m := menus[a.menu]
		m.Items = append(m.Items, item)
		if a.label == "Open…" {
			recent := fyne.NewMenuItem("Open Recent", nil)
			recent.ChildMenu = fyne.NewMenu("", u.recentItems()...)
			m.Items = append(m.Items, recent)
		}
		if a.sepAfter {
			m.Items = append(m.Items, fyne.NewMenuItemSeparator())
		}
	}
	u.win.SetMainMenu(fyne.NewMainMenu(menus["File"], menus["View"]))
}

// setShortcuts registers every action's shortcut on the canvas. Esc, which
// is a plain key, is handled in typedKey.
func (u *UI) setShortcuts() {
	c := u.win.Canvas()
	for _, a := range u.actions() {
		if a.key == "" || a.mod == 0 {
			continue
		}
		run := a.run
		c.AddShortcut(a.shortcut(), func(fyne.Shortcut) { run() })
	}
	c.SetOnTypedKey(u.typedKey)
}

// typedKey handles the keys typed while no field has the keyboard: Esc
// and Home, and the graph's own keys, so that the arrows move in the graph
// without clicking it first.
func (u *UI) typedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyEscape:
		u.Escape()
	case fyne.KeyHome:
		u.ResetZoom()
	case fyne.KeyUp, fyne.KeyDown, fyne.KeyLeft, fyne.KeyRight, fyne.KeyReturn, fyne.KeyEnter,
		fyne.KeyBackspace, fyne.KeyPageUp, fyne.KeyPageDown:
		if !u.top.visible() {
			u.graph.TypedKey(e)
		}
	}
}
