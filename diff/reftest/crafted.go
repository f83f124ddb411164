package reftest

import (
	"bytes"
	"compress/gzip"

	"google.golang.org/protobuf/encoding/protowire"
)

// Crafted inputs: small files whose counts claim far more than they hold.

// protoBuilder writes profile.proto messages by hand.
type protoBuilder struct{ b []byte }

func (p *protoBuilder) msg(num protowire.Number, body []byte) {
	p.b = protowire.AppendTag(p.b, num, protowire.BytesType)
	p.b = protowire.AppendBytes(p.b, body)
}

func field(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func sub(b []byte, num protowire.Number, body []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, body)
}

// header writes one sample type "space/bytes" and a string table of
// "", "space", "bytes" and strs.
func (p *protoBuilder) header(strs ...string) {
	p.msg(1, field(field(nil, 1, 1), 2, 2))
	for _, s := range append([]string{"", "space", "bytes"}, strs...) {
		p.msg(6, []byte(s))
	}
}

// ManyLinesProto returns a pprof profile with one location of lines lines
// (all in function "f"), named refs times by its one sample: a few
// kilobytes that expand to lines×refs frames.
func ManyLinesProto(lines, refs int) []byte {
	var p protoBuilder
	p.header("f")
	p.msg(5, field(field(nil, 1, 1), 2, 3))
	loc := field(nil, 1, 1)
	for i := range lines {
		loc = sub(loc, 4, field(field(nil, 1, 1), 2, uint64(i+1)))
	}
	p.msg(4, loc)
	var ids []byte
	for range refs {
		ids = protowire.AppendVarint(ids, 1)
	}
	p.msg(2, field(sub(nil, 1, ids), 2, 1))
	return p.b
}

// EmptyLocationsProto returns a profile header followed by n empty Location
// messages, two bytes each.
func EmptyLocationsProto(n int) []byte {
	var p protoBuilder
	p.header()
	for range n {
		p.msg(4, nil)
	}
	return p.b
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
