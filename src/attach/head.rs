//! What the listener reads of a peeked request head, the same way for every request it
//! may serve.

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
