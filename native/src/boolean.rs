//! `AtomicBool`: a 32-bit word holding 0 or 1 (32 bits so that a futex can wait on it).
//!
//! Values travel as `f64` `0` or `1`; any non-zero argument counts as `1`.

use crate::addr::at;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};

#[inline(always)]
fn bit(v: f64) -> u32 {
    u32::from(v != 0.0)
}

/// Defines `extern "C"` functions over an `AtomicU32` at `addr` taking one value argument.
macro_rules! bool_ops {
    ($( $(#[$doc:meta])* fn $name:ident($cell:ident, $arg:ident) $body:block )*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        ///
        /// `addr` is the address of a live, 4-byte aligned `u32` (see `addr::at`).
        #[no_mangle]
        pub unsafe extern "C" fn $name(addr: f64, $arg: f64) -> f64 {
            // SAFETY: forwarded from this function's contract.
            let $cell: &AtomicU32 = unsafe { at(addr) };
            let $arg = bit($arg);
            $body
        }
    )*};
}

/// Reads the value (0 or 1).
///
/// # Safety
///
/// `addr` is the address of a live, 4-byte aligned `u32` (see `addr::at`).
#[no_mangle]
pub unsafe extern "C" fn atomicx_bool_load(addr: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let cell: &AtomicU32 = unsafe { at(addr) };
    f64::from(cell.load(SeqCst))
}

/// Stores `value` (0 or 1).
///
/// # Safety
///
/// `addr` is the address of a live, 4-byte aligned `u32` (see `addr::at`).
#[no_mangle]
pub unsafe extern "C" fn atomicx_bool_store(addr: f64, value: f64) {
    // SAFETY: forwarded from this function's contract.
    let cell: &AtomicU32 = unsafe { at(addr) };
    cell.store(bit(value), SeqCst);
}

/// Stores `replacement` if the value equals `expected`; returns the previous value either way.
///
/// # Safety
///
/// `addr` is the address of a live, 4-byte aligned `u32` (see `addr::at`).
#[no_mangle]
pub unsafe extern "C" fn atomicx_bool_compare_exchange(
    addr: f64,
    expected: f64,
    replacement: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let cell: &AtomicU32 = unsafe { at(addr) };
    match cell.compare_exchange(bit(expected), bit(replacement), SeqCst, SeqCst) {
        Ok(prev) | Err(prev) => f64::from(prev),
    }
}

bool_ops! {
    /// Stores `value`; returns the previous value.
    fn atomicx_bool_swap(cell, value) { f64::from(cell.swap(value, SeqCst)) }
    /// Logical AND; returns the previous value.
    fn atomicx_bool_fetch_and(cell, value) { f64::from(cell.fetch_and(value, SeqCst)) }
    /// Logical OR; returns the previous value.
    fn atomicx_bool_fetch_or(cell, value) { f64::from(cell.fetch_or(value, SeqCst)) }
    /// Logical XOR; returns the previous value. `flip` is XOR with 1.
    fn atomicx_bool_fetch_xor(cell, value) { f64::from(cell.fetch_xor(value, SeqCst)) }
}
