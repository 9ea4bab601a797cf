//! What a runtime needs to read and write a region through its own `Atomics`: where the mapping
//! is. The TypeScript side makes one `ArrayBuffer` over it per thread (no copy) and detaches that
//! buffer before it closes the region, so nothing can touch the range once it may be unmapped.

use crate::shm::{out_words, region_at, status};

/// Writes the mapping of an open region to `out`: its first byte's address and its length in
/// bytes (the third `f64` is left as it is). Returns [`status::OK`], or [`status::CLOSED`] once
/// the region was closed.
///
/// # Safety
///
/// `region` is a handle from `atomicx_shm_open` the caller holds; `out` the 8-byte aligned
/// address of three writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_mapping(region: f64, out: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let r = match unsafe { region_at(region) } {
        Some(r) => r,
        None => return status::INVALID_ARGUMENT,
    };
    if r.is_closed() {
        return status::CLOSED;
    }
    let (base, len) = r.mapping();
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { out_words(out) };
    out[0] = base as f64;
    out[1] = len as f64;
    status::OK
}
