//! `AtomicBool`: a 32-bit word holding 0 or 1 (32 bits so that a futex can wait on it).
//!
//! Values travel as `f64` `0` or `1`; any non-zero argument, and any non-zero stored word, counts
//! as `1`.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};

#[inline(always)]
fn bit(v: f64) -> u32 {
    u32::from(v != 0.0)
}

exports! {
    storage: AtomicU32, "4-byte aligned `u32`";
    args: bit;

    /// Reads the value (0 or 1).
    fn atomicx_bool_load(cell) -> f64 { truth(cell.load(SeqCst)) }
    /// Stores `value` (0 or 1).
    fn atomicx_bool_store(cell, value) { cell.store(value, SeqCst) }
    /// Stores `replacement` if the value equals `expected`; returns the previous value either way.
    fn atomicx_bool_compare_exchange(cell, expected, replacement) -> f64 {
        // Any non-zero word counts as true (memory this library did not write may hold one), so
        // compare the truth value, then exchange the exact word that was read.
        let mut current = cell.load(SeqCst);
        loop {
            if u32::from(current != 0) != expected {
                return truth(current);
            }
            match cell.compare_exchange_weak(current, replacement, SeqCst, SeqCst) {
                Ok(prev) => return truth(prev),
                Err(prev) => current = prev,
            }
        }
    }
    /// Stores `value`; returns the previous value.
    fn atomicx_bool_swap(cell, value) -> f64 { truth(cell.swap(value, SeqCst)) }
    /// Logical AND; returns the previous value. ANDing with all ones keeps any non-zero word
    /// non-zero.
    fn atomicx_bool_fetch_and(cell, value) -> f64 {
        truth(cell.fetch_and(if value == 1 { u32::MAX } else { 0 }, SeqCst))
    }
    /// Logical OR; returns the previous value.
    fn atomicx_bool_fetch_or(cell, value) -> f64 { truth(cell.fetch_or(value, SeqCst)) }
    /// Logical XOR; returns the previous value. `flip` is XOR with 1.
    fn atomicx_bool_fetch_xor(cell, value) -> f64 {
        if value == 0 {
            return truth(cell.load(SeqCst));
        }
        // A plain `fetch_xor(1)` would turn a foreign non-zero word such as 2 into 3, still true,
        // so the new word is computed from the truth value.
        // The closure always returns Some, so fetch_update cannot fail.
        let (Ok(prev) | Err(prev)) =
            cell.fetch_update(SeqCst, SeqCst, |v| Some(u32::from(v == 0)));
        truth(prev)
    }
}

/// The truth value of a stored word as `f64` 0 or 1.
#[inline(always)]
fn truth(word: u32) -> f64 {
    f64::from(u8::from(word != 0))
}
