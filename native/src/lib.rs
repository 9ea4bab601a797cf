//! The C ABI of atomicx.
//!
//! Every function takes the address of an atomic's storage as its first argument. The address is an
//! integer carried in an `f64`: user-space addresses on every supported platform are below 2^53, so
//! the conversion is exact, and an `f64` argument is the fast call on every JavaScript runtime's FFI
//! (on Deno an `i64` or pointer argument costs several times more). The library never allocates for
//! in-process atomics; the caller owns the memory (a `SharedArrayBuffer`) and keeps it alive.
//!
//! All operations are sequentially consistent, like JavaScript's `Atomics`. Nothing panics: failures
//! come back in-band (see each module), and the release profile aborts rather than unwinds.

#![deny(unsafe_op_in_unsafe_fn)]
// The Windows library is built with Debian's rustc 1.63 (the one Rust with that target here): the
// newer spellings these lints suggest (`is_some_and`, `div_ceil`, `is_multiple_of`) do not exist
// there.
#![allow(
    unknown_lints,
    clippy::unnecessary_map_or,
    clippy::manual_div_ceil,
    clippy::manual_is_multiple_of
)]

#[macro_use]
mod exports;

mod addr;
pub mod bigint;
pub mod bool;
pub mod float;
pub mod int;
pub mod owner;
pub mod shm;
mod sys;
pub mod view;
pub mod wait;
pub mod word;

/// Version of this C ABI. The TypeScript loader refuses a library whose version differs from its own.
pub const ABI_VERSION: u32 = 5;

/// Returns [`ABI_VERSION`] as an `f64` (the one return type every runtime calls fast). Every loader
/// calls it first; it also pins the library in memory, so that a runtime unloading it while a
/// native waiter thread runs its code cannot crash the process.
#[no_mangle]
pub extern "C" fn atomicx_abi_version() -> f64 {
    sys::pin_library(atomicx_abi_version as *const std::ffi::c_void);
    f64::from(ABI_VERSION)
}

/// Returns the address of `p` as an `f64`. Runtimes whose FFI has no "address of this typed array"
/// helper (koffi) pass a typed array as `void *` and read its address back through this.
#[no_mangle]
pub extern "C" fn atomicx_address_of(p: *const u8) -> f64 {
    p as usize as f64
}
