//! `AtomicBigInt`: a 64-bit signed word with wrapping (two's-complement) arithmetic.
//!
//! An `i64` does not fit an `f64`, and `i64` arguments are slow on Deno's FFI, so values travel
//! through three caller-owned `i64` words at address `io` ([`Io`]): arguments in words 0 and 1, the
//! result (the previous value, or the loaded one) in word 2. Each function returns a
//! status as `f64`: `0` for success, `1` for division by zero (nothing stored); `compare_exchange`
//! returns `1` when it exchanged and `0` when it did not.

use std::sync::atomic::{AtomicI64, Ordering::SeqCst};

/// The three words at `io`: arguments in words 0 and 1, the result in word 2.
pub type Io = [i64; 3];

/// Status: the operation succeeded.
pub const OK: f64 = 0.0;
/// Status: division by zero; nothing was stored.
pub const DIVISION_BY_ZERO: f64 = 1.0;

exports! {
    storage: AtomicI64, "8-byte aligned `i64`";

    /// Reads the value into word 2.
    fn atomicx_bigint_load(cell; io: Io) -> f64 { io[2] = cell.load(SeqCst); OK }
    /// Stores word 0.
    fn atomicx_bigint_store(cell; io: Io) -> f64 { cell.store(io[0], SeqCst); OK }
    /// Stores word 0; the previous value goes to word 2.
    fn atomicx_bigint_swap(cell; io: Io) -> f64 { io[2] = cell.swap(io[0], SeqCst); OK }
    /// Stores word 1 if the value equals word 0; the previous value goes to word 2. Returns 1 when
    /// it exchanged, 0 when it did not.
    fn atomicx_bigint_compare_exchange(cell; io: Io) -> f64 {
        match cell.compare_exchange(io[0], io[1], SeqCst, SeqCst) {
            Ok(prev) => { io[2] = prev; 1.0 }
            Err(prev) => { io[2] = prev; 0.0 }
        }
    }
    /// Adds word 0, wrapping; the previous value goes to word 2.
    fn atomicx_bigint_fetch_add(cell; io: Io) -> f64 { io[2] = cell.fetch_add(io[0], SeqCst); OK }
    /// Subtracts word 0, wrapping; the previous value goes to word 2.
    fn atomicx_bigint_fetch_sub(cell; io: Io) -> f64 { io[2] = cell.fetch_sub(io[0], SeqCst); OK }
    /// Multiplies by word 0, wrapping; the previous value goes to word 2.
    fn atomicx_bigint_fetch_mul(cell; io: Io) -> f64 {
        let factor = io[0];
        // The closure always returns Some, so fetch_update cannot fail.
        let (Ok(prev) | Err(prev)) =
            cell.fetch_update(SeqCst, SeqCst, |v| Some(v.wrapping_mul(factor)));
        io[2] = prev;
        OK
    }
    /// Divides by word 0, truncating toward zero and wrapping (`i64::MIN / -1 == i64::MIN`); the
    /// previous value goes to word 2. A zero divisor stores nothing and returns 1.
    fn atomicx_bigint_fetch_div(cell; io: Io) -> f64 {
        let divisor = io[0];
        if divisor == 0 {
            return DIVISION_BY_ZERO;
        }
        let (Ok(prev) | Err(prev)) =
            cell.fetch_update(SeqCst, SeqCst, |v| Some(v.wrapping_div(divisor)));
        io[2] = prev;
        OK
    }
    /// Stores the larger of the value and word 0; the previous value goes to word 2.
    fn atomicx_bigint_fetch_max(cell; io: Io) -> f64 { io[2] = cell.fetch_max(io[0], SeqCst); OK }
    /// Stores the smaller of the value and word 0; the previous value goes to word 2.
    fn atomicx_bigint_fetch_min(cell; io: Io) -> f64 { io[2] = cell.fetch_min(io[0], SeqCst); OK }
    /// Bitwise AND with word 0; the previous value goes to word 2.
    fn atomicx_bigint_fetch_and(cell; io: Io) -> f64 { io[2] = cell.fetch_and(io[0], SeqCst); OK }
    /// Bitwise OR with word 0; the previous value goes to word 2.
    fn atomicx_bigint_fetch_or(cell; io: Io) -> f64 { io[2] = cell.fetch_or(io[0], SeqCst); OK }
    /// Bitwise XOR with word 0; the previous value goes to word 2.
    fn atomicx_bigint_fetch_xor(cell; io: Io) -> f64 { io[2] = cell.fetch_xor(io[0], SeqCst); OK }
}
