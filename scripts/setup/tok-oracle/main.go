// tok-oracle answers with Dgraph's own index tokenizers (its `tok` package),
// for Strata's tests: one JSON request per input line,
//
//	{"t": "fulltext", "lang": "de", "v": "Katzen und Hunde"}
//
// one JSON array of hex tokens (identifier byte first) per output line, or
// `"ERR: ..."`. `{"t": "langbase", "lang": "en-GB"}` answers tok.LangBase;
// for `"t": "geo"` the value is GeoJSON, converted as a mutation converts it.
// scripts/setup/dgraph.sh builds it inside the Dgraph module it builds, with
// DGRAPH_MODULE below replaced by that module's path.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"DGRAPH_MODULE/tok"
	"DGRAPH_MODULE/types"
)

type request struct {
	T    string `json:"t"`
	Lang string `json:"lang"`
	V    string `json:"v"`
}

func answer(r request) interface{} {
	if r.T == "langbase" {
		return tok.LangBase(r.Lang)
	}
	t, ok := tok.GetTokenizer(r.T)
	if !ok {
		return "ERR: unknown tokenizer " + r.T
	}
	var v interface{} = r.V
	if r.T == "geo" {
		g, err := types.Convert(types.Val{Tid: types.StringID, Value: []byte(r.V)}, types.GeoID)
		if err != nil {
			return "ERR: " + err.Error()
		}
		v = g.Value
	}
	toks, err := tok.BuildTokens(v, tok.GetTokenizerForLang(t, r.Lang))
	if err != nil {
		return "ERR: " + err.Error()
	}
	out := make([]string, 0, len(toks))
	for _, s := range toks {
		out = append(out, hex.EncodeToString([]byte(s)))
	}
	return out
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			fmt.Fprintf(out, "%q\n", "ERR: "+err.Error())
			continue
		}
		b, _ := json.Marshal(answer(r))
		fmt.Fprintln(out, string(b))
	}
}
