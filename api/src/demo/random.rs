//! A small seeded random sequence (SplitMix64): the demo plans the same programme on every
//! machine and with every version of the `rand` crate.

/// The sequence.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The sequence from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index drawn with the given weights (negative ones count as zero); 0 if all are zero.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
        let mut left = self.unit() * total;
        let mut last = 0;
        for (i, w) in weights.iter().enumerate() {
            let w = w.max(0.0);
            if w <= 0.0 {
                continue;
            }
            if left < w {
                return i;
            }
            left -= w;
            last = i;
        }
        // Only rounding gets here: the last index with any weight.
        last
    }
}
