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

/// The contended bit of a region `Mutex`'s word 0 (docs/locks.md).
const CONTENDED: i32 = 0x4000_0000;

/// Takes a region `Mutex` (docs/locks.md) if it is unlocked, in one call: compare-exchanges word 0
/// (at `addr`) from 0 to `owner` and, if that took it, stores `token`, `start_low` and `start_high`
/// in words 1–3. Returns the previous word 0: 0 when taken.
///
/// # Safety
///
/// `addr` is the 4-byte aligned address of four live `i32`s (a lock primitive's first words).
#[no_mangle]
pub unsafe extern "C" fn atomicx_mutex_enter(
    addr: f64,
    owner: f64,
    token: f64,
    start_low: f64,
    start_high: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract (word 0).
    let state: &AtomicI32 = unsafe { at(addr) };
    if let Err(previous) = state.compare_exchange(0, owner as i64 as i32, SeqCst, SeqCst) {
        return f64::from(previous);
    }
    for (i, value) in [token, start_low, start_high].into_iter().enumerate() {
        // SAFETY: words 1–3 are live by this function's contract.
        let w: &AtomicI32 = unsafe { at(addr + 4.0 * (i + 1) as f64) };
        w.store(value as i64 as i32, SeqCst);
    }
    0.0
}

/// Releases a region `Mutex` in one call: zeroes words 1–3, exchanges word 0 with 0 and, if the
/// contended bit was set, wakes one sleeper on word 0 (in any process). Returns the previous word 0.
///
/// # Safety
///
/// As [`atomicx_mutex_enter`].
#[no_mangle]
pub unsafe extern "C" fn atomicx_mutex_leave(addr: f64) -> f64 {
    for i in 1..4 {
        // SAFETY: words 1–3 are live by this function's contract.
        let w: &AtomicI32 = unsafe { at(addr + 4.0 * f64::from(i)) };
        w.store(0, SeqCst);
    }
    // SAFETY: forwarded from this function's contract (word 0).
    let state: &AtomicI32 = unsafe { at(addr) };
    let previous = state.swap(0, SeqCst);
    if previous & CONTENDED != 0 {
        // SAFETY: `addr` is the address of a live atomic word, the kernel's key for the wake.
        unsafe { crate::wait::atomicx_wake(addr, 1.0) };
    }
    f64::from(previous)
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

    #[test]
    fn mutex_enter_and_leave_follow_the_region_mutex_layout() {
        let words = [
            AtomicI32::new(0),
            AtomicI32::new(0),
            AtomicI32::new(0),
            AtomicI32::new(0),
        ];
        let a = words.as_ptr() as usize as f64;
        // SAFETY: `a` is the address of four live words, alive for the whole test.
        unsafe {
            assert_eq!(atomicx_mutex_enter(a, 42.0, 7.0, 8.0, 9.0), 0.0);
            let held: Vec<i32> = words.iter().map(|w| w.load(SeqCst)).collect();
            assert_eq!(held, [42, 7, 8, 9]);
            assert_eq!(atomicx_mutex_enter(a, 43.0, 1.0, 1.0, 1.0), 42.0);
            words[0].store(42 | CONTENDED, SeqCst);
            assert_eq!(atomicx_mutex_leave(a), f64::from(42 | CONTENDED));
        }
        let free: Vec<i32> = words.iter().map(|w| w.load(SeqCst)).collect();
        assert_eq!(free, [0, 0, 0, 0]);
    }
}
