//! The C functions driven from several `std::thread`s at once on one shared atomic: totals must be
//! exact, and every thread's view must be consistent with one total order of the operations.

use crate::common::{on_threads, BigInt, Bool, Float, Int, Status, MAX_SAFE, THREADS};
use std::cell::UnsafeCell;

/// Operations per thread.
const PER_THREAD: usize = 250_000;
/// Operations in all.
const TOTAL: usize = THREADS * PER_THREAD;

#[test]
fn int_fetch_add_hands_out_every_previous_value_exactly_once() {
    let counter = Int::new(0);
    let seen = on_threads(THREADS, |_| {
        (0..PER_THREAD)
            .map(|_| counter.fetch_add(1.0) as i64)
            .collect::<Vec<_>>()
    });
    assert_eq!(counter.get(), TOTAL as i64);
    // A lost or duplicated update would show as a repeated or missing previous value.
    let mut all: Vec<i64> = seen.into_iter().flatten().collect();
    all.sort_unstable();
    assert!(
        all.iter().copied().eq(0..TOTAL as i64),
        "previous values are not 0..{TOTAL}"
    );
}

#[test]
fn int_fetch_sub_total_is_exact() {
    let counter = Int::new(MAX_SAFE);
    on_threads(THREADS, |_| {
        for _ in 0..PER_THREAD {
            assert!(!counter.fetch_sub(1.0).is_nan());
        }
    });
    assert_eq!(counter.get(), MAX_SAFE - TOTAL as i64);
}

#[test]
fn int_fetch_add_at_the_limit_refuses_exactly_the_overflowing_calls() {
    // Room for half of the increments: exactly that many succeed, the rest are refused, and the
    // value never leaves the safe range on the way.
    let room = TOTAL as i64 / 2;
    let counter = Int::new(MAX_SAFE - room);
    let succeeded: usize = on_threads(THREADS, |_| {
        let mut ok = 0;
        for _ in 0..PER_THREAD {
            let prev = counter.fetch_add(1.0);
            if !prev.is_nan() {
                assert!(prev < MAX_SAFE as f64, "an increment from {prev} succeeded");
                ok += 1;
            }
        }
        ok
    })
    .into_iter()
    .sum();
    assert_eq!(succeeded as i64, room);
    assert_eq!(counter.get(), MAX_SAFE);
}

#[test]
fn int_compare_exchange_retry_loop_total_is_exact() {
    let counter = Int::new(-1);
    let retries: usize = on_threads(THREADS, |_| {
        let mut retries = 0;
        for _ in 0..PER_THREAD {
            let mut current = counter.load();
            loop {
                let prev = counter.compare_exchange(current, current + 1.0);
                if prev == current {
                    break;
                }
                retries += 1;
                current = prev;
            }
        }
        retries
    })
    .into_iter()
    .sum();
    assert_eq!(counter.get(), TOTAL as i64 - 1);
    eprintln!("int compare_exchange: {retries} retries under contention");
}

#[test]
fn int_max_min_and_bitwise_under_contention() {
    let max = Int::new(i64::from(i32::MIN));
    let min = Int::new(i64::from(i32::MAX));
    let bits = Int::new(0);
    let ones = Int::new(-1);
    on_threads(THREADS, |t| {
        // Thread t owns bit t; an odd number of XORs leaves it set, OR sets it, AND with !bit
        // clears it in `ones`.
        let bit = (1i64 << t) as f64;
        for i in 0..PER_THREAD / 4 {
            let v = (i * THREADS + t) as f64;
            max.fetch_max(v);
            min.fetch_min(-v);
            bits.fetch_xor(bit);
        }
        bits.fetch_xor(bit);
        bits.fetch_or(bit);
        ones.fetch_and(!(1i64 << t) as f64);
    });
    let last = (PER_THREAD / 4 * THREADS - 1) as i64;
    assert_eq!(max.get(), last);
    assert_eq!(min.get(), -last);
    assert_eq!(bits.get(), (1 << THREADS) - 1);
    assert_eq!(ones.get(), !((1 << THREADS) - 1));
}

#[test]
fn bigint_fetch_add_and_fetch_sub_wrap_with_exact_totals() {
    // Start below i64::MAX so that the increments wrap past it halfway through.
    let half = TOTAL as i64 / 2;
    let up = BigInt::new(i64::MAX - half + 1);
    let down = BigInt::new(i64::MIN + half - 1);
    on_threads(THREADS, |_| {
        for _ in 0..PER_THREAD {
            assert_eq!(up.fetch_add(1).status, Status::OK);
            assert_eq!(down.fetch_sub(1).status, Status::OK);
        }
    });
    assert_eq!(up.get(), i64::MIN + half);
    assert_eq!(down.get(), i64::MAX - half);
}

#[test]
fn bigint_compare_exchange_retry_loop_total_is_exact() {
    let counter = BigInt::new(i64::MAX);
    on_threads(THREADS, |_| {
        for _ in 0..PER_THREAD {
            let mut current = counter.load().result();
            loop {
                let out = counter.compare_exchange(current, current.wrapping_add(3));
                if out.status == Status::EXCHANGED {
                    assert_eq!(out.result(), current);
                    break;
                }
                assert_ne!(
                    out.result(),
                    current,
                    "a failed exchange saw the expected value"
                );
                current = out.result();
            }
        }
    });
    assert_eq!(counter.get(), i64::MAX.wrapping_add(3 * TOTAL as i64));
}

#[test]
fn bigint_mul_and_div_stay_consistent() {
    // Each thread doubles and halves in turn: every doubling is later undone by a halving of an even
    // number, so the value can only end where it started.
    let cell = BigInt::new(3);
    on_threads(THREADS, |_| {
        for _ in 0..PER_THREAD / 10 {
            assert_eq!(cell.fetch_mul(2).status, Status::OK);
            assert_eq!(cell.fetch_div(2).status, Status::OK);
        }
    });
    assert_eq!(cell.get(), 3);
}

#[test]
fn bool_fetch_xor_flips_alternate_in_one_order() {
    // An odd number of flips in all, so the final value tells a lost flip from a double one.
    let flag = Bool::new(false);
    let flips = |t: usize| PER_THREAD + usize::from(t == 0);
    let saw_false: usize = on_threads(THREADS, |t| {
        (0..flips(t)).filter(|_| flag.fetch_xor(1.0) == 0.0).count()
    })
    .into_iter()
    .sum();
    let n = (0..THREADS).map(flips).sum::<usize>();
    assert_eq!(n % 2, 1);
    assert_eq!(flag.get(), 1);
    // The flips form one sequence false, true, false, …: ⌈n/2⌉ of them saw false.
    assert_eq!(saw_false, n.div_ceil(2));
}

/// A counter that is not atomic at all, guarded by an `AtomicBool` used as a spin lock.
struct Guarded(UnsafeCell<u64>);

// SAFETY: every access to the inner u64 happens while holding the spin lock below, whose
// sequentially consistent compare_exchange and store order the accesses between threads.
unsafe impl Sync for Guarded {}

impl Guarded {
    /// Adds one.
    ///
    /// # Safety
    ///
    /// The caller holds the lock: no other thread accesses the counter during the call.
    unsafe fn increment(&self) {
        // SAFETY: exclusive access, from this function's contract.
        unsafe { *self.0.get() += 1 };
    }
}

#[test]
fn bool_compare_exchange_and_store_make_a_working_lock() {
    const ROUNDS: usize = 50_000;
    let lock = Bool::new(false);
    let counter = Guarded(UnsafeCell::new(0));
    on_threads(THREADS, |_| {
        for _ in 0..ROUNDS {
            let mut spins = 0u32;
            while lock.compare_exchange(0.0, 1.0) != 0.0 {
                spins += 1;
                if spins.is_multiple_of(64) {
                    std::thread::yield_now(); // the holder may be descheduled: 4 threads, 2 cores
                } else {
                    std::hint::spin_loop();
                }
            }
            // SAFETY: this thread holds the lock, so no other thread accesses the counter.
            unsafe { counter.increment() };
            lock.store(0.0);
        }
    });
    assert_eq!(counter.0.into_inner(), (THREADS * ROUNDS) as u64);
    assert_eq!(lock.get(), 0);
}

#[test]
fn bool_or_and_and_settle() {
    let any = Bool::new(false);
    let all = Bool::new(true);
    on_threads(THREADS, |t| {
        for i in 0..PER_THREAD / 10 {
            any.fetch_or(if t == 3 && i == 777 { 1.0 } else { 0.0 });
            all.fetch_and(if t == 1 && i == 999 { 0.0 } else { 1.0 });
        }
    });
    assert_eq!((any.get(), all.get()), (1, 0));
}

#[test]
fn float_fetch_add_and_fetch_sub_totals_are_exact() {
    let up = Float::new(0.0);
    let down = Float::new(TOTAL as f64);
    on_threads(THREADS, |_| {
        for _ in 0..PER_THREAD {
            up.fetch_add(1.0);
            down.fetch_sub(1.0);
        }
    });
    assert_eq!(up.get(), TOTAL as f64);
    assert_eq!(down.bits(), 0, "the total must come back to exactly +0");
}

#[test]
fn float_compare_exchange_retry_loop_total_is_exact() {
    let sum = Float::new(0.5);
    on_threads(THREADS, |_| {
        for _ in 0..PER_THREAD {
            let mut current = sum.load();
            loop {
                let (ok, prev) = sum.compare_exchange(current, current + 1.0);
                if ok == 1.0 {
                    assert_eq!(prev.to_bits(), current.to_bits());
                    break;
                }
                assert_ne!(prev.to_bits(), current.to_bits());
                current = prev;
            }
        }
    });
    assert_eq!(sum.get(), TOTAL as f64 + 0.5);
}

#[test]
fn float_mul_div_max_and_min_under_contention() {
    // Powers of two keep every product exact; doublings and halvings cancel.
    let scaled = Float::new(1.5);
    let max = Float::new(f64::NEG_INFINITY);
    let min = Float::new(f64::NAN);
    on_threads(THREADS, |t| {
        for i in 0..PER_THREAD / 10 {
            scaled.fetch_mul(2.0);
            scaled.fetch_div(2.0);
            let v = (i * THREADS + t) as f64 * 0.25;
            max.fetch_max(v);
            max.fetch_max(f64::NAN);
            min.fetch_min(-v);
        }
    });
    let last = (PER_THREAD / 10 * THREADS - 1) as f64 * 0.25;
    assert_eq!(scaled.get(), 1.5);
    assert_eq!(max.get(), last);
    assert_eq!(min.get(), -last);
}

#[test]
fn swaps_pass_every_value_on_exactly_once() {
    // Each thread swaps in its own distinct values; with the final value, the previous values seen
    // must be exactly the initial one plus every value swapped in.
    let cell = Int::new(-1);
    let seen = on_threads(THREADS, |t| {
        (0..PER_THREAD / 10)
            .map(|i| cell.swap((i * THREADS + t) as f64) as i64)
            .collect::<Vec<_>>()
    });
    let mut all: Vec<i64> = seen.into_iter().flatten().collect();
    all.push(cell.get());
    all.sort_unstable();
    assert!(all
        .iter()
        .copied()
        .eq(-1..(PER_THREAD / 10 * THREADS) as i64));
}
