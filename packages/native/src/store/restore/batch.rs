//! A batch of converted KVs for the store: every key and value in one
//! buffer, so that a restore allocates per batch, not per KV (3.5M KVs at
//! 3M N-Quads, each freed on another thread than the one that made it).

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Where the key starts in `bytes`; the value follows it.
    start: usize,
    key: u32,
    value: u32,
}

/// Entries in the order pushed (or sorted by key), with a read cursor.
#[derive(Debug, Default)]
pub struct Batch {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// The first entry not taken yet ([`Batch::head`], [`Batch::advance`]).
    next: usize,
}

impl Batch {
    /// An empty batch with room for `bytes` of keys and values, at most
    /// 64 MiB (no reallocation while it fills up to a batch's usual size).
    pub fn with_capacity(bytes: usize) -> Self {
        let bytes = bytes.min(64 << 20);
        Batch {
            bytes: Vec::with_capacity(bytes),
            entries: Vec::with_capacity(bytes / 64),
            next: 0,
        }
    }

    /// An empty batch with the room this one was made with.
    pub fn empty_like(&self) -> Self {
        Batch {
            bytes: Vec::with_capacity(self.bytes.capacity()),
            entries: Vec::with_capacity(self.entries.capacity()),
            next: 0,
        }
    }

    /// Appends a KV whose stored value is `meta` followed by `payload` (the
    /// store's value form: `encode_value`).
    pub fn push(&mut self, key: &[u8], meta: u8, payload: &[u8]) {
        let start = self.bytes.len();
        self.bytes.reserve(key.len() + 1 + payload.len());
        self.bytes.extend_from_slice(key);
        self.bytes.push(meta);
        self.bytes.extend_from_slice(payload);
        self.entries.push(Entry {
            start,
            key: key.len() as u32,
            value: (1 + payload.len()) as u32,
        });
    }

    /// Appends a KV as stored (key and whole value).
    pub fn push_stored(&mut self, key: &[u8], value: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        self.bytes.extend_from_slice(value);
        self.entries.push(Entry {
            start,
            key: key.len() as u32,
            value: value.len() as u32,
        });
    }

    fn kv_of(&self, e: &Entry) -> (&[u8], &[u8]) {
        let k = e.start + e.key as usize;
        (
            &self.bytes[e.start..k],
            &self.bytes[k..k + e.value as usize],
        )
    }

    /// Entries not taken yet.
    pub fn len(&self) -> usize {
        self.entries.len() - self.next
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// False when one more KV of `kv_bytes` (key and stored value) would make
    /// a non-empty batch grow past the room it was made with: it is full then.
    /// Checked before a push, so that a full batch is sent at its capacity and
    /// neither its bytes nor its entry table (which small KVs fill first) is
    /// ever copied into one twice as big.
    pub fn has_room(&self, kv_bytes: usize) -> bool {
        self.is_empty()
            || (self.bytes.len() + kv_bytes <= self.bytes.capacity()
                && self.entries.len() < self.entries.capacity())
    }

    /// Sorts by key; of equal keys the one pushed last stays last (wins).
    pub fn sort(&mut self) {
        let bytes = &self.bytes;
        let key = |e: &Entry| &bytes[e.start..e.start + e.key as usize];
        self.entries.sort_by(|a, b| key(a).cmp(key(b)));
    }

    /// Every (key, value), in the batch's order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.entries[self.next..].iter().map(|e| self.kv_of(e))
    }

    /// The first entry not taken, as (key, value).
    pub fn head_kv(&self) -> Option<(&[u8], &[u8])> {
        self.entries.get(self.next).map(|e| self.kv_of(e))
    }

    /// Takes the first entry.
    pub fn advance(&mut self) {
        self.next = (self.next + 1).min(self.entries.len());
    }

    /// Empties the batch, keeping its memory for the next one.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.entries.clear();
        self.next = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_kvs_sorts_stably_and_is_read_in_order() {
        let mut b = Batch::default();
        b.push(b"k2", 1, b"two");
        b.push(b"k1", 2, b"one");
        b.push_stored(b"k2", b"\x03later");
        assert_eq!(b.len(), 3);
        b.sort();
        let got: Vec<_> = b.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect();
        assert_eq!(
            got,
            [
                (b"k1".to_vec(), b"\x02one".to_vec()),
                (b"k2".to_vec(), b"\x01two".to_vec()),
                (b"k2".to_vec(), b"\x03later".to_vec()),
            ]
        );
        assert_eq!(b.head_kv().map(|kv| kv.0), Some(&b"k1"[..]));
        b.advance();
        assert_eq!(b.head_kv(), Some((&b"k2"[..], &b"\x01two"[..])));
        b.advance();
        b.advance();
        b.advance();
        assert!(b.is_empty() && b.head_kv().is_none());
    }

    #[test]
    fn is_full_before_it_would_grow() {
        let mut b = Batch::with_capacity(1024);
        assert!(b.has_room(4096), "an empty batch takes any KV");
        while b.has_room(100) {
            b.push(&[7; 40], 1, &[9; 59]);
        }
        assert_eq!(b.len(), 10);
        assert_eq!(b.bytes.capacity(), 1024, "never reallocated");
        assert!(b.has_room(24));
        b.clear();
        assert_eq!((b.len(), b.bytes.len()), (0, 0));
    }
}
