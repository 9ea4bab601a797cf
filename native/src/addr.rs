//! Turning the `f64` address a caller passes into a reference to the atomic stored there.

/// Reinterprets `addr` as a reference to a `T` (an atomic type) living at that address.
///
/// # Safety
///
/// `addr` must be the exact address of live memory that is valid for reads and writes of a `T`,
/// aligned for `T` (8 bytes for the 64-bit atomics, 4 for the boolean), and stays mapped for the
/// duration of the call. The TypeScript layer guarantees this: it derives every address from a
/// `SharedArrayBuffer` it holds (or a mapping it owns) plus a checked, aligned offset.
#[inline(always)]
pub(crate) unsafe fn at<'a, T>(addr: f64) -> &'a T {
    // SAFETY: the caller upholds the contract above; `addr` is an exact integer below 2^53.
    unsafe { &*(addr as usize as *const T) }
}

/// Three `i64` words the caller passes by address for operations whose values do not fit an `f64`:
/// arguments in words 0 and 1, the result in word 2.
///
/// # Safety
///
/// `io` must be the 8-byte aligned address of three `i64`s that only the calling thread uses during
/// the call.
#[inline(always)]
pub(crate) unsafe fn io_words<'a>(io: f64) -> &'a mut [i64; 3] {
    // SAFETY: the caller upholds the contract above.
    unsafe { &mut *(io as usize as *mut [i64; 3]) }
}
