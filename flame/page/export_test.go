package page

// Encode exposes encode to the tests, with at most maxNodes frames, as the
// JSON the page embeds.
func Encode(p *Page, maxNodes int) ([]byte, error) { return jsonOf(encode(p, maxNodes)) }
