//! Random 20-character identifiers (engine session ids, and later socket ids), built like
//! the reference's `base64id`: 15 bytes, 12 from a CSPRNG and 3 from a counter, in
//! URL-safe base64 without padding.

use std::sync::atomic::{AtomicU32, Ordering};

use ::base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ::base64::Engine as _;
use rand::RngCore;

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

pub fn generate() -> String {
    let mut bytes = [0u8; 15];
    rand::rng().fill_bytes(&mut bytes[..12]);
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    bytes[12..].copy_from_slice(&sequence[1..]);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_20_url_safe_chars_and_unique() {
        let ids: HashSet<String> = (0..10_000).map(|_| generate()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in &ids {
            assert_eq!(id.len(), 20);
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
    }
}
