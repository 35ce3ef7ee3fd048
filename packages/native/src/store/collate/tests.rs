use crate::store::tokenize::Tokenizer;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Tokens read from Dgraph v25.4.0's exact tokenizer (tok-oracle), one per
/// path of Go's collation: tailored contractions (cs `ch`, hu `dzs`, cy
/// `dd`), tailored letters (sv/da `Å`, es `ñ`), `nb` matched as `no`,
/// `zh-TW` as `zh-Hant`, deprecated codes (`iw`, `sh`), an unregistered
/// code (English), Hangul syllables, implicit weights (CJK, emoji),
/// compatibility decompositions (ligature, half-width kana, ㎏ ½),
/// combining marks reordered, and a run longer than 30 marks.
#[test]
fn exact_tokens_as_dgraph_writes_them() {
    let cases: [(&str, &str, &str); 21] = [
        ("cs", "chata", "0363731f16b515ef181615ef00000020002000200020000002020202"),
        ("sv", "\u{c5}sa", "0373761f190617f315ef00000020002000200000030202"),
        ("ko", "\u{d55c}\u{ad6d}\u{c5b4}", "036b6f1f316831d43235315631e13232316131d800000020002000200020002000200020002000000202020202020202"),
        ("zh", "\u{4e2d}\u{6587}", "037a681f969bc19678bd00000020002000000202"),
        ("ja", "\u{ff76}\u{ff80}\u{ff76}\u{ff85}", "036a611f32c132cb32c132d000000020002000200020000011111111"),
        ("en", "\u{fb01}nance", "03656e1f168416cd174f15ef174f161d164c00000020002000200020002000200020000004040202020202"),
        ("en", "a\u{308}\u{323}b", "03656e1f15ef160500000020007000470020000002020202"),
        ("vi", "Nguy\u{1ec5}n", "0376691f174f169118361880164d174f00000020002000200020002000370020000008020202020202"),
        ("th", "\u{e40}\u{e01}\u{e21}", "0374681f248824c224a800000020002000200000020202"),
        ("nb", "\u{c5}sa", "036e621f15ef17f315ef00000020004300200020000008020202"),
        ("da", "\u{c5}sa", "0364611f190817f315ef00000020002000200000030202"),
        ("zh-TW", "\u{4e2d}\u{6587}", "037a681f96011b96024200000020002000000202"),
        ("xx", "\u{c5}sa", "03656e1f15ef17f315ef00000020004300200020000008020202"),
        ("iw", "\u{5e9}\u{5dc}\u{5d5}\u{5dd}", "0368651f1c5c1c531c4d1c5400000020002000200020000002020219"),
        ("sh", "d\u{17e}ungla", "0373721f163118951836174f1691171115ef00000020002000410020002000200020002000000202020202020202"),
        ("hu", "dzsungel", "0368751f16331836174f1691164c171100000020002000200020002000200000020202020202"),
        ("en", "\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}x", "03656e1f187b00000032003200320032003200320032003200320032003200320032003200320032003200320032003200320032003200320032003200320032003200320032003200320032003200320032003200320032002000000202020202020202020202020202020202020202020202020202020202020202020202020202020202"),
        ("cy", "ddraig", "0363791f163217bd15ef16cd169100000020002000200020002000000202020202"),
        ("es", "\u{f1}", "0365731f175000000020000002"),
        ("en", "\u{20000}\u{1f600}", "03656e1f840000129700000020002000000202"),
        ("en", "\u{338f}\u{bd}", "03656e1f16ff169114e704ac14e800000020002000200020002000001c1c1e1e1e"),
    ];
    for (tag, value, want) in cases {
        let got = Tokenizer::Exact.tokens(value.as_bytes(), tag).unwrap();
        assert_eq!(hex(&got[0]), want, "{tag} {value:?}");
    }
}

/// Every byte string, valid UTF-8 or not, gets a key without panicking,
/// and the key grows with the value, not beyond.
#[test]
fn hostile_bytes() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for len in 0..2000usize {
        let bytes: Vec<u8> = (0..len % 97)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        for tag in ["en", "cs", "th", "ko", "zh-TW"] {
            let k = super::key_for(tag, &bytes).unwrap();
            assert!(k.len() <= 4 + bytes.len() * 40, "{tag} {bytes:?}");
        }
    }
}
