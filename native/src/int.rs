//! `AtomicInt`: a 64-bit signed word that always holds a JavaScript safe integer.
//!
//! Values travel as `f64` and are always exact (|v| ≤ 2^53 − 1). An operation whose result would
//! leave that range stores nothing and returns NaN; so does division by zero. NaN is never a valid
//! previous value, so the caller tells failure from success by one comparison. Every read-modify-write
//! that can fail is a compare-and-swap loop, so a failed operation is never visible to other threads
//! (a `fetch_add` followed by an undo would briefly publish an out-of-range value).

use std::sync::atomic::{AtomicI64, Ordering::SeqCst};

/// The largest safe integer of JavaScript, 2^53 − 1.
pub const MAX_SAFE: i64 = (1 << 53) - 1;

#[inline(always)]
fn is_safe(v: i64) -> bool {
    (-MAX_SAFE..=MAX_SAFE).contains(&v)
}

/// Applies `f` atomically; returns the previous value, or NaN (and stores nothing) when `f` has no
/// result or its result is not a safe integer.
#[inline(always)]
fn fetch_checked(cell: &AtomicI64, f: impl Fn(i64) -> Option<i64>) -> f64 {
    match cell.fetch_update(SeqCst, SeqCst, |cur| f(cur).filter(|&next| is_safe(next))) {
        Ok(prev) => prev as f64,
        Err(_) => f64::NAN,
    }
}

exports! {
    storage: AtomicI64, "8-byte aligned `i64`";
    args: |value: f64| value as i64;

    /// Reads the value.
    fn atomicx_int_load(cell) -> f64 { cell.load(SeqCst) as f64 }
    /// Stores `value` (a safe integer; the caller checks).
    fn atomicx_int_store(cell, value) { cell.store(value, SeqCst) }
    /// Stores `replacement` if the value equals `expected`; returns the previous value either way
    /// (the exchange happened exactly when the previous value equals `expected`).
    fn atomicx_int_compare_exchange(cell, expected, replacement) -> f64 {
        match cell.compare_exchange(expected, replacement, SeqCst, SeqCst) {
            Ok(prev) | Err(prev) => prev as f64,
        }
    }
    /// Stores `value`; returns the previous value.
    fn atomicx_int_swap(cell, value) -> f64 { cell.swap(value, SeqCst) as f64 }
    /// Adds `delta`; returns the previous value, or NaN if the sum would not be a safe integer.
    fn atomicx_int_fetch_add(cell, delta) -> f64 { fetch_checked(cell, |v| v.checked_add(delta)) }
    /// Subtracts `delta`; returns the previous value, or NaN if the result would not be a safe integer.
    fn atomicx_int_fetch_sub(cell, delta) -> f64 { fetch_checked(cell, |v| v.checked_sub(delta)) }
    /// Multiplies by `factor`; returns the previous value, or NaN if the product would not be a safe
    /// integer.
    fn atomicx_int_fetch_mul(cell, factor) -> f64 {
        fetch_checked(cell, |v| v.checked_mul(factor))
    }
    /// Divides by `divisor`, truncating toward zero; returns the previous value, or NaN for a zero
    /// divisor.
    fn atomicx_int_fetch_div(cell, divisor) -> f64 {
        fetch_checked(cell, |v| v.checked_div(divisor))
    }
    /// Stores the larger of the value and `other`; returns the previous value.
    fn atomicx_int_fetch_max(cell, other) -> f64 { cell.fetch_max(other, SeqCst) as f64 }
    /// Stores the smaller of the value and `other`; returns the previous value.
    fn atomicx_int_fetch_min(cell, other) -> f64 { cell.fetch_min(other, SeqCst) as f64 }
    /// Bitwise AND on the two's-complement form; returns the previous value, or NaN if the result
    /// (only ever −2^53) is not a safe integer.
    fn atomicx_int_fetch_and(cell, bits) -> f64 { fetch_checked(cell, |v| Some(v & bits)) }
    /// Bitwise OR on the two's-complement form; returns the previous value, or NaN if the result is
    /// not a safe integer.
    fn atomicx_int_fetch_or(cell, bits) -> f64 { fetch_checked(cell, |v| Some(v | bits)) }
    /// Bitwise XOR on the two's-complement form; returns the previous value, or NaN if the result is
    /// not a safe integer.
    fn atomicx_int_fetch_xor(cell, bits) -> f64 { fetch_checked(cell, |v| Some(v ^ bits)) }
}
