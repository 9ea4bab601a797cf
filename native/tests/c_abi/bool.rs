//! `atomicx_bool_*`: `AtomicBool`, a 32-bit word holding 0 or 1; values travel as `f64` 0 or 1.

use crate::common::Bool;

const BOTH: [bool; 2] = [false, true];

fn f(b: bool) -> f64 {
    f64::from(u8::from(b))
}

#[test]
fn load_and_store() {
    let cell = Bool::new(false);
    assert_eq!(cell.load(), 0.0);
    cell.store(1.0);
    assert_eq!((cell.get(), cell.load()), (1, 1.0));
    cell.store(0.0);
    assert_eq!((cell.get(), cell.load()), (0, 0.0));
}

#[test]
fn any_nonzero_argument_counts_as_one() {
    let cell = Bool::new(false);
    for v in [2.0, -1.0, 0.5, f64::INFINITY] {
        cell.store(0.0);
        cell.store(v);
        assert_eq!(cell.get(), 1, "store({v})");
    }
    cell.store(-0.0);
    assert_eq!(cell.get(), 0, "store(-0)");
    // The word never holds anything but 0 or 1.
    assert_eq!(cell.swap(7.0), 0.0);
    assert_eq!(cell.get(), 1);
    assert_eq!(cell.fetch_xor(3.0), 1.0);
    assert_eq!(cell.get(), 0);
}

#[test]
fn swap_returns_the_previous_value() {
    for a in BOTH {
        for b in BOTH {
            let cell = Bool::new(a);
            assert_eq!(cell.swap(f(b)), f(a), "swap {a} -> {b}");
            assert_eq!(cell.get(), u32::from(b));
        }
    }
}

#[test]
fn compare_exchange_swaps_only_on_a_match() {
    for current in BOTH {
        for expected in BOTH {
            for replacement in BOTH {
                let cell = Bool::new(current);
                let prev = cell.compare_exchange(f(expected), f(replacement));
                assert_eq!(
                    prev,
                    f(current),
                    "cas({current}, {expected}, {replacement})"
                );
                let now = if current == expected {
                    replacement
                } else {
                    current
                };
                assert_eq!(
                    cell.get(),
                    u32::from(now),
                    "cas({current}, {expected}, {replacement})"
                );
            }
        }
    }
}

#[test]
fn logical_operations_follow_their_truth_tables() {
    type Op = fn(&Bool, f64) -> f64;
    type Model = fn(bool, bool) -> bool;
    let ops: [(&str, Op, Model); 3] = [
        ("and", Bool::fetch_and, |a, b| a & b),
        ("or", Bool::fetch_or, |a, b| a | b),
        ("xor", Bool::fetch_xor, |a, b| a ^ b),
    ];
    for (name, op, model) in ops {
        for a in BOTH {
            for b in BOTH {
                let cell = Bool::new(a);
                assert_eq!(op(&cell, f(b)), f(a), "{a} {name} {b} must return {a}");
                assert_eq!(cell.get(), u32::from(model(a, b)), "{a} {name} {b}");
            }
        }
    }
}

#[test]
fn xor_with_one_flips() {
    let cell = Bool::new(false);
    for i in 0..10 {
        assert_eq!(cell.fetch_xor(1.0), f(i % 2 == 1));
    }
    assert_eq!(cell.get(), 0);
}

#[test]
fn a_foreign_non_zero_word_counts_as_true() {
    // A word the library did not write (e.g. 2, set through an Int32Array) is true everywhere.
    assert_eq!(Bool::from_word(2).load(), 1.0);
    let c = Bool::from_word(2);
    assert_eq!(c.compare_exchange(1.0, 0.0), 1.0);
    assert_eq!(c.get(), 0);
    let c = Bool::from_word(2);
    assert_eq!(c.compare_exchange(0.0, 1.0), 1.0);
    assert_eq!(c.get(), 2, "a failed exchange leaves the word alone");
    let c = Bool::from_word(2);
    assert_eq!(c.fetch_xor(1.0), 1.0);
    assert_eq!(c.load(), 0.0, "flipping a foreign true gives false");
    let c = Bool::from_word(2);
    assert_eq!(c.fetch_and(1.0), 1.0);
    assert_eq!(c.load(), 1.0, "true AND true stays true");
    assert_eq!(c.fetch_and(0.0), 1.0);
    assert_eq!(c.get(), 0);
    let c = Bool::from_word(4);
    assert_eq!(c.swap(0.0), 1.0);
}
