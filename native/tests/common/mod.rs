//! Shared plumbing for the integration tests.
//!
//! The C ABI takes every atomic as an exact integer address carried in an `f64`. The cells below own
//! the storage of one atomic each (`Int`, `BigInt`, `Bool`, `Float`), hand the library that address,
//! and wrap every exported `atomicx_*` function in a safe method, so the test files read as plain
//! calls and the `unsafe` lives in one place.
//!
//! The safety argument is the same for every call: a cell keeps its storage in a `Box`, so the
//! storage never moves and is as aligned as its atomic type requires (8 bytes, 4 for the boolean); a
//! method borrows `&self`, so the storage stays alive for the whole call; and each method calls only
//! the function that expects that cell's storage type. Out-parameters (the bigint `io` words, the
//! float `previous_out` slot) are aligned locals of the calling thread that nothing else touches.
//!
//! Each cell can also read and write its storage directly (`get`, `bits`), without the library, so a
//! test can tell what is really stored.

use atomicx::{bigint, bool, float, int};
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering::SeqCst};
use std::sync::Barrier;

/// The largest safe integer of JavaScript, 2^53 − 1.
pub const MAX_SAFE: i64 = int::MAX_SAFE;

/// The address of `p` as the `f64` the C ABI takes. Panics if the conversion would not be exact.
pub fn address<T>(p: *const T) -> f64 {
    let a = p as usize;
    let f = a as f64;
    assert_eq!(f as usize, a, "address {a:#x} is not exact in an f64");
    f
}

/// Defines a cell: a type that owns the storage of one atomic in a `Box`, so that the storage never
/// moves and is as aligned as its atomic type requires. `Name(Atomic): make(word), read` gives it
/// `make`, a cell holding exactly that word; `read`, the stored word read directly, without the
/// library; and `addr`, the address the C ABI takes.
macro_rules! cell {
    ($(#[$doc:meta])* $cell:ident($atomic:ident): $make:ident($word:ty), $read:ident) => {
        $(#[$doc])*
        pub struct $cell(Box<$atomic>);

        impl $cell {
            /// A cell holding exactly `word`.
            pub fn $make(word: $word) -> Self {
                Self(Box::new($atomic::new(word)))
            }

            /// The address the C ABI takes.
            pub fn addr(&self) -> f64 {
                address(self.0.as_ptr())
            }

            /// The stored word, read directly.
            pub fn $read(&self) -> $word {
                self.0.load(SeqCst)
            }
        }
    };
}

/// Defines safe methods on a cell, each calling one exported function on the storage the cell owns.
/// An entry reads `method(args) -> result => function;` and names a function that expects exactly
/// that cell's storage type. Values travel as `f64`, except for `BigInt`, whose entries pass `i64`
/// arguments in its `io` words and return what the call left there (see `BigInt::call`).
macro_rules! cell_methods {
    (BigInt { $($(#[$doc:meta])* $method:ident($($arg:ident),*) => $func:path;)* }) => {
        impl BigInt {$(
            #[doc = concat!("Calls `", stringify!($func), "(addr, io)`, the arguments in `io`.")]
            $(#[$doc])*
            pub fn $method(&self $(, $arg: i64)*) -> Out {
                // SAFETY: `BigInt` entries name `atomicx_bigint_*` functions (`call`'s contract).
                unsafe { self.call($func, &[$($arg),*]) }
            }
        )*}
    };
    (
        $cell:ty {
            $($(#[$doc:meta])* $method:ident($($arg:ident),*) $(-> $ret:ty)? => $func:path;)*
        }
    ) => {
        impl $cell {$(
            #[doc = concat!("Calls `", stringify!($func), "`.")]
            $(#[$doc])*
            pub fn $method(&self $(, $arg: f64)*) $(-> $ret)? {
                // SAFETY: `self.addr()` is the exact address of the aligned storage this cell owns
                // in a `Box`; `&self` keeps it alive and in place for the call, and the function
                // expects exactly this storage type (see the module documentation).
                unsafe { $func(self.addr() $(, $arg)*) }
            }
        )*}
    };
}

// ---------------------------------------------------------------------------------------------------
// AtomicInt: i64 storage, values as f64.

cell!(
    /// Owns the `i64` of one `AtomicInt`.
    Int(AtomicI64): new(i64), get
);

cell_methods!(Int {
    load() -> f64 => int::atomicx_int_load;
    store(v) => int::atomicx_int_store;
    /// Returns the previous value; the exchange happened exactly when it equals `expected`.
    compare_exchange(expected, replacement) -> f64 => int::atomicx_int_compare_exchange;
    swap(x) -> f64 => int::atomicx_int_swap;
    fetch_add(x) -> f64 => int::atomicx_int_fetch_add;
    fetch_sub(x) -> f64 => int::atomicx_int_fetch_sub;
    fetch_mul(x) -> f64 => int::atomicx_int_fetch_mul;
    fetch_div(x) -> f64 => int::atomicx_int_fetch_div;
    fetch_max(x) -> f64 => int::atomicx_int_fetch_max;
    fetch_min(x) -> f64 => int::atomicx_int_fetch_min;
    fetch_and(x) -> f64 => int::atomicx_int_fetch_and;
    fetch_or(x) -> f64 => int::atomicx_int_fetch_or;
    fetch_xor(x) -> f64 => int::atomicx_int_fetch_xor;
});

// ---------------------------------------------------------------------------------------------------
// AtomicBigInt: i64 storage, values through three caller-owned i64 words.

/// What a bigint call left behind: its status and the three `io` words after the call (arguments in
/// words 0 and 1, the result in word 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Out {
    pub status: Status,
    pub words: [i64; 3],
}

impl Out {
    /// Word 2: the previous value, or the loaded one.
    pub fn result(&self) -> i64 {
        self.words[2]
    }
}

/// A bigint status, compared as the exact `f64` the function returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub u64);

impl Status {
    pub const OK: Self = Self(0);
    pub const DIVISION_BY_ZERO: Self = Self(1);
    /// `compare_exchange`: exchanged.
    pub const EXCHANGED: Self = Self(1);
    /// `compare_exchange`: not exchanged.
    pub const NOT_EXCHANGED: Self = Self(0);

    fn from_f64(status: f64) -> Self {
        assert!(
            status == 0.0 || status == 1.0,
            "a bigint status must be 0 or 1, got {status}"
        );
        Self(status as u64)
    }
}

/// The value word 2 holds before a call, so a test can see whether the call wrote it.
pub const UNWRITTEN: i64 = 0x5EED_5EED_5EED_5EED;

/// The three `io` words, 8-byte aligned on every target (`i64` alone is 4-aligned on some 32-bit
/// ones).
#[repr(C, align(8))]
struct Io([i64; 3]);

cell!(
    /// Owns the `i64` of one `AtomicBigInt`.
    BigInt(AtomicI64): new(i64), get
);

/// The type every `atomicx_bigint_*` function has.
type BigIntFn = unsafe extern "C" fn(addr: f64, io: f64) -> f64;

impl BigInt {
    /// Calls `f(addr, io)` with a fresh `io` buffer holding `args` (at most two words, the rest 0)
    /// and `UNWRITTEN` in word 2.
    ///
    /// # Safety
    ///
    /// `f` must be one of the `atomicx_bigint_*` functions (they expect an `i64` at `addr`).
    unsafe fn call(&self, f: BigIntFn, args: &[i64]) -> Out {
        let mut io = Io([0, 0, UNWRITTEN]);
        io.0[..args.len()].copy_from_slice(args);
        let io_addr = address(&raw mut io);
        // SAFETY: `self.addr()` is this cell's live, aligned i64 (module documentation); `io_addr`
        // is the address of `io`, three 8-byte aligned i64s on this thread's stack that nothing
        // else references during the call; `f` is a bigint function (this function's contract).
        let status = unsafe { f(self.addr(), io_addr) };
        Out {
            status: Status::from_f64(status),
            words: io.0,
        }
    }
}

cell_methods!(BigInt {
    /// Reads the value into word 2.
    load() => bigint::atomicx_bigint_load;
    /// Stores `v` (word 0).
    store(v) => bigint::atomicx_bigint_store;
    swap(v) => bigint::atomicx_bigint_swap;
    compare_exchange(expected, replacement) => bigint::atomicx_bigint_compare_exchange;
    fetch_add(v) => bigint::atomicx_bigint_fetch_add;
    fetch_sub(v) => bigint::atomicx_bigint_fetch_sub;
    fetch_mul(v) => bigint::atomicx_bigint_fetch_mul;
    fetch_div(v) => bigint::atomicx_bigint_fetch_div;
    fetch_max(v) => bigint::atomicx_bigint_fetch_max;
    fetch_min(v) => bigint::atomicx_bigint_fetch_min;
    fetch_and(v) => bigint::atomicx_bigint_fetch_and;
    fetch_or(v) => bigint::atomicx_bigint_fetch_or;
    fetch_xor(v) => bigint::atomicx_bigint_fetch_xor;
});

// ---------------------------------------------------------------------------------------------------
// AtomicBool: u32 storage holding 0 or 1, values as f64.

cell!(
    /// Owns the 32-bit word of one `AtomicBool` (`from_word`: a word written by someone else, which
    /// may hold any value).
    Bool(AtomicU32): from_word(u32), get
);

impl Bool {
    pub fn new(v: bool) -> Self {
        Self::from_word(u32::from(v))
    }
}

cell_methods!(Bool {
    load() -> f64 => bool::atomicx_bool_load;
    store(v) => bool::atomicx_bool_store;
    /// Returns the previous value; the exchange happened exactly when it equals `expected`.
    compare_exchange(expected, replacement) -> f64 => bool::atomicx_bool_compare_exchange;
    swap(x) -> f64 => bool::atomicx_bool_swap;
    fetch_and(x) -> f64 => bool::atomicx_bool_fetch_and;
    fetch_or(x) -> f64 => bool::atomicx_bool_fetch_or;
    fetch_xor(x) -> f64 => bool::atomicx_bool_fetch_xor;
});

// ---------------------------------------------------------------------------------------------------
// AtomicFloat: u64 storage holding the bits of an f64, values as f64.

/// The `previous_out` slot of `atomicx_float_compare_exchange`, 8-byte aligned on every target.
#[repr(C, align(8))]
struct Slot(f64);

cell!(
    /// Owns the bits of one `AtomicFloat`.
    Float(AtomicU64): from_bits(u64), bits
);

impl Float {
    /// A cell holding exactly the bits of `v` (a NaN keeps its payload: this bypasses the library).
    pub fn new(v: f64) -> Self {
        Self::from_bits(v.to_bits())
    }

    /// The stored value, read directly.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits())
    }

    /// Returns `(exchanged, previous)`: the function's return value (1 or 0) and what it wrote to
    /// its `previous_out` slot.
    pub fn compare_exchange(&self, expected: f64, replacement: f64) -> (f64, f64) {
        let mut previous = Slot(f64::from_bits(UNWRITTEN as u64));
        let out = address(&raw mut previous.0);
        // SAFETY: `addr` is this cell's live, aligned u64 (module documentation); `out` is the
        // address of `previous`, an 8-byte aligned f64 on this thread's stack that nothing else
        // references during the call.
        let exchanged = unsafe {
            float::atomicx_float_compare_exchange(self.addr(), expected, replacement, out)
        };
        (exchanged, previous.0)
    }
}

cell_methods!(Float {
    load() -> f64 => float::atomicx_float_load;
    store(v) => float::atomicx_float_store;
    swap(x) -> f64 => float::atomicx_float_swap;
    fetch_add(x) -> f64 => float::atomicx_float_fetch_add;
    fetch_sub(x) -> f64 => float::atomicx_float_fetch_sub;
    fetch_mul(x) -> f64 => float::atomicx_float_fetch_mul;
    fetch_div(x) -> f64 => float::atomicx_float_fetch_div;
    fetch_max(x) -> f64 => float::atomicx_float_fetch_max;
    fetch_min(x) -> f64 => float::atomicx_float_fetch_min;
});

/// The bits every NaN is stored as.
pub const CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

/// The bits `v` should be stored as: its own, or the canonical NaN's.
pub fn stored_bits(v: f64) -> u64 {
    if v.is_nan() {
        CANONICAL_NAN
    } else {
        v.to_bits()
    }
}

// ---------------------------------------------------------------------------------------------------
// Threads, pseudo-random numbers and running a table of operations over many values.

/// How many threads the concurrency tests contend with.
pub const THREADS: usize = 4;

/// Runs `f(0) .. f(n - 1)` on `n` threads that start together; returns their results in order.
pub fn on_threads<R: Send>(n: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let start = Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|t| {
                let (f, start) = (&f, &start);
                s.spawn(move || {
                    start.wait();
                    f(t)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a test thread panicked"))
            .collect()
    })
}

/// How many random pairs `on_random_pairs` checks per operation.
pub const RANDOM_PAIRS: usize = 5_000;

/// Runs `check(op, a, b)` for every operation in `ops` and every ordered pair `(a, b)` of `edges`.
pub fn on_edge_pairs<Op: Copy, V: Copy>(ops: &[Op], edges: &[V], check: impl Fn(Op, V, V)) {
    for &op in ops {
        for &a in edges {
            for &b in edges {
                check(op, a, b);
            }
        }
    }
}

/// Runs `check(op, a, b)` for every operation in `ops` on [`RANDOM_PAIRS`] pairs drawn by `draw`
/// from one generator seeded with `seed`, so every run checks the same pairs.
pub fn on_random_pairs<Op: Copy, V>(
    ops: &[Op],
    seed: u64,
    draw: fn(&mut Rng) -> V,
    check: impl Fn(Op, V, V),
) {
    let mut rng = Rng::new(seed);
    for &op in ops {
        for _ in 0..RANDOM_PAIRS {
            let (a, b) = (draw(&mut rng), draw(&mut rng));
            check(op, a, b);
        }
    }
}

/// SplitMix64: a tiny deterministic generator, so randomised cases are the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A safe integer, uniformly spread over magnitudes: small, mid-sized and near the limits.
    pub fn safe_int(&mut self) -> i64 {
        let bits = self.next_u64() % 54; // magnitude below 2^bits, bits in 0..=53
        let magnitude = (self.next_u64() & ((1u64 << bits) - 1)) as i64;
        let v = magnitude.min(MAX_SAFE);
        if self.next_u64() & 1 == 0 {
            v
        } else {
            -v
        }
    }

    /// Any i64, spread over magnitudes like `safe_int`.
    pub fn any_i64(&mut self) -> i64 {
        let bits = self.next_u64() % 65; // 0..=64
        let raw = self.next_u64();
        let v = if bits == 64 {
            raw
        } else {
            raw & ((1u64 << bits) - 1)
        };
        v as i64
    }
}
