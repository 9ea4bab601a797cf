//! Plain 32-bit words for the lock protocols in shared-memory regions (`src/locks/`): load,
//! store, compare-exchange and add on an `i32` at a caller-provided address, with the semantics of
//! JavaScript's `Atomics` on an `Int32Array` (values are `i32`, arithmetic wraps). Waiting on a
//! word is `atomicx_word_wait` in `wait.rs`; waking is `atomicx_wake`.

use crate::addr::at;
use std::sync::atomic::{AtomicI32, Ordering::SeqCst};

/// The word at `addr`.
///
/// # Safety
///
/// `addr` is the 4-byte aligned address of a live `i32` (see `addr::at`).
#[no_mangle]
pub unsafe extern "C" fn atomicx_word_load(addr: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let w: &AtomicI32 = unsafe { at(addr) };
    f64::from(w.load(SeqCst))
}

/// Stores `value` (converted to `i32` with wrapping) at `addr`.
///
/// # Safety
///
/// As [`atomicx_word_load`].
#[no_mangle]
pub unsafe extern "C" fn atomicx_word_store(addr: f64, value: f64) {
    // SAFETY: forwarded from this function's contract.
    let w: &AtomicI32 = unsafe { at(addr) };
    w.store(value as i64 as i32, SeqCst);
}

/// Replaces the word with `replacement` if it holds `expected`; returns the previous word.
///
/// # Safety
///
/// As [`atomicx_word_load`].
#[no_mangle]
pub unsafe extern "C" fn atomicx_word_compare_exchange(
    addr: f64,
    expected: f64,
    replacement: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let w: &AtomicI32 = unsafe { at(addr) };
    let r = w.compare_exchange(
        expected as i64 as i32,
        replacement as i64 as i32,
        SeqCst,
        SeqCst,
    );
    f64::from(r.unwrap_or_else(|v| v))
}

/// Adds `delta` (wrapping); returns the previous word.
///
/// # Safety
///
/// As [`atomicx_word_load`].
#[no_mangle]
pub unsafe extern "C" fn atomicx_word_add(addr: f64, delta: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let w: &AtomicI32 = unsafe { at(addr) };
    f64::from(w.fetch_add(delta as i64 as i32, SeqCst))
}

/// Replaces the word with `value`; returns the previous word.
///
/// # Safety
///
/// As [`atomicx_word_load`].
#[no_mangle]
pub unsafe extern "C" fn atomicx_word_exchange(addr: f64, value: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let w: &AtomicI32 = unsafe { at(addr) };
    f64::from(w.swap(value as i64 as i32, SeqCst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_behave_like_atomics_on_an_int32array() {
        let w = AtomicI32::new(0);
        let a = w.as_ptr() as usize as f64;
        // SAFETY: `a` is the address of `w`, alive for the whole test.
        unsafe {
            atomicx_word_store(a, 5.0);
            assert_eq!(atomicx_word_load(a), 5.0);
            assert_eq!(atomicx_word_compare_exchange(a, 4.0, 9.0), 5.0);
            assert_eq!(atomicx_word_compare_exchange(a, 5.0, 9.0), 5.0);
            assert_eq!(atomicx_word_add(a, -10.0), 9.0);
            assert_eq!(atomicx_word_exchange(a, f64::from(i32::MAX)), -1.0);
            assert_eq!(atomicx_word_add(a, 1.0), f64::from(i32::MAX));
            assert_eq!(atomicx_word_load(a), f64::from(i32::MIN));
        }
    }
}
