// Package widget holds the window's own widgets, which know nothing of the
// session or the window: the diff flame graph (FlameGraph), the series
// timeline (Timeline), the legend under the graph (Legend), tooltips
// (TipLayer, TipButton), and the sortable header of the tables
// (SortableHeader). Each follows Fyne's pattern: a struct that embeds
// widget.BaseWidget, a constructor that calls ExtendBaseWidget, and a
// private renderer that owns the canvas objects.
package widget
