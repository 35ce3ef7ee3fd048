//! One collation element as Go's `x/text/internal/colltab` packs it in a
//! `uint32`: its primary, secondary and tertiary weights, the canonical
//! combining class of the rune it came from, or (for table entries) an
//! index into the expansion or contraction tables.

/// A packed collation element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elem(pub u32);

/// What a table entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A collation element (0: none in the table, an implicit weight).
    Normal,
    /// The rune may start a contraction.
    Contraction,
    /// The rune expands to several elements.
    Expansion,
    /// The rune's elements are those of its compatibility decomposition.
    Decompose,
}

const MAX_CE: u32 = 0xAFFF_FFFF;
const MAX_CONTRACT: u32 = 0xDFFF_FFFF;
const MAX_EXPAND: u32 = 0xEFFF_FFFF;

const TYPE_MASK: u32 = 0xC000_0000;
const TYPE_1: u32 = 0x4000_0000;
const TYPE_2: u32 = 0x0000_0000;
const TYPE_3_OR_4: u32 = 0x8000_0000;
const TYPE_4: u32 = 0xA000_0000;
const PRIMARY_VALUE_MASK: u32 = 0x3FFF_FE00;
const PRIMARY_SHIFT: u32 = 9;
const DEFAULT_SECONDARY: u32 = 0x20;
const MIN_COMPACT_SECONDARY: u32 = DEFAULT_SECONDARY - 4;
const DEFAULT_TERTIARY: u8 = 0x2;
/// The tertiary weight of the third and later elements of a decomposition.
pub const MAX_TERTIARY: u8 = 0x1F;

impl Elem {
    pub fn kind(self) -> Kind {
        if self.0 <= MAX_CE {
            Kind::Normal
        } else if self.0 <= MAX_CONTRACT {
            Kind::Contraction
        } else if self.0 <= MAX_EXPAND {
            Kind::Expansion
        } else {
            Kind::Decompose
        }
    }

    /// The element of a rune the tables do not list: `primary` (at most 21
    /// bits) with the default secondary.
    pub fn implicit(primary: u32) -> Elem {
        Elem(TYPE_1 | (primary << PRIMARY_SHIFT) | DEFAULT_SECONDARY)
    }

    pub fn ccc(self) -> u8 {
        if self.0 & TYPE_3_OR_4 != 0 {
            if self.0 & TYPE_4 == TYPE_3_OR_4 {
                return (self.0 >> 16) as u8;
            }
            return (self.0 >> 20) as u8;
        }
        0
    }

    pub fn primary(self) -> u32 {
        if self.0 >= TYPE_3_OR_4 {
            if self.0 > TYPE_4 {
                return 0;
            }
            return self.0 & 0xFFFF;
        }
        (self.0 & PRIMARY_VALUE_MASK) >> PRIMARY_SHIFT
    }

    pub fn secondary(self) -> u32 {
        match self.0 & TYPE_MASK {
            TYPE_1 => self.0 & 0xFF,
            TYPE_2 => MIN_COMPACT_SECONDARY + ((self.0 >> 5) & 0xF),
            TYPE_3_OR_4 => {
                if self.0 < TYPE_4 {
                    DEFAULT_SECONDARY
                } else {
                    (self.0 >> 8) & 0xFFF
                }
            }
            _ => 0, // a quaternary-only element
        }
    }

    pub fn tertiary(self) -> u8 {
        if self.0 & 0x4000_0000 == 0 {
            if self.0 & TYPE_3_OR_4 == 0 {
                return (self.0 & 0x1F) as u8;
            }
            if self.0 & TYPE_4 == TYPE_4 {
                return self.0 as u8;
            }
            return ((self.0 >> 24) as u8) & 0x1F;
        } else if self.0 & TYPE_MASK == TYPE_1 {
            return DEFAULT_TERTIARY;
        }
        0
    }

    /// The element with tertiary weight `t` (how a decomposition marks its
    /// parts).
    pub fn with_tertiary(self, t: u8) -> Elem {
        let mut ce = self.0;
        if ce & TYPE_MASK == TYPE_1 {
            let secondary = (ce as u8).wrapping_sub(MIN_COMPACT_SECONDARY as u8) as u32;
            ce = (ce & PRIMARY_VALUE_MASK) | (secondary << 5);
        } else if ce & 0xE000_0000 == TYPE_3_OR_4 {
            ce &= !((MAX_TERTIARY as u32) << 24);
            return Elem(ce | ((t as u32) << 24));
        } else {
            ce &= !(MAX_TERTIARY as u32);
        }
        Elem(ce | t as u32)
    }

    /// Where a contraction's trie starts, how many entries its first level
    /// has, and the offset of its elements.
    pub fn contraction(self) -> (usize, usize, usize) {
        let n = (self.0 & 0xF) as usize;
        let index = ((self.0 >> 4) & 0xFFF) as usize;
        let offset = ((self.0 >> 16) & 0x1FFF) as usize;
        (index, n, offset)
    }

    /// Where an expansion starts in the expansion table.
    pub fn expansion(self) -> usize {
        (self.0 & 0xFFFF) as usize
    }

    /// The tertiary weights of a decomposition's first two elements.
    pub fn decomposition_tertiaries(self) -> (u8, u8) {
        (self.0 as u8, (self.0 >> 8) as u8)
    }
}

/// Go's `unicode.Ideographic` (Unicode 15.0, the Go release Dgraph is built
/// with), which decides a rune's implicit weight.
const IDEOGRAPHIC: [(u32, u32); 20] = [
    (0x3006, 0x3007),
    (0x3021, 0x3029),
    (0x3038, 0x303A),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFA6D),
    (0xFA70, 0xFAD9),
    (0x16FE4, 0x16FE4),
    (0x17000, 0x187F7),
    (0x18800, 0x18CD5),
    (0x18D00, 0x18D08),
    (0x1B170, 0x1B2FB),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B739),
    (0x2B740, 0x2B81D),
    (0x2B820, 0x2CEA1),
    (0x2CEB0, 0x2EBE0),
    (0x2F800, 0x2FA1D),
    (0x30000, 0x3134A),
    (0x31350, 0x323AF),
];

/// The primary weight of a rune the tables do not list: common ideographs
/// first, then rare ones, then everything else in code point order.
pub fn implicit_primary(r: u32) -> u32 {
    if IDEOGRAPHIC.iter().any(|&(lo, hi)| (lo..=hi).contains(&r)) {
        if (0x4E00..=0x9FFF).contains(&r) || (0xF900..=0xFAFF).contains(&r) {
            return r + 0x10000;
        }
        return r + 0x20000;
    }
    r + 0x50000
}
