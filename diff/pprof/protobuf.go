package pprof

import (
	"errors"
	"fmt"
	"github.com/leakscope/leakscope/diff"
	"math"
	"time"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
)

// The pprof protobuf reader decodes profile.proto in a single scan without
// building profile.Profile: samples are kept as offsets into the input until
// the location and function tables (which Go writes after the samples) are
// known, then each sample's frames and values go straight into the Builder.

func init() {
	diff.RegisterFormat(diff.Format{Name: "Go text profile (debug=1)", Order: 10, Match: matchLegacyText, Load: loadLegacyText, Suffixes: []string{".txt", ".prof"}})
	diff.RegisterFormat(diff.Format{Name: "pprof protobuf", Order: 20, Match: matchProto, Plausible: plausible, Load: loadProto, Suffixes: []string{".pb.gz", ".pb", ".pprof", ".prof", ".memprof"}})
}

// checkEvery is how many samples or locations the reader handles between
// two looks at Builder.Err.
const checkEvery = 4096

// Field numbers of profile.proto.
const (
	profSampleType        = 1
	profSample            = 2
	profMapping           = 3
	profLocation          = 4
	profFunction          = 5
	profStringTable       = 6
	profTimeNanos         = 9
	profDurationNanos     = 10
	profPeriodType        = 11
	profPeriod            = 12
	profComment           = 13
	profDefaultSampleType = 14
)

// matchProto accepts binary data whose first field is a field of Profile with
// the right wire type.
func matchProto(data []byte) bool {
	num, typ, n := protowire.ConsumeTag(data)
	if n < 0 || diff.LooksLikeText(data[:min(len(data), 64)]) {
		return false
	}
	switch num {
	case profSampleType, profSample, profMapping, profLocation, profFunction, profStringTable, profPeriodType:
		return typ == protowire.BytesType
	case 7, 8, profTimeNanos, profDurationNanos, profPeriod, profDefaultSampleType:
		return typ == protowire.VarintType
	case profComment:
		return typ == protowire.VarintType || typ == protowire.BytesType
	}
	return false
}

type protoLine struct {
	function uint64
	line     int64
}

type protoLocation struct {
	mapping, address uint64
	lines            [2]int32 // protoDecoder.lines[lines[0]:lines[1]]
}

type protoFunction struct {
	name, file int64 // string table indices
}

type protoDecoder struct {
	b           *diff.Builder // for its context; nil when only scanning
	strs        []string
	sampleTypes [][2]int64
	data        []byte // the Profile message
	samples     []int  // offsets in data of the samples' lengths
	locIDs      []uint64
	locs        []protoLocation
	lines       []protoLine
	funcIDs     []uint64
	funcs       []protoFunction
	mappings    map[uint64]int64 // mapping ID -> file name index
	timeNanos   int64
	period      int64
	periodType  [2]int64
	hasPeriod   bool
	comments    []int64
	defaultType int64
}

var errTruncated = errors.New("truncated or corrupt protobuf")

func loadProto(data []byte, b *diff.Builder) error {
	p := protoDecoder{b: b}
	if err := p.presize(data); err != nil {
		return err
	}
	if err := p.scan(data); err != nil {
		return err
	}
	return p.build(b)
}

// presize counts the entries of every table in a first pass that allocates
// nothing, checks that the tables fit the memory budget, and sizes them. The
// counts are of entries present in the data, so that a count the data
// declares cannot make the decoder ask for more than the data holds.
func (p *protoDecoder) presize(data []byte) error {
	var n [profDefaultSampleType + 1]int64
	var lines, strBytes int64
	err := forEachField(data, func(num protowire.Number, typ protowire.Type, _ uint64, msg []byte) error {
		if typ != protowire.BytesType || num > profDefaultSampleType {
			return nil
		}
		n[num]++
		switch num {
		case profLocation:
			// A bad location is reported by scan.
			_ = forEachField(msg, func(num protowire.Number, typ protowire.Type, _ uint64, _ []byte) error {
				if num == 4 && typ == protowire.BytesType {
					lines++
				}
				return nil
			})
		case profStringTable:
			strBytes += int64(len(msg))
		}
		return nil
	})
	if err != nil {
		return err
	}
	const (
		strSize  = int64(unsafe.Sizeof(""))
		locSize  = int64(unsafe.Sizeof(protoLocation{})) + 8 + 4 + 8 // + ID, index, start of frames
		lineSize = int64(unsafe.Sizeof(protoLine{})) + 4             // + a frame
		funcSize = int64(unsafe.Sizeof(protoFunction{})) + 8 + 4     // + ID, index
	)
	need := n[profSample]*8 + n[profSampleType]*16 + n[profLocation]*locSize + lines*lineSize +
		n[profFunction]*funcSize + n[profStringTable]*strSize + strBytes + n[profMapping]*64
	if p.b != nil {
		if err := p.b.Reserve(need); err != nil {
			return err
		}
	}
	p.samples = make([]int, 0, n[profSample])
	p.sampleTypes = make([][2]int64, 0, n[profSampleType])
	p.locIDs = make([]uint64, 0, n[profLocation])
	p.locs = make([]protoLocation, 0, n[profLocation])
	p.lines = make([]protoLine, 0, lines)
	p.funcIDs = make([]uint64, 0, n[profFunction])
	p.funcs = make([]protoFunction, 0, n[profFunction])
	p.strs = make([]string, 0, n[profStringTable])
	return nil
}

// scan reads the top level of a Profile message.
func (p *protoDecoder) scan(data []byte) error {
	p.data = data
	for i := 0; len(data) > 0; i++ {
		if i%(16*checkEvery) == 0 && p.b != nil {
			if err := p.b.Err(); err != nil {
				return err
			}
		}
		_, _, tag := protowire.ConsumeTag(data)
		at := len(p.data) - len(data) + max(tag, 0) // where a sample's length begins
		num, typ, v, msg, rest, ok := nextField(data)
		if !ok {
			return errTruncated
		}
		data = rest
		if num == profSample && typ == protowire.BytesType {
			p.samples = append(p.samples, at)
			continue
		}
		if err := p.field(num, typ, v, msg); err != nil {
			return err
		}
	}
	return nil
}

func (p *protoDecoder) field(num protowire.Number, typ protowire.Type, v uint64, msg []byte) error {
	var err error
	switch {
	case num == profSampleType && typ == protowire.BytesType:
		var vt [2]int64
		vt, err = decodeValueType(msg)
		p.sampleTypes = append(p.sampleTypes, vt)
	case num == profMapping && typ == protowire.BytesType:
		err = p.mapping(msg)
	case num == profLocation && typ == protowire.BytesType:
		err = p.location(msg)
	case num == profFunction && typ == protowire.BytesType:
		err = p.function(msg)
	case num == profStringTable && typ == protowire.BytesType:
		p.strs = append(p.strs, string(msg))
	case num == profTimeNanos && typ == protowire.VarintType:
		p.timeNanos = int64(v)
	case num == profPeriodType && typ == protowire.BytesType:
		p.periodType, err = decodeValueType(msg)
		p.hasPeriod = true
	case num == profPeriod && typ == protowire.VarintType:
		p.period = int64(v)
	case num == profComment && typ == protowire.VarintType:
		p.comments = append(p.comments, int64(v))
	case num == profComment && typ == protowire.BytesType:
		err = forEachVarint(msg, func(v uint64) { p.comments = append(p.comments, int64(v)) })
	case num == profDefaultSampleType && typ == protowire.VarintType:
		p.defaultType = int64(v)
	}
	return err
}

// sample returns sample i's message.
func (p *protoDecoder) sample(i int) []byte {
	msg, _ := protowire.ConsumeBytes(p.data[p.samples[i]:])
	return msg
}

// nextField reads the first field of msg: its number and wire type, its
// value (v for a varint, b for a length-delimited field; other types are
// skipped), and the rest of msg. ok is false when msg is cut short.
func nextField(msg []byte) (num protowire.Number, typ protowire.Type, v uint64, b, rest []byte, ok bool) {
	num, typ, n := protowire.ConsumeTag(msg)
	if n < 0 {
		return 0, 0, 0, nil, nil, false
	}
	msg = msg[n:]
	switch typ {
	case protowire.VarintType:
		v, n = protowire.ConsumeVarint(msg)
	case protowire.BytesType:
		b, n = protowire.ConsumeBytes(msg)
	default:
		n = protowire.ConsumeFieldValue(num, typ, msg)
	}
	if n < 0 {
		return 0, 0, 0, nil, nil, false
	}
	return num, typ, v, b, msg[n:], true
}

// forEachField walks a message's fields, calling fn for each field.
func forEachField(msg []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, b []byte) error) error {
	for len(msg) > 0 {
		num, typ, v, b, rest, ok := nextField(msg)
		if !ok {
			return errTruncated
		}
		msg = rest
		if err := fn(num, typ, v, b); err != nil {
			return err
		}
	}
	return nil
}

// forEachVarint calls fn for each varint of a packed repeated field.
func forEachVarint(packed []byte, fn func(uint64)) error {
	for len(packed) > 0 {
		v, n := protowire.ConsumeVarint(packed)
		if n < 0 {
			return errTruncated
		}
		fn(v)
		packed = packed[n:]
	}
	return nil
}

func decodeValueType(msg []byte) ([2]int64, error) {
	var vt [2]int64
	err := forEachField(msg, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
		if typ == protowire.VarintType && (num == 1 || num == 2) {
			vt[num-1] = int64(v)
		}
		return nil
	})
	return vt, err
}

func (p *protoDecoder) mapping(msg []byte) error {
	var id uint64
	var file int64
	err := forEachField(msg, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			id = v
		case num == 5 && typ == protowire.VarintType:
			file = int64(v)
		}
		return nil
	})
	if p.mappings == nil {
		p.mappings = make(map[uint64]int64)
	}
	p.mappings[id] = file
	return err
}

func (p *protoDecoder) location(msg []byte) error {
	var id uint64
	var loc protoLocation
	loc.lines[0] = int32(len(p.lines))
	err := forEachField(msg, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			id = v
		case num == 2 && typ == protowire.VarintType:
			loc.mapping = v
		case num == 3 && typ == protowire.VarintType:
			loc.address = v
		case num == 4 && typ == protowire.BytesType:
			var ln protoLine
			err := forEachField(b, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
				switch {
				case num == 1 && typ == protowire.VarintType:
					ln.function = v
				case num == 2 && typ == protowire.VarintType:
					ln.line = int64(v)
				}
				return nil
			})
			p.lines = append(p.lines, ln)
			return err
		}
		return nil
	})
	loc.lines[1] = int32(len(p.lines))
	p.locIDs = append(p.locIDs, id)
	p.locs = append(p.locs, loc)
	return err
}

func (p *protoDecoder) function(msg []byte) error {
	var id uint64
	var fn protoFunction
	err := forEachField(msg, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
		if typ != protowire.VarintType {
			return nil
		}
		switch num {
		case 1:
			id = v
		case 2:
			fn.name = int64(v)
		case 4:
			fn.file = int64(v)
		}
		return nil
	})
	p.funcIDs = append(p.funcIDs, id)
	p.funcs = append(p.funcs, fn)
	return err
}

// label decodes a Label message as "key=value" for a string label, as
// pprof's -tagfocus=key=value matches it. Numeric labels (Go's heap
// profiles give every sample one, "bytes", its allocation size) return "":
// they are not labels a user filters on by value.
func (p *protoDecoder) label(msg []byte) (diff.Label, error) {
	key, str, err := labelIndices(msg)
	if err != nil || str == 0 {
		return diff.Label{}, err
	}
	k, err := p.str(key)
	if err != nil || k == "" {
		return diff.Label{}, err
	}
	v, err := p.str(str)
	return diff.Label{Key: k, Value: v}, err
}

// checkLabel fails where label would, without making the label.
func (p *protoDecoder) checkLabel(msg []byte) error {
	key, str, err := labelIndices(msg)
	if err != nil || str == 0 {
		return err
	}
	k, err := p.str(key)
	if err != nil || k == "" {
		return err
	}
	_, err = p.str(str)
	return err
}

// labelIndices returns the string table indices of a Label message's key
// and string value.
func labelIndices(msg []byte) (key, str int64, err error) {
	for len(msg) > 0 {
		num, typ, v, _, rest, ok := nextField(msg)
		if !ok {
			return 0, 0, errTruncated
		}
		msg = rest
		switch {
		case typ != protowire.VarintType:
		case num == 1:
			key = int64(v)
		case num == 2:
			str = int64(v)
		}
	}
	return key, str, nil
}

func (p *protoDecoder) str(i int64) (string, error) {
	if i < 0 || i >= int64(len(p.strs)) {
		return "", fmt.Errorf("string index %d out of range (table has %d)", i, len(p.strs))
	}
	return p.strs[i], nil
}

func (p *protoDecoder) valueType(vt [2]int64) (diff.SampleType, error) {
	t, err := p.str(vt[0])
	if err != nil {
		return diff.SampleType{}, err
	}
	u, err := p.str(vt[1])
	return diff.SampleType{Type: t, Unit: u}, err
}

// build resolves the tables and feeds every sample into b.
func (p *protoDecoder) build(b *diff.Builder) error {
	if len(p.strs) == 0 || p.strs[0] != "" {
		return errors.New("string table does not start with the empty string; not a pprof profile")
	}
	types := make([]diff.SampleType, len(p.sampleTypes))
	for i, vt := range p.sampleTypes {
		t, err := p.valueType(vt)
		if err != nil {
			return fmt.Errorf("sample type: %w", err)
		}
		types[i] = t
	}
	if len(types) == 0 {
		return errors.New("no sample types")
	}
	b.SetSampleTypes(types)
	if err := p.header(b); err != nil {
		return err
	}
	funcIndex := newIDIndex(p.funcIDs)
	locIndex := newIDIndex(p.locIDs)
	if funcIndex == nil || locIndex == nil {
		return errors.New("duplicate or zero location or function ID")
	}
	// Frames of each location, innermost first, back to back in locFrames.
	locFrames := make([]int32, 0, len(p.lines)+len(p.locs))
	locStart := make([]int32, len(p.locs)+1)
	for i, loc := range p.locs {
		if i%checkEvery == 0 {
			if err := b.Err(); err != nil {
				return err
			}
		}
		lines := p.lines[loc.lines[0]:loc.lines[1]]
		if len(lines) == 0 {
			obj, _ := p.str(p.mappings[loc.mapping])
			locFrames = append(locFrames, b.Frame(diff.Frame{Function: fmt.Sprintf("0x%x", loc.address), File: obj}))
		}
		for _, ln := range lines {
			fi, ok := funcIndex.get(ln.function)
			if !ok {
				return fmt.Errorf("location %d refers to unknown function %d", p.locIDs[i], ln.function)
			}
			fn := p.funcs[fi]
			name, err := p.str(fn.name)
			if err != nil {
				return fmt.Errorf("function %d: %w", ln.function, err)
			}
			file, err := p.str(fn.file)
			if err != nil {
				return fmt.Errorf("function %d: %w", ln.function, err)
			}
			locFrames = append(locFrames, b.Frame(diff.Frame{Function: name, File: file, Line: ln.line}))
		}
		locStart[i+1] = int32(len(locFrames))
	}
	b.HideGoRuntime()
	return p.samplesInto(b, len(types), locIndex, locFrames, locStart)
}

func (p *protoDecoder) header(b *diff.Builder) error {
	if p.defaultType != 0 {
		name, err := p.str(p.defaultType)
		if err != nil {
			return fmt.Errorf("default sample type: %w", err)
		}
		b.SetDefaultSampleType(name)
	}
	if p.timeNanos != 0 {
		b.SetTime(time.Unix(0, p.timeNanos))
	}
	if p.hasPeriod {
		pt, err := p.valueType(p.periodType)
		if err != nil {
			return fmt.Errorf("period type: %w", err)
		}
		b.SetPeriod(p.period, pt)
	}
	for _, c := range p.comments {
		s, err := p.str(c)
		if err != nil {
			return fmt.Errorf("comment: %w", err)
		}
		b.AddComment(s)
	}
	return nil
}

func (p *protoDecoder) samplesInto(b *diff.Builder, nTypes int, locIndex *idIndex, locFrames, locStart []int32) error {
	skip := b.Thin()
	// Check each sample and count its frames first, so that the dump is
	// sized exactly and no stack passes MaxStackDepth, however often a
	// sample names a location of many lines. A sample whose value of type
	// skip is zero is checked, and its values counted in the totals, but
	// not kept: it is not decoded again.
	var keep []bool
	var totals []int64 // of every sample, kept or not, when some are not
	if skip >= 0 {
		keep = make([]bool, len(p.samples))
		totals = make([]int64, nTypes)
	}
	if err := b.Reserve(int64(len(locIndex.dense)) * 4); err != nil {
		return err
	}
	counts := locIndex.frameCounts(locStart)
	var total int64
	kept := 0
	for si := range p.samples {
		if si%checkEvery == 0 {
			if err := b.Err(); err != nil {
				return err
			}
		}
		n, v, err := p.checkSample(p.sample(si), locIndex, counts, locStart, skip, totals)
		if err != nil {
			return err
		}
		if n > diff.MaxStackDepth {
			return diff.StackTooDeep(int(n))
		}
		if skip >= 0 {
			if v == 0 {
				continue
			}
			keep[si] = true
		}
		total += n
		kept++
	}
	if total > math.MaxInt32 {
		return fmt.Errorf("the samples hold %d frames in all, more than this tool reads", total)
	}
	b.Grow(kept, int(total))
	if err := b.Err(); err != nil {
		return err
	}

	frames := make([]int32, 0, 128)
	values := make([]int64, 0, nTypes)
	// The field loop is written out here rather than through forEachField:
	// this is the hot path, run once per sample, and in a CPU profile of
	// loading the Go compiler's heap profile the per-location closure took
	// about a quarter of the time.
	var labels diff.Labels // the sample's labels
	labeled := false       // a sample had labels: every later one records its own
	for si := range p.samples {
		if si%checkEvery == 0 {
			if err := b.Err(); err != nil {
				return err
			}
		}
		if keep != nil && !keep[si] {
			continue
		}
		s := p.sample(si)
		frames, values = frames[:0], values[:0]
		for len(s) > 0 {
			num, typ, v, packed, rest, ok := nextField(s)
			if !ok {
				return fmt.Errorf("sample: %w", errTruncated)
			}
			s = rest
			switch {
			case num == 1 && typ == protowire.VarintType:
				var err error
				if frames, err = appendLocation(frames, v, locIndex, locFrames, locStart); err != nil {
					return err
				}
			case num == 1 && typ == protowire.BytesType:
				for i := 0; i < len(packed); {
					// As in checkSample.
					var id uint64
					if b := packed[i]; b < 0x80 {
						id, i = uint64(b), i+1
					} else if i+1 < len(packed) && packed[i+1] < 0x80 {
						id, i = uint64(b&0x7f)|uint64(packed[i+1])<<7, i+2
					} else {
						v, k := protowire.ConsumeVarint(packed[i:])
						if k < 0 {
							return fmt.Errorf("sample: %w", errTruncated)
						}
						id, i = v, i+k
					}
					li, ok := locIndex.get(id)
					if !ok {
						return fmt.Errorf("sample refers to unknown location %d", id)
					}
					frames = append(frames, locFrames[locStart[li]:locStart[li+1]]...)
				}
			case num == 2 && typ == protowire.VarintType:
				values = append(values, int64(v))
			case num == 2 && typ == protowire.BytesType:
				if err := forEachVarint(packed, func(v uint64) { values = append(values, int64(v)) }); err != nil {
					return fmt.Errorf("sample: %w", err)
				}
			case num == 3 && typ == protowire.BytesType:
				kv, err := p.label(packed)
				if err != nil {
					return fmt.Errorf("sample label: %w", err)
				}
				if kv.Key != "" {
					labels = append(labels, kv)
				}
			}
		}
		if len(values) != nTypes {
			return fmt.Errorf("sample has %d values for %d sample types", len(values), nTypes)
		}
		b.AddStack(frames, values)
		if len(labels) > 0 || labeled {
			b.SetLabels(labels)
			labeled = true
		}
		labels = labels[:0]
	}
	if totals != nil {
		b.SetTotals(totals)
	}
	return nil
}

// checkSample reads sample s as far as sizing the dump needs: it returns
// how many frames the sample holds and, when want >= 0, its value of
// sample type want. It fails where decoding the sample would, except that
// with want < 0 it leaves the labels, and with a value of type want that
// is not zero also the number of values, to the decoding. totals, when
// not nil, receives the sample's values.
func (p *protoDecoder) checkSample(s []byte, locIndex *idIndex, counts, locStart []int32, want int, totals []int64) (frames, value int64, err error) {
	var n int64
	nv := 0 // values seen
	addValue := func(v uint64) {
		if nv == want {
			value = int64(v)
		}
		if nv < len(totals) {
			totals[nv], _ = diff.AddSaturating(totals[nv], int64(v))
		}
		nv++
	}
	for len(s) > 0 {
		num, typ, k := protowire.ConsumeTag(s)
		if k < 0 {
			return 0, 0, fmt.Errorf("sample: %w", errTruncated)
		}
		s = s[k:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, k := protowire.ConsumeVarint(s)
			if k < 0 {
				return 0, 0, fmt.Errorf("sample: %w", errTruncated)
			}
			li, ok := locIndex.get(v)
			if !ok {
				return 0, 0, fmt.Errorf("sample refers to unknown location %d", v)
			}
			n += int64(locStart[li+1] - locStart[li])
			s = s[k:]
		case num == 1 && typ == protowire.BytesType:
			packed, k := protowire.ConsumeBytes(s)
			if k < 0 {
				return 0, 0, fmt.Errorf("sample: %w", errTruncated)
			}
			for i := 0; i < len(packed); {
				// Location IDs of one or two bytes, as in Go's profiles,
				// are read here: a call per ID would cost a third.
				var id uint64
				if b := packed[i]; b < 0x80 {
					id, i = uint64(b), i+1
				} else if i+1 < len(packed) && packed[i+1] < 0x80 {
					id, i = uint64(b&0x7f)|uint64(packed[i+1])<<7, i+2
				} else {
					v, k := protowire.ConsumeVarint(packed[i:])
					if k < 0 {
						return 0, 0, fmt.Errorf("sample: %w", errTruncated)
					}
					id, i = v, i+k
				}
				if id < uint64(len(counts)) && counts[id] != 0 {
					n += int64(counts[id])
					continue
				}
				li, ok := locIndex.get(id)
				if !ok {
					return 0, 0, fmt.Errorf("sample refers to unknown location %d", id)
				}
				n += int64(locStart[li+1] - locStart[li])
			}
			s = s[k:]
		case num == 2 && typ == protowire.VarintType && want >= 0:
			v, k := protowire.ConsumeVarint(s)
			if k < 0 {
				return 0, 0, fmt.Errorf("sample: %w", errTruncated)
			}
			addValue(v)
			s = s[k:]
		case num == 2 && typ == protowire.BytesType && want >= 0:
			packed, k := protowire.ConsumeBytes(s)
			if k < 0 {
				return 0, 0, fmt.Errorf("sample: %w", errTruncated)
			}
			for len(packed) > 0 {
				v, k := protowire.ConsumeVarint(packed)
				if k < 0 {
					return 0, 0, fmt.Errorf("sample: %w", errTruncated)
				}
				addValue(v)
				packed = packed[k:]
			}
			s = s[k:]
		case num == 3 && typ == protowire.BytesType && want >= 0:
			label, k := protowire.ConsumeBytes(s)
			if k < 0 {
				return 0, 0, fmt.Errorf("sample: %w", errTruncated)
			}
			if err := p.checkLabel(label); err != nil {
				return 0, 0, fmt.Errorf("sample label: %w", err)
			}
			s = s[k:]
		default:
			if k = protowire.ConsumeFieldValue(num, typ, s); k < 0 {
				return 0, 0, fmt.Errorf("sample: %w", errTruncated)
			}
			s = s[k:]
		}
	}
	if want < 0 || value != 0 {
		return n, value, nil // decoded again
	}
	if nv != len(totals) {
		return 0, 0, fmt.Errorf("sample has %d values for %d sample types", nv, len(totals))
	}
	return n, value, nil
}

func appendLocation(frames []int32, id uint64, locIndex *idIndex, locFrames, locStart []int32) ([]int32, error) {
	li, ok := locIndex.get(id)
	if !ok {
		return frames, fmt.Errorf("sample refers to unknown location %d", id)
	}
	return append(frames, locFrames[locStart[li]:locStart[li+1]]...), nil
}

// idIndex maps the IDs of a table to their positions: a slice when the IDs
// are dense, as Go writes them, else a map.
type idIndex struct {
	dense []int32 // position + 1 by ID; 0 is absent
	m     map[uint64]int32
}

// newIDIndex returns nil if an ID is zero or repeated.
func newIDIndex(ids []uint64) *idIndex {
	var maxID uint64
	for _, id := range ids {
		maxID = max(maxID, id)
	}
	x := &idIndex{}
	if maxID <= uint64(len(ids))*4+64 {
		x.dense = make([]int32, maxID+1)
		for i, id := range ids {
			if id == 0 || x.dense[id] != 0 {
				return nil
			}
			x.dense[id] = int32(i) + 1
		}
		return x
	}
	x.m = make(map[uint64]int32, len(ids))
	for i, id := range ids {
		if _, dup := x.m[id]; dup || id == 0 {
			return nil
		}
		x.m[id] = int32(i)
	}
	return x
}

// frameCounts returns, by location ID, how many frames each location
// holds (locStart as build makes it): 0 for an ID that is not a location's,
// as every location holds at least one. It is nil unless the IDs are dense.
func (x *idIndex) frameCounts(locStart []int32) []int32 {
	if x.dense == nil {
		return nil
	}
	counts := make([]int32, len(x.dense))
	for id, i := range x.dense {
		if i != 0 {
			counts[id] = locStart[i] - locStart[i-1]
		}
	}
	return counts
}

func (x *idIndex) get(id uint64) (int32, bool) {
	if x.dense != nil {
		if id >= uint64(len(x.dense)) || x.dense[id] == 0 {
			return 0, false
		}
		return x.dense[id] - 1, true
	}
	i, ok := x.m[id]
	return i, ok
}

// plausible reports whether head, the start of a stream, can begin a pprof
// protobuf: its first fields are fields of Profile, with well-formed
// sub-messages and UTF-8 strings as far as head goes.
func plausible(head []byte) bool {
	for fields := 0; len(head) > 0 && fields < 64; fields++ {
		if !matchProto(head) {
			return false
		}
		num, typ, n := protowire.ConsumeTag(head)
		if typ != protowire.BytesType {
			k := protowire.ConsumeFieldValue(num, typ, head[n:])
			if k < 0 {
				return len(head) < 16 // a varint cut at the end
			}
			head = head[n+k:]
			continue
		}
		body, m := protowire.ConsumeBytes(head[n:])
		if m < 0 {
			// A message that goes on past the head: check what is there.
			_, k := protowire.ConsumeVarint(head[n:])
			if k < 0 {
				return false
			}
			return plausibleBody(num, head[n+k:])
		}
		if !plausibleBody(num, body) {
			return false
		}
		head = head[n+m:]
	}
	return true
}

// plausibleBody checks the (possibly cut) body of top-level field num.
func plausibleBody(num protowire.Number, body []byte) bool {
	if num == profStringTable {
		// A string cut in the middle of a rune is still plausible.
		for i := 0; i < 3 && len(body) > 0 && !utf8.Valid(body); i++ {
			body = body[:len(body)-1]
		}
		return utf8.Valid(body)
	}
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 || num > 20 || (typ != protowire.VarintType && typ != protowire.BytesType) {
			return n < 0 && len(body) < 10
		}
		k := protowire.ConsumeFieldValue(num, typ, body[n:])
		if k < 0 {
			return true
		}
		body = body[n+k:]
	}
	return true
}
