//! Base64 as Node's `Buffer` speaks it: standard alphabet with padding when encoding;
//! when decoding, both the standard and the URL-safe alphabets, characters outside them
//! skipped and everything after the first `=` ignored (what `Buffer.from(s, "base64")`
//! does with the `b` packets of a polling payload).

use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine as _;

pub fn encoded_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

pub fn encode_into(bytes: &[u8], out: &mut String) {
    STANDARD.encode_string(bytes, out);
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

pub fn decode_lenient(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &byte in text.as_bytes() {
        if byte == b'=' {
            break;
        }
        let Some(value) = sextet(byte) else { continue };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let mut text = String::new();
            encode_into(&bytes, &mut text);
            assert_eq!(text.len(), encoded_len(len));
            assert_eq!(decode_lenient(&text), bytes);
        }
    }

    #[test]
    fn decodes_like_node() {
        assert_eq!(decode_lenient("AQID"), [1, 2, 3]);
        assert_eq!(decode_lenient("AQ=="), [1]);
        assert_eq!(decode_lenient("AQ"), [1]);
        assert_eq!(decode_lenient("A Q\nI D"), [1, 2, 3]);
        assert_eq!(decode_lenient("-_8"), [0xfb, 0xff]);
        assert_eq!(decode_lenient("AQ==AQID"), [1]);
        assert_eq!(decode_lenient("!!!"), Vec::<u8>::new());
    }
}
