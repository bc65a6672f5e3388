//! Distinct visitors as a HyperLogLog sketch: mergeable, so the unique visitors of any period are
//! the union of its days' sketches, never a sum of daily counts (a visitor who comes back on a
//! second day is one visitor).
//!
//! Up to [`EXACT_LIMIT`] visitors the sketch keeps their hashes and counts them exactly. Beyond,
//! precision 12: 4 096 registers, a standard error of 1.04 / √4096 ≈ 1.6 % (below 2.5 × 4 096
//! visitors linear counting over the empty registers, whose error is smaller still). The input is
//! our visitor hash (the first 64 bits of a keyed HMAC, uniformly distributed), so no further
//! hashing is needed.
//!
//! Stored as bytes: a version byte, then the exact hashes (8 bytes each), or the set registers
//! (sparse: index and rank, 3 bytes each, sorted by index), or all 4 096 registers (dense),
//! whichever applies and is smallest, so a link's quiet day costs a few bytes.
//!
//! In memory the registers are one flat array, and a report folds stored sketches into its
//! running union straight from their bytes ([`Sketch::merge_bytes`]): a union of thousands of
//! link-days is then a byte-wise maximum per row, with nothing allocated per row.

use sha2::{Digest, Sha256};

/// Bits of the hash that choose a register.
pub const PRECISION: u32 = 12;
/// Number of registers.
pub const REGISTERS: usize = 1 << PRECISION;
/// The relative standard error of an estimate (1.04 / √m).
pub const STANDARD_ERROR: f64 = 0.01625;

/// Up to this many distinct visitors the count is exact.
pub const EXACT_LIMIT: usize = 128;

const VERSION: u8 = 1;
const SPARSE: u8 = 0;
const DENSE: u8 = 1;
const EXACT: u8 = 2;
/// Above this many set registers the dense form is smaller.
const SPARSE_LIMIT: usize = REGISTERS / 3;

/// A sketch of a set of visitors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sketch {
    /// While there are at most [`EXACT_LIMIT`] visitors (and `registers` is `None`): their
    /// hashes, sorted and distinct.
    exact: Vec<u64>,
    /// Past that: register index → rank (0 for a register never set).
    registers: Option<Box<[u8; REGISTERS]>>,
}

/// A stored sketch that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable visitor sketch: {0}")]
pub struct BadSketch(&'static str);

/// The register a hash falls in, and its rank there.
fn register_of(hash: u64) -> (usize, u8) {
    let index = (hash >> (64 - PRECISION)) as usize;
    let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
    (index, (rest.leading_zeros() + 1) as u8)
}

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a visitor by its 64-bit hash.
    pub fn insert_hash(&mut self, hash: u64) {
        if let Some(registers) = &mut self.registers {
            let (index, rank) = register_of(hash);
            registers[index] = registers[index].max(rank);
            return;
        }
        if let Err(at) = self.exact.binary_search(&hash) {
            self.exact.insert(at, hash);
            if self.exact.len() > EXACT_LIMIT {
                self.registers();
            }
        }
    }

    /// The registers, built from the exact visitors the first time they are needed.
    fn registers(&mut self) -> &mut [u8; REGISTERS] {
        let exact = &mut self.exact;
        self.registers.get_or_insert_with(|| {
            let mut registers = Box::new([0u8; REGISTERS]);
            for hash in exact.drain(..) {
                let (index, rank) = register_of(hash);
                registers[index] = registers[index].max(rank);
            }
            registers
        })
    }

    /// Add a visitor by its stored visitor hash (hex; anything else is hashed first).
    pub fn insert(&mut self, visitor_hash: &str) {
        self.insert_hash(visitor_u64(visitor_hash));
    }

    /// Add every visitor of `other` (the union).
    pub fn merge(&mut self, other: &Sketch) {
        match &other.registers {
            None => other.exact.iter().for_each(|&h| self.insert_hash(h)),
            Some(theirs) => {
                let mine = self.registers();
                for (slot, &rank) in mine.iter_mut().zip(theirs.iter()) {
                    *slot = (*slot).max(rank);
                }
            }
        }
    }

    /// Add every visitor of a stored sketch (see the module documentation), without building it
    /// first; empty bytes add nothing. On an error the sketch may hold part of the stored one.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), BadSketch> {
        match bytes {
            [] => {}
            [VERSION, EXACT, rest @ ..] => {
                if rest.len() % 8 != 0 || rest.len() / 8 > EXACT_LIMIT {
                    return Err(BadSketch("exact visitors are 8 bytes each, at most 128"));
                }
                for h in rest.chunks_exact(8) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(h);
                    self.insert_hash(u64::from_le_bytes(b));
                }
            }
            [VERSION, SPARSE, rest @ ..] => {
                if rest.len() % 3 != 0 {
                    return Err(BadSketch("sparse registers are 3 bytes each"));
                }
                let registers = self.registers();
                for entry in rest.chunks_exact(3) {
                    let index = usize::from(u16::from_le_bytes([entry[0], entry[1]]));
                    if index >= REGISTERS || entry[2] == 0 {
                        return Err(BadSketch("register out of range"));
                    }
                    registers[index] = registers[index].max(entry[2]);
                }
            }
            [VERSION, DENSE, rest @ ..] => {
                if rest.len() != REGISTERS {
                    return Err(BadSketch("a dense sketch has 4096 registers"));
                }
                let registers = self.registers();
                for (slot, &rank) in registers.iter_mut().zip(rest) {
                    *slot = (*slot).max(rank);
                }
            }
            _ => return Err(BadSketch("unknown version or form")),
        }
        Ok(())
    }

    /// True if no visitor was added.
    pub fn is_empty(&self) -> bool {
        self.registers.is_none() && self.exact.is_empty()
    }

    /// Whether `estimate` is an exact count.
    pub fn is_exact(&self) -> bool {
        self.registers.is_none()
    }

    /// Estimated number of distinct visitors.
    pub fn estimate(&self) -> u64 {
        let Some(registers) = &self.registers else {
            return self.exact.len() as u64;
        };
        let m = REGISTERS as f64;
        let (zeros, sum) = registers.iter().fold((0u32, 0f64), |(zeros, sum), &r| {
            (zeros + u32::from(r == 0), sum + 2f64.powi(-i32::from(r)))
        });
        let zeros = f64::from(zeros);
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / sum;
        let estimate = if raw <= 2.5 * m && zeros > 0.0 {
            m * (m / zeros).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }

    /// The stored form (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let Some(registers) = &self.registers else {
            let mut out = Vec::with_capacity(2 + 8 * self.exact.len());
            out.extend([VERSION, EXACT]);
            self.exact.iter().for_each(|h| out.extend(h.to_le_bytes()));
            return out;
        };
        let set = registers.iter().filter(|&&r| r > 0).count();
        if set <= SPARSE_LIMIT {
            let mut out = Vec::with_capacity(2 + 3 * set);
            out.extend([VERSION, SPARSE]);
            for (index, &rank) in registers.iter().enumerate().filter(|(_, r)| **r > 0) {
                out.extend((index as u16).to_le_bytes());
                out.push(rank);
            }
            out
        } else {
            let mut out = Vec::with_capacity(2 + REGISTERS);
            out.extend([VERSION, DENSE]);
            out.extend_from_slice(&registers[..]);
            out
        }
    }

    /// Read a stored sketch; empty bytes are an empty sketch.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BadSketch> {
        let mut sketch = Self::new();
        sketch.merge_bytes(bytes)?;
        Ok(sketch)
    }
}

/// The 64 bits a visitor hash stands for: its first 16 hex digits, or a SHA-256 of anything else.
pub fn visitor_u64(visitor_hash: &str) -> u64 {
    if let Some(Ok(v)) = visitor_hash.get(..16).map(|h| u64::from_str_radix(h, 16)) {
        return v;
    }
    let digest = Sha256::digest(visitor_hash.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// splitmix64: a well-mixed stream of distinct-looking hashes.
    fn hashes(seed: u64, n: usize) -> impl Iterator<Item = u64> {
        (0..n as u64).map(move |i| {
            let mut z = seed.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    fn sketch_of(seed: u64, n: usize) -> Sketch {
        let mut s = Sketch::new();
        hashes(seed, n).for_each(|h| s.insert_hash(h));
        s
    }

    #[test]
    fn small_counts_are_exact_and_larger_ones_within_three_standard_errors() {
        for n in [0, 1, 2, 5, 10, 50, 100, EXACT_LIMIT] {
            assert!(sketch_of(7, n).is_exact());
            assert_eq!(sketch_of(7, n).estimate(), n as u64, "n = {n}");
        }
        for (seed, n) in [
            (6, EXACT_LIMIT + 1),
            (8, 300),
            (1, 1_000),
            (2, 10_000),
            (3, 50_000),
            (4, 200_000),
            (5, 1_000_000),
        ] {
            let estimate = sketch_of(seed, n).estimate() as f64;
            let error = (estimate - n as f64).abs() / n as f64;
            assert!(
                error <= 3.0 * STANDARD_ERROR,
                "n = {n}: {estimate} ({error:.4})"
            );
        }
    }

    #[test]
    fn a_visitor_seen_twice_counts_once() {
        let mut s = sketch_of(9, 100);
        hashes(9, 100).for_each(|h| s.insert_hash(h));
        assert_eq!(s.estimate(), 100);
        let mut big = sketch_of(9, 5_000);
        let once = big.clone();
        hashes(9, 5_000).for_each(|h| big.insert_hash(h));
        assert_eq!(big, once, "seen again changes nothing");
    }

    #[test]
    fn the_union_of_days_is_the_sketch_of_all_their_visitors() {
        // Three days with overlapping visitors: 0..6000, 4000..10000, 9000..12000.
        let all: Vec<u64> = hashes(11, 12_000).collect();
        let day = |r: std::ops::Range<usize>| {
            let mut s = Sketch::new();
            all[r].iter().for_each(|&h| s.insert_hash(h));
            s
        };
        let mut small = day(0..60);
        small.merge(&day(40..100));
        assert_eq!((small.estimate(), small.is_exact()), (100, true));
        small.merge(&day(100..200));
        assert!(!small.is_exact(), "past the limit the registers count");
        assert_eq!(small, day(0..200));
        let mut union = day(0..6_000);
        union.merge(&day(4_000..10_000));
        union.merge(&day(9_000..12_000));
        let mut direct = Sketch::new();
        all.iter().for_each(|&h| direct.insert_hash(h));
        assert_eq!(union, direct);
        let error = (union.estimate() as f64 - 12_000.0).abs() / 12_000.0;
        assert!(error <= 3.0 * STANDARD_ERROR, "{error}");
    }

    #[test]
    fn the_stored_form_round_trips_sparse_and_dense() {
        for n in [0, 3, EXACT_LIMIT, 1_000, 100_000] {
            let s = sketch_of(21, n);
            let bytes = s.to_bytes();
            assert_eq!(Sketch::from_bytes(&bytes).unwrap(), s, "n = {n}");
            let expected = match n {
                n if n <= EXACT_LIMIT => 2 + 8 * n,
                1_000 => {
                    2 + 3 * s
                        .registers
                        .as_ref()
                        .unwrap()
                        .iter()
                        .filter(|&&r| r > 0)
                        .count()
                }
                _ => 2 + REGISTERS,
            };
            assert_eq!(bytes.len(), expected, "n = {n}");
        }
        assert_eq!(Sketch::from_bytes(&[]).unwrap(), Sketch::new());
        assert!(Sketch::from_bytes(&[9, 9]).is_err());
        assert!(Sketch::from_bytes(&[VERSION, SPARSE, 1, 2]).is_err());
        assert!(Sketch::from_bytes(&[VERSION, SPARSE, 0xff, 0xff, 1]).is_err());
        assert!(Sketch::from_bytes(&[VERSION, DENSE, 1]).is_err());
    }

    #[test]
    fn folding_stored_forms_equals_merging_the_sketches() {
        // Exact, sparse and dense stored forms, folded in every order into empty, exact and
        // dense running unions.
        let parts = [
            sketch_of(31, 40),
            sketch_of(32, 1_000),
            sketch_of(33, 50_000),
        ];
        for start in [Sketch::new(), sketch_of(34, 100), sketch_of(35, 20_000)] {
            for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2]] {
                let mut merged = start.clone();
                let mut folded = start.clone();
                for i in order {
                    merged.merge(&parts[i]);
                    folded.merge_bytes(&parts[i].to_bytes()).unwrap();
                }
                assert_eq!(folded, merged, "{order:?}");
            }
        }
        let mut small = sketch_of(36, 10);
        small.merge_bytes(&sketch_of(37, 20).to_bytes()).unwrap();
        assert_eq!((small.estimate(), small.is_exact()), (30, true));
        small.merge_bytes(&[]).unwrap();
        assert_eq!(small.estimate(), 30);
        assert!(small.merge_bytes(&[VERSION, DENSE, 0]).is_err());
    }

    #[test]
    fn visitor_hashes_are_read_as_their_first_64_bits() {
        assert_eq!(visitor_u64("00000000000000ff0123456789abcdef"), 0xff);
        assert_ne!(
            visitor_u64("not hex at all"),
            visitor_u64("not hex at all!")
        );
        assert_eq!(visitor_u64(""), visitor_u64(""));
    }
}
