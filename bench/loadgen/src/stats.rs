//! Latency samples and their percentiles.

use std::time::Duration;

#[derive(Default)]
pub struct Latencies {
    micros: Vec<u32>,
}

impl Latencies {
    pub fn record(&mut self, latency: Duration) {
        self.micros
            .push(latency.as_micros().min(u32::MAX as u128) as u32);
    }

    pub fn merge(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
    }

    pub fn len(&self) -> usize {
        self.micros.len()
    }

    /// Percentiles in milliseconds, as JSON fields `p50_ms`, `p99_ms`, `p999_ms`.
    pub fn summary(mut self) -> serde_json::Value {
        self.micros.sort_unstable();
        let at = |q: f64| -> f64 {
            if self.micros.is_empty() {
                return f64::NAN;
            }
            let index = ((self.micros.len() as f64 - 1.0) * q).round() as usize;
            f64::from(self.micros[index]) / 1000.0
        };
        serde_json::json!({ "p50_ms": at(0.5), "p99_ms": at(0.99), "p999_ms": at(0.999) })
    }
}
