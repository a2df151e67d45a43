//! What the listener reads of a peeked request head, the same way for every request it
//! may serve: the head is parsed once, then each kind of request Rust serves looks at it.

pub const MAX_HEADERS: usize = 64;

/// A complete HTTP/1.1 request head.
pub struct Head<'b, 'h> {
    pub method: &'b str,
    pub url: &'b str,
    pub headers: &'h [httparse::Header<'b>],
    /// Its length in bytes, blank line included.
    pub length: usize,
}

/// The head `bytes` start with, its headers parsed into `headers`; `None` unless it is a
/// complete, well-formed HTTP/1.1 request head (anything else is Node's).
pub fn parse<'b, 'h>(
    bytes: &'b [u8],
    headers: &'h mut [httparse::Header<'b>],
) -> Option<Head<'b, 'h>> {
    let mut request = httparse::Request::new(headers);
    let httparse::Status::Complete(length) = request.parse(bytes).ok()? else {
        return None;
    };
    if request.version != Some(1) {
        return None;
    }
    let httparse::Request {
        method,
        path,
        headers,
        ..
    } = request;
    Some(Head {
        method: method?,
        url: path?,
        headers,
        length,
    })
}

/// Whether `url` is exactly the engine's `path` (anything else under it, such as the
/// client bundle, is Node's to answer).
pub fn is_engine_path(url: &str, path: &str) -> bool {
    url.split_once('?').map_or(url, |(path, _)| path) == path
}

/// The values of the headers `names` (in that order, lowercase), or `None` when one is
/// repeated or not UTF-8: Node joins or decodes those by its own rules, so such a
/// request is left to it.
pub fn unique_headers<'h, const N: usize>(
    headers: &[httparse::Header<'h>],
    names: &[&str; N],
) -> Option<[Option<&'h str>; N]> {
    let mut values = [None; N];
    for header in headers {
        let Some(index) = names
            .iter()
            .position(|name| header.name.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        if values[index].is_some() {
            return None;
        }
        values[index] = Some(std::str::from_utf8(header.value).ok()?);
    }
    Some(values)
}

/// A request head's bytes: `request_line`, then `headers`, each line ended by CRLF.
#[cfg(test)]
pub fn bytes_of(request_line: &str, headers: &[&str]) -> Vec<u8> {
    let mut text = format!("{request_line}\r\n");
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}
