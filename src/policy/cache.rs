//! A bounded cache of what a policy concluded about a text, keyed by the text itself.
//!
//! Why it exists: agents resend the whole conversation every turn (Claude Code: a 30 KB system
//! prompt, then every file it read), so without a cache the chain's cost grows with the history
//! rather than with what is new. A text is looked up by its XXH3 hash and then compared byte for
//! byte, so a hash collision (accidental or crafted) is a miss, never a wrong verdict. Entries
//! are weighed by their text's length and evicted (S3-FIFO, `quick_cache`) past the byte budget.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Texts shorter than this are scanned directly: hashing and comparing would cost about as
/// much as the scan.
pub const MIN_CACHED: usize = 256;

/// Bytes of text (plus a fixed overhead per entry) one policy's cache keeps by default.
pub const DEFAULT_BYTES: u64 = 64 * 1024 * 1024;

/// What one entry holds: the text it was computed from, and the result.
struct Entry<V> {
    text: Box<str>,
    value: V,
}

#[derive(Clone)]
struct ByLength;

impl<V> Weighter<u64, Arc<Entry<V>>> for ByLength {
    fn weight(&self, _key: &u64, entry: &Arc<Entry<V>>) -> u64 {
        entry.text.len() as u64 + 64
    }
}

/// A concurrent, bounded map from texts to what a policy computed from them.
pub struct TextCache<V> {
    entries: Cache<u64, Arc<Entry<V>>, ByLength>,
}

impl<V> std::fmt::Debug for TextCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextCache")
            .field("entries", &self.entries.len())
            .field("bytes", &self.entries.weight())
            .finish()
    }
}

impl<V: Clone + Send + Sync + 'static> TextCache<V> {
    /// A cache holding at most about `bytes` of text.
    pub fn new(bytes: u64) -> Self {
        let items = usize::try_from(bytes / 4096).unwrap_or(1024).max(16);
        Self {
            entries: Cache::with_weighter(items, bytes, ByLength),
        }
    }

    /// The value for `text`: from the cache when this exact text was seen, else `compute`d and
    /// kept. Short texts are always computed.
    pub fn get_or_compute(&self, text: &str, compute: impl FnOnce(&str) -> V) -> V {
        if text.len() < MIN_CACHED {
            return compute(text);
        }
        let key = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        if let Some(e) = self.entries.get(&key)
            && *e.text == *text
        {
            return e.value.clone();
        }
        let value = compute(text);
        self.entries.insert(
            key,
            Arc::new(Entry {
                text: text.into(),
                value: value.clone(),
            }),
        );
        value
    }

    /// How many texts are cached (tests, diagnostics).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn computes_once_per_text_and_compares_whole_texts() {
        let cache = TextCache::<usize>::new(1 << 20);
        let calls = AtomicU32::new(0);
        let f = |t: &str| {
            calls.fetch_add(1, Ordering::Relaxed);
            t.len()
        };
        let long = "x".repeat(1000);
        assert_eq!(cache.get_or_compute(&long, f), 1000);
        assert_eq!(cache.get_or_compute(&long, f), 1000);
        assert_eq!(calls.load(Ordering::Relaxed), 1);
        let other = "y".repeat(1000);
        assert_eq!(cache.get_or_compute(&other, f), 1000);
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        // Short texts skip the cache.
        cache.get_or_compute("hi", f);
        cache.get_or_compute("hi", f);
        assert_eq!(calls.load(Ordering::Relaxed), 4);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn stays_within_its_budget() {
        let cache = TextCache::<u8>::new(64 * 1024);
        for i in 0..1000 {
            cache.get_or_compute(&format!("{i:04}{}", "z".repeat(1000)), |_| 0);
        }
        assert!(cache.len() < 100, "{}", cache.len());
    }
}
