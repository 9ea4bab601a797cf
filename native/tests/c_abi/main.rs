//! Integration tests of the C ABI: every exported `atomicx_*` function, called the way the
//! JavaScript runtimes call it, with the atomic's address carried in an `f64`.
//!
//! One test binary with a module per atomic kind, rather than one binary per file: the release
//! profile links every binary with full LTO, so each extra binary would add seconds to
//! `cargo test --release` and nothing to what is tested.

#[path = "../common/mod.rs"]
mod common;

mod abi;
mod bigint;
mod bool;
mod codes;
mod concurrency;
mod float;
mod int;
#[cfg(target_os = "linux")]
mod shm;
