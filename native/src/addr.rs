//! Turning the `f64` address a caller passes into a reference: to the atomic stored there, or to an
//! out-parameter the caller owns.

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

/// Reinterprets `addr` as an exclusive reference to a `T` living at that address: an out-parameter
/// the caller owns (the three bigint `io` words, the float `previous_out` slot).
///
/// # Safety
///
/// `addr` must be the exact address of live memory that is valid for reads and writes of a `T`,
/// aligned for `T`, and that only the calling thread uses during the call.
#[inline(always)]
pub(crate) unsafe fn at_mut<'a, T>(addr: f64) -> &'a mut T {
    // SAFETY: the caller upholds the contract above; `addr` is an exact integer below 2^53.
    unsafe { &mut *(addr as usize as *mut T) }
}
