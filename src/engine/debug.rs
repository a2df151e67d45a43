//! Debug lines: what the reference prints through the `debug` package, at the same
//! moments and under the same namespaces. Which namespaces print is decided once, when a
//! layer is created (JS reads `DEBUG`), so a line that does not print costs a bit test:
//! nothing is formatted, nothing reaches the layer above.

use std::marker::PhantomData;

/// A layer's `debug` namespaces.
pub trait Namespaces: Copy + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;
    /// Its bit in [`Enabled`].
    fn bit(self) -> u32;
}

/// The namespaces of a layer that print.
#[derive(Clone, Copy, Debug)]
pub struct Enabled<N> {
    bits: u32,
    namespaces: PhantomData<N>,
}

impl<N> Default for Enabled<N> {
    fn default() -> Self {
        Enabled {
            bits: 0,
            namespaces: PhantomData,
        }
    }
}

impl<N: Namespaces> Enabled<N> {
    /// The namespaces of `N` among `names`.
    pub fn named<S: AsRef<str>>(names: &[S]) -> Self {
        let bits = N::ALL
            .iter()
            .filter(|namespace| names.iter().any(|name| name.as_ref() == namespace.name()))
            .fold(0, |bits, namespace| bits | namespace.bit());
        Enabled {
            bits,
            namespaces: PhantomData,
        }
    }

    pub fn contains(self, namespace: N) -> bool {
        self.bits & namespace.bit() != 0
    }
}

/// engine.io's namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    Engine,
    Socket,
    Transport,
    Polling,
    Ws,
}

impl Namespaces for Log {
    const ALL: &'static [Log] = &[
        Log::Engine,
        Log::Socket,
        Log::Transport,
        Log::Polling,
        Log::Ws,
    ];

    fn name(self) -> &'static str {
        match self {
            Log::Engine => "engine",
            Log::Socket => "engine:socket",
            Log::Transport => "engine:transport",
            Log::Polling => "engine:polling",
            Log::Ws => "engine:ws",
        }
    }

    fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// `debug!(layer, namespace, "format", args...)`: hands the line to
/// `layer.debug(namespace, format_args!(...))` if `layer.debugs(namespace)`; the
/// arguments are not evaluated otherwise.
macro_rules! debug {
    ($layer:expr, $namespace:expr, $($message:tt)+) => {{
        let (layer, namespace) = (&$layer, $namespace);
        if layer.debugs(namespace) {
            layer.debug(namespace, format_args!($($message)+));
        }
    }};
}

pub(crate) use debug;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_namespaces_print() {
        let enabled = Enabled::<Log>::named(&["engine:ws", "engine", "socket.io:client"]);
        assert!(enabled.contains(Log::Ws));
        assert!(enabled.contains(Log::Engine));
        assert!(!enabled.contains(Log::Socket));
        assert!(!Enabled::<Log>::default().contains(Log::Engine));
    }
}
