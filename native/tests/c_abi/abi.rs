//! The library-level functions (`atomicx_abi_version`, `atomicx_address_of`) and the address
//! convention itself: atomics at offsets inside one buffer, as the TypeScript side lays them out in a
//! `SharedArrayBuffer`, touch only their own word.

use crate::common::{address, BigInt, Int, MAX_SAFE};
use atomicx::{bigint, bool, float, int};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};

#[test]
fn abi_version_is_the_crate_constant() {
    assert_eq!(
        atomicx::atomicx_abi_version(),
        f64::from(atomicx::ABI_VERSION)
    );
    assert_eq!(atomicx::atomicx_abi_version(), 5.0);
}

#[test]
fn address_of_returns_the_exact_address() {
    let heap = Box::new([0u8; 64]);
    let stack = [0u8; 3];
    for p in [
        heap.as_ptr(),
        heap[17..].as_ptr(),
        heap[63..].as_ptr(),
        stack.as_ptr(),
    ] {
        let a = atomicx::atomicx_address_of(p);
        assert_eq!(a, p as usize as f64);
        assert_eq!(
            a as usize, p as usize,
            "the address must survive the f64 round trip"
        );
        assert_eq!(a, address(p));
    }
    assert_eq!(atomicx::atomicx_address_of(std::ptr::null()), 0.0);
}

/// Eight-byte words laid out like a `SharedArrayBuffer` holding several atomics.
#[repr(C, align(8))]
struct Words([AtomicU64; 4]);

/// Four-byte words starting at an 8-byte boundary, so odd slots sit at addresses ≡ 4 (mod 8).
#[repr(C, align(8))]
struct HalfWords([AtomicU32; 4]);

const FILL: u64 = 0xA5A5_A5A5_A5A5_A5A5;

#[test]
fn sixty_four_bit_atomics_touch_only_their_own_word() {
    let words = Words([const { AtomicU64::new(FILL) }; 4]);
    let slot = |i: usize| address(words.0[i].as_ptr());
    // Checks that slot `i` holds `bits` and every other slot still holds FILL; then refills `i`.
    let check = |i: usize, bits: u64| {
        for (j, w) in words.0.iter().enumerate() {
            let want = if j == i { bits } else { FILL };
            assert_eq!(
                w.load(SeqCst),
                want,
                "slot {j} after an operation on slot {i}"
            );
        }
        words.0[i].store(FILL, SeqCst);
    };

    let mut io = Io([-1, 0, 0]);
    let io_addr = address(&raw mut io);
    // SAFETY: every `slot(i)` is the address of a live, 8-byte aligned AtomicU64 in `words`, which
    // outlives this block; `io_addr` is the address of `io`, three aligned i64s only this thread
    // uses. Each function gets the storage type it expects (i64 and u64 share size and alignment).
    unsafe {
        int::atomicx_int_store(slot(1), -1.0);
        assert_eq!(int::atomicx_int_fetch_add(slot(1), 1.0), -1.0);
        check(1, 0);

        assert_eq!(bigint::atomicx_bigint_store(slot(2), io_addr), 0.0);
        assert_eq!(bigint::atomicx_bigint_fetch_add(slot(2), io_addr), 0.0);
        check(2, -2i64 as u64);

        float::atomicx_float_store(slot(3), -0.0);
        let prev = float::atomicx_float_fetch_sub(slot(3), 1.0);
        assert_eq!(prev.to_bits(), (-0.0f64).to_bits());
        check(3, (-1.0f64).to_bits());

        float::atomicx_float_store(slot(0), f64::NAN);
        check(0, f64::NAN.to_bits());
    }
}

#[test]
fn bool_atomics_are_32_bit_words() {
    let words = HalfWords([const { AtomicU32::new(u32::MAX) }; 4]);
    words.0[1].store(0, SeqCst);
    let odd = address(words.0[1].as_ptr());
    assert_eq!(odd as usize % 8, 4, "slot 1 must sit off the 8-byte grid");
    // SAFETY: `odd` is the address of the live, 4-byte aligned AtomicU32 `words.0[1]`, which
    // outlives this block.
    unsafe {
        bool::atomicx_bool_store(odd, 1.0);
        assert_eq!(bool::atomicx_bool_swap(odd, 0.0), 1.0);
        assert_eq!(bool::atomicx_bool_fetch_or(odd, 1.0), 0.0);
        assert_eq!(bool::atomicx_bool_fetch_xor(odd, 1.0), 1.0);
        assert_eq!(bool::atomicx_bool_compare_exchange(odd, 0.0, 1.0), 0.0);
        assert_eq!(bool::atomicx_bool_fetch_and(odd, 1.0), 1.0);
        assert_eq!(bool::atomicx_bool_load(odd), 1.0);
    }
    let all: Vec<u32> = words.0.iter().map(|w| w.load(SeqCst)).collect();
    assert_eq!(all, [u32::MAX, 1, u32::MAX, u32::MAX]);
}

#[test]
fn int_and_bigint_share_one_representation() {
    // AtomicInt and AtomicBigInt are both a signed 64-bit word: a value written through one reads the
    // same through the other.
    let i = Int::new(0);
    let b = BigInt::new(0);
    for v in [-1, 0, MAX_SAFE, -MAX_SAFE, 12345] {
        i.store(v as f64);
        b.store(v);
        assert_eq!(i.get(), b.get());
        assert_eq!(b.load().result(), v);
    }
}

/// The bigint io words for the direct calls above.
#[repr(C, align(8))]
struct Io([i64; 3]);
