//! `AtomicFloat`: an IEEE-754 binary64 value stored as its bit pattern in an `AtomicU64`.
//!
//! Every NaN is stored as the one canonical quiet NaN (`f64::NAN`). JavaScript engines may
//! canonicalise NaN payloads on their side, so a NaN read back and passed again as `expected` to
//! `compare_exchange` must still match the stored bits — otherwise an `update` loop over a NaN would
//! never finish. For memory this library did not write, a NaN `expected` matches any stored NaN.
//! Apart from that, `compare_exchange` compares bit patterns: +0 and −0 differ.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

/// The bit pattern stored for `v`: its own bits, or the canonical NaN's for any NaN.
#[inline(always)]
fn bits(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    }
}

/// Applies `f` atomically; returns the previous value.
#[inline(always)]
fn fetch_apply(cell: &AtomicU64, f: impl Fn(f64) -> f64) -> f64 {
    // The closure always returns Some, so fetch_update cannot fail.
    let (Ok(prev) | Err(prev)) =
        cell.fetch_update(SeqCst, SeqCst, |cur| Some(bits(f(f64::from_bits(cur)))));
    f64::from_bits(prev)
}

/// Compare-exchange on bit patterns, where a NaN `expected` matches any stored NaN: memory written
/// by someone else (a caller's SharedArrayBuffer, another process) may hold a NaN with another
/// payload, and an `update` loop over it must still finish. Returns (exchanged, previous bits).
fn compare_exchange(cell: &AtomicU64, expected: f64, replacement: u64) -> (bool, u64) {
    if !expected.is_nan() {
        return match cell.compare_exchange(expected.to_bits(), replacement, SeqCst, SeqCst) {
            Ok(prev) => (true, prev),
            Err(prev) => (false, prev),
        };
    }
    let mut current = cell.load(SeqCst);
    loop {
        if !f64::from_bits(current).is_nan() {
            return (false, current);
        }
        match cell.compare_exchange_weak(current, replacement, SeqCst, SeqCst) {
            Ok(prev) => return (true, prev),
            Err(prev) => current = prev,
        }
    }
}

exports! {
    storage: AtomicU64, "8-byte aligned `u64`";

    /// Reads the value.
    fn atomicx_float_load(cell) -> f64 { f64::from_bits(cell.load(SeqCst)) }
    /// Stores `value`.
    fn atomicx_float_store(cell, value) { cell.store(bits(value), SeqCst) }
    /// Stores `replacement` if the stored bits equal those of `expected`. Writes the previous value
    /// to the `f64` at address `previous_out` and returns 1 when it exchanged, 0 when it did not.
    fn atomicx_float_compare_exchange(cell, expected, replacement; previous_out: f64) -> f64 {
        let (exchanged, previous) = compare_exchange(cell, expected, bits(replacement));
        *previous_out = f64::from_bits(previous);
        if exchanged {
            1.0
        } else {
            0.0
        }
    }
    /// Stores `value`; returns the previous value.
    fn atomicx_float_swap(cell, value) -> f64 { f64::from_bits(cell.swap(bits(value), SeqCst)) }
    /// Adds `x`; returns the previous value.
    fn atomicx_float_fetch_add(cell, x) -> f64 { fetch_apply(cell, |v| v + x) }
    /// Subtracts `x`; returns the previous value.
    fn atomicx_float_fetch_sub(cell, x) -> f64 { fetch_apply(cell, |v| v - x) }
    /// Multiplies by `x`; returns the previous value.
    fn atomicx_float_fetch_mul(cell, x) -> f64 { fetch_apply(cell, |v| v * x) }
    /// Divides by `x`; returns the previous value. A zero divisor (either sign) stores nothing and
    /// returns NaN; the TypeScript layer refuses it before calling.
    fn atomicx_float_fetch_div(cell, x) -> f64 {
        if x == 0.0 {
            return f64::NAN;
        }
        fetch_apply(cell, |v| v / x)
    }
    /// Stores `f64::max(value, x)` (a NaN operand is ignored); returns the previous value.
    fn atomicx_float_fetch_max(cell, x) -> f64 { fetch_apply(cell, |v| v.max(x)) }
    /// Stores `f64::min(value, x)` (a NaN operand is ignored); returns the previous value.
    fn atomicx_float_fetch_min(cell, x) -> f64 { fetch_apply(cell, |v| v.min(x)) }
}
