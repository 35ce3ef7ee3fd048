// Command gen writes the snappy / S2 test vectors under ../vectors.
//
// Every vector NAME has its plain input NAME.bin and encodings of it made by
// the real Go implementations Dgraph uses:
//
//	NAME.sz          golang/snappy framing (snappy.NewBufferedWriter; Dgraph v21.03..v24)
//	NAME.s2          klauspost/compress/s2 framing, s2.NewWriter default options (Dgraph v25+)
//	NAME.better.s2   s2 framing, WriterBetterCompression
//	NAME.best.s2     s2 framing, WriterBestCompression
//	NAME.index.s2    s2 framing with WriterAddIndex (a 0x99 skippable index chunk) and
//	                 WriterPadding (0xfe chunk; the padding bytes are random, so these
//	                 files differ on every run)
//	NAME.snappy-blk  one raw snappy block (snappy.Encode)
//	NAME.s2-blk      one raw S2 block (s2.Encode; repeat offsets)
//
// The inputs are deterministic (fixed seed), so re-running gives the same
// files. Run from this folder: `go run .` (writes ../vectors).
//
// `go run . check FRAMED PLAIN` instead decodes FRAMED (e.g. a snappy stream
// written by Strata's BackupWriter) with both golang/snappy's and s2's
// stream readers and compares the result with PLAIN.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/s2"
)

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// text: English-like words; compresses moderately.
func text(r *rand.Rand, n int) []byte {
	words := []string{"dgraph", "backup", "posting", "list", "uid", "predicate", "schema",
		"type", "index", "reverse", "count", "namespace", "the", "of", "a", "and", "value",
		"facet", "token", "term", "restore", "manifest", "group", "snappy", "s2"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.Intn(len(words))])
		if r.Intn(12) == 0 {
			b.WriteString(".\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()[:n]
}

// logs: very repetitive lines with small variations (many copies, repeats).
func logs(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "2021-05-17T09:46:%02d.%03dZ INFO backup.go:%d group=%d read_ts=%d kvs=%d\n",
			i%60, r.Intn(1000), 100+r.Intn(5), 1+r.Intn(3), 58, r.Intn(100000))
	}
	return b.Bytes()[:n]
}

func random(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

// mixed: runs of one byte, short periods, text, random and repeated blocks.
func mixed(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for b.Len() < n {
		switch r.Intn(6) {
		case 0:
			b.Write(bytes.Repeat([]byte{byte(r.Intn(256))}, 1+r.Intn(70000)))
		case 1:
			p := random(r, 1+r.Intn(7))
			b.Write(bytes.Repeat(p, 1+r.Intn(3000)))
		case 2:
			b.Write(text(r, 1+r.Intn(20000)))
		case 3:
			b.Write(random(r, 1+r.Intn(3000)))
		case 4:
			if b.Len() > 0 {
				cur := b.Bytes()
				start := r.Intn(len(cur))
				end := start + r.Intn(len(cur)-start+1)
				if end-start > 100000 {
					end = start + 100000
				}
				b.Write(append([]byte(nil), cur[start:end]...))
			}
		case 5:
			// the same record with one changing byte: S2 repeat offsets
			rec := text(r, 40+r.Intn(200))
			for k := 0; k < 1+r.Intn(200); k++ {
				rec[r.Intn(len(rec))] = byte('0' + k%10)
				b.Write(rec)
			}
		}
	}
	return b.Bytes()[:n]
}

// kvstream: a framed stream of badger KVLists (spec §5.4) with SCHEMA keys
// (user_meta 0x01), so the vector is also a valid backup body.
func kvstream(r *rand.Rand, n int) []byte {
	pb := func(b []byte, field int, wire int) []byte { return binary.AppendUvarint(b, uint64(field<<3|wire)) }
	bytesField := func(b []byte, field int, v []byte) []byte {
		b = pb(b, field, 2)
		b = binary.AppendUvarint(b, uint64(len(v)))
		return append(b, v...)
	}
	var out []byte
	for i := 0; len(out) < n; i++ {
		var list []byte
		for j := 0; j < 1+r.Intn(40); j++ {
			var key []byte
			key = pb(key, 1, 0)
			key = binary.AppendUvarint(key, 6) // SCHEMA
			key = bytesField(key, 2, []byte(fmt.Sprintf("pred.%d", r.Intn(50))))
			var kv []byte
			kv = bytesField(kv, 1, key)
			kv = bytesField(kv, 2, text(r, r.Intn(300)))
			kv = bytesField(kv, 3, []byte{1})
			kv = pb(kv, 4, 0)
			kv = binary.AppendUvarint(kv, uint64(1+r.Intn(100)))
			list = bytesField(list, 1, kv)
		}
		out = binary.LittleEndian.AppendUint64(out, uint64(len(list)))
		out = append(out, list...)
	}
	return out
}

func write(dir, name string, data []byte) {
	check(os.WriteFile(filepath.Join(dir, name), data, 0o644))
}

func snappyFramed(in []byte) []byte {
	var b bytes.Buffer
	w := snappy.NewBufferedWriter(&b)
	_, err := w.Write(in)
	check(err)
	check(w.Close())
	return b.Bytes()
}

func s2Framed(in []byte, opts ...s2.WriterOption) []byte {
	var b bytes.Buffer
	w := s2.NewWriter(&b, opts...)
	_, err := w.Write(in)
	check(err)
	check(w.Close())
	return b.Bytes()
}

func checkFile(framed, plain string) {
	in, err := os.ReadFile(framed)
	check(err)
	want, err := os.ReadFile(plain)
	check(err)
	a, err := io.ReadAll(snappy.NewReader(bytes.NewReader(in)))
	check(err)
	b, err := io.ReadAll(s2.NewReader(bytes.NewReader(in)))
	check(err)
	if !bytes.Equal(a, want) || !bytes.Equal(b, want) {
		panic("decoded data differs from " + plain)
	}
	fmt.Printf("ok: %s (%d bytes) decodes to %s (%d bytes) with golang/snappy and s2\n",
		framed, len(in), plain, len(want))
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "check" {
		checkFile(os.Args[2], os.Args[3])
		return
	}
	dir := "../vectors"
	check(os.MkdirAll(dir, 0o755))
	r := rand.New(rand.NewSource(20210517))
	inputs := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text-4k", text(r, 4096)},
		{"logs-200k", logs(r, 200_000)},
		{"random-100k", random(r, 100_000)},
		{"mixed-300k", mixed(r, 300_000)},
		{"kvstream-150k", kvstream(r, 150_000)},
	}
	for _, in := range inputs {
		write(dir, in.name+".bin", in.data)
		write(dir, in.name+".sz", snappyFramed(in.data))
		write(dir, in.name+".s2", s2Framed(in.data))
		write(dir, in.name+".better.s2", s2Framed(in.data, s2.WriterBetterCompression()))
		write(dir, in.name+".best.s2", s2Framed(in.data, s2.WriterBestCompression()))
		if len(in.data) > 0 {
			// (for empty input s2 writes only a padding chunk, no stream identifier)
			write(dir, in.name+".index.s2", s2Framed(in.data, s2.WriterAddIndex(), s2.WriterPadding(4096)))
		}
		write(dir, in.name+".snappy-blk", snappy.Encode(nil, in.data))
		write(dir, in.name+".s2-blk", s2.Encode(nil, in.data))
		// the Go decoders must agree
		back, err := s2.Decode(nil, s2.Encode(nil, in.data))
		check(err)
		if !bytes.Equal(back, in.data) {
			panic("s2 round trip")
		}
	}
}
