//! `atomicx_int_*`: the number API of `AtomicInt`. Values are safe integers carried in `f64`s; an
//! operation whose result would leave ±(2^53 − 1), and division by zero, returns NaN and stores
//! nothing. (This file and `bigint.rs`, `float.rs`, `bool.rs` share the shape of their tests;
//! each checks its own kind's edge values and encoding.)

use crate::common::{on_edge_pairs, on_random_pairs, Int, Rng, MAX_SAFE};

/// Interesting values: zero, ±1, small odd/even numbers, powers of two around 2^26/2^27 (whose
/// products cross 2^53), and the limits.
const EDGES: [i64; 20] = [
    0,
    1,
    -1,
    2,
    -2,
    3,
    -3,
    7,
    -7,
    1 << 26,
    -(1 << 26),
    1 << 27,
    -(1 << 27),
    1 << 52,
    -(1 << 52),
    MAX_SAFE - 1,
    -(MAX_SAFE - 1),
    MAX_SAFE,
    -MAX_SAFE,
    (1 << 52) + 1,
];

fn f(v: i64) -> f64 {
    v as f64
}

/// Asserts that `op` on a cell holding `before` refused (NaN) and left the value unchanged.
#[track_caller]
fn assert_refused(cell: &Int, before: i64, returned: f64) {
    assert!(returned.is_nan(), "expected NaN, got {returned}");
    assert_eq!(cell.get(), before, "a refused operation changed the value");
}

type Op = fn(&Int, f64) -> f64;
type Model = fn(i128, i128) -> Option<i128>;
/// An operation: its name, the cell method and its model.
type Case = (&'static str, Op, Model);

/// Every read-modify-write with its model over exact integers (`None`: refused whatever the range).
fn ops() -> [Case; 10] {
    [
        ("swap", Int::swap, |_, b| Some(b)),
        ("fetch_add", Int::fetch_add, |a, b| Some(a + b)),
        ("fetch_sub", Int::fetch_sub, |a, b| Some(a - b)),
        ("fetch_mul", Int::fetch_mul, |a, b| Some(a * b)),
        // i128 division truncates toward zero, as the contract asks.
        ("fetch_div", Int::fetch_div, |a, b| (b != 0).then(|| a / b)),
        ("fetch_max", Int::fetch_max, |a, b| Some(a.max(b))),
        ("fetch_min", Int::fetch_min, |a, b| Some(a.min(b))),
        ("fetch_and", Int::fetch_and, |a, b| Some(a & b)),
        ("fetch_or", Int::fetch_or, |a, b| Some(a | b)),
        ("fetch_xor", Int::fetch_xor, |a, b| Some(a ^ b)),
    ]
}

/// Runs `op` on a cell holding `a` with argument `b` and checks it against `model`.
fn check((name, op, model): Case, a: i64, b: i64) {
    let cell = Int::new(a);
    let returned = op(&cell, f(b));
    let want = model(i128::from(a), i128::from(b)).filter(|r| r.abs() <= i128::from(MAX_SAFE));
    match want {
        Some(next) => {
            assert_eq!(
                returned,
                f(a),
                "{name}({a}, {b}) must return the previous value"
            );
            assert_eq!(
                i128::from(cell.get()),
                next,
                "{name}({a}, {b}) stored the wrong value"
            );
        }
        None => {
            assert!(
                returned.is_nan(),
                "{name}({a}, {b}) must be refused, returned {returned}"
            );
            assert_eq!(
                cell.get(),
                a,
                "{name}({a}, {b}) was refused but changed the value"
            );
        }
    }
}

#[test]
fn every_operation_matches_the_model_on_edge_values() {
    on_edge_pairs(&ops(), &EDGES, check);
}

#[test]
fn every_operation_matches_the_model_on_random_values() {
    on_random_pairs(&ops(), 0xA70_1C5, Rng::safe_int, check);
}

#[test]
fn load_and_store_keep_every_safe_integer_exact() {
    let cell = Int::new(0);
    assert_eq!(cell.load(), 0.0);
    for v in EDGES {
        cell.store(f(v));
        assert_eq!(cell.get(), v);
        assert_eq!(cell.load(), f(v));
    }
    // -0 is the integer 0.
    cell.store(-0.0);
    assert_eq!(cell.get(), 0);
}

#[test]
fn swap_returns_the_previous_value() {
    let cell = Int::new(-1);
    assert_eq!(cell.swap(f(MAX_SAFE)), -1.0);
    assert_eq!(cell.swap(f(-MAX_SAFE)), f(MAX_SAFE));
    assert_eq!(cell.swap(0.0), f(-MAX_SAFE));
    assert_eq!(cell.get(), 0);
}

#[test]
fn compare_exchange_swaps_only_on_a_match() {
    let cell = Int::new(-1);
    // Mismatch: returns the current value, stores nothing.
    assert_eq!(cell.compare_exchange(0.0, 5.0), -1.0);
    assert_eq!(cell.get(), -1);
    // Match: returns the expected (= previous) value, stores the replacement.
    assert_eq!(cell.compare_exchange(-1.0, f(MAX_SAFE)), -1.0);
    assert_eq!(cell.get(), MAX_SAFE);
    assert_eq!(
        cell.compare_exchange(f(MAX_SAFE), f(-MAX_SAFE)),
        f(MAX_SAFE)
    );
    assert_eq!(cell.get(), -MAX_SAFE);
    assert_eq!(cell.compare_exchange(f(MAX_SAFE), 0.0), f(-MAX_SAFE));
    assert_eq!(cell.get(), -MAX_SAFE);
}

#[test]
fn add_and_sub_refuse_to_leave_the_safe_range() {
    let cell = Int::new(MAX_SAFE);
    assert_refused(&cell, MAX_SAFE, cell.fetch_add(1.0));
    assert_refused(&cell, MAX_SAFE, cell.fetch_add(f(MAX_SAFE)));
    assert_refused(&cell, MAX_SAFE, cell.fetch_sub(-1.0));
    assert_eq!(cell.fetch_add(-1.0), f(MAX_SAFE));
    assert_eq!(cell.fetch_add(1.0), f(MAX_SAFE - 1));
    assert_eq!(cell.get(), MAX_SAFE);

    let cell = Int::new(-MAX_SAFE);
    assert_refused(&cell, -MAX_SAFE, cell.fetch_sub(1.0));
    assert_refused(&cell, -MAX_SAFE, cell.fetch_add(-1.0));
    assert_refused(&cell, -MAX_SAFE, cell.fetch_sub(f(MAX_SAFE)));
    assert_eq!(cell.fetch_add(f(MAX_SAFE)), f(-MAX_SAFE));
    assert_eq!(cell.get(), 0);
    assert_eq!(cell.fetch_sub(f(MAX_SAFE)), 0.0);
    assert_eq!(cell.get(), -MAX_SAFE);

    let cell = Int::new(0);
    assert_eq!(cell.fetch_sub(1.0), 0.0);
    assert_eq!(cell.fetch_sub(-1.0), -1.0);
    assert_eq!(cell.fetch_add(-1.0), 0.0);
    assert_eq!(cell.get(), -1);
}

#[test]
fn mul_refuses_products_beyond_the_safe_range() {
    // 2^26 · 2^27 = 2^53: one past the limit.
    let cell = Int::new(1 << 26);
    assert_refused(&cell, 1 << 26, cell.fetch_mul(f(1 << 27)));
    assert_refused(&cell, 1 << 26, cell.fetch_mul(f(-(1 << 27))));
    // Far beyond i64 too: must not wrap into range.
    let cell = Int::new(MAX_SAFE);
    assert_refused(&cell, MAX_SAFE, cell.fetch_mul(f(MAX_SAFE)));
    assert_refused(&cell, MAX_SAFE, cell.fetch_mul(2.0));
    assert_eq!(cell.fetch_mul(-1.0), f(MAX_SAFE));
    assert_eq!(cell.get(), -MAX_SAFE);
    assert_eq!(cell.fetch_mul(-1.0), f(-MAX_SAFE));
    assert_eq!(cell.fetch_mul(0.0), f(MAX_SAFE));
    assert_eq!(cell.get(), 0);
    let cell = Int::new(-(1 << 52));
    assert_refused(&cell, -(1 << 52), cell.fetch_mul(2.0));
    assert_eq!(cell.fetch_mul(1.0), f(-(1 << 52)));
    assert_eq!(cell.get(), -(1 << 52));
}

#[test]
fn div_truncates_toward_zero() {
    for (a, b, q) in [
        (7, 2, 3),
        (-7, 2, -3),
        (7, -2, -3),
        (-7, -2, 3),
        (1, 2, 0),
        (-1, 2, 0),
        (-1, MAX_SAFE, 0),
        (MAX_SAFE, 2, (1 << 52) - 1),
        (-MAX_SAFE, 2, -((1 << 52) - 1)),
        (MAX_SAFE, -1, -MAX_SAFE),
        (-MAX_SAFE, -1, MAX_SAFE),
        (MAX_SAFE, MAX_SAFE, 1),
        (0, -5, 0),
    ] {
        let cell = Int::new(a);
        assert_eq!(cell.fetch_div(f(b)), f(a), "{a} / {b}");
        assert_eq!(cell.get(), q, "{a} / {b}");
    }
}

#[test]
fn div_by_zero_is_refused() {
    for a in [0, 1, -1, MAX_SAFE, -MAX_SAFE] {
        let cell = Int::new(a);
        assert_refused(&cell, a, cell.fetch_div(0.0));
        assert_refused(&cell, a, cell.fetch_div(-0.0));
    }
}

#[test]
fn max_and_min_return_the_previous_value() {
    let cell = Int::new(0);
    assert_eq!(cell.fetch_max(-1.0), 0.0);
    assert_eq!(cell.get(), 0);
    assert_eq!(cell.fetch_max(f(MAX_SAFE)), 0.0);
    assert_eq!(cell.get(), MAX_SAFE);
    assert_eq!(cell.fetch_min(f(-MAX_SAFE)), f(MAX_SAFE));
    assert_eq!(cell.get(), -MAX_SAFE);
    assert_eq!(cell.fetch_min(-1.0), f(-MAX_SAFE));
    assert_eq!(cell.fetch_max(-1.0), f(-MAX_SAFE));
    assert_eq!(cell.get(), -1);
}

#[test]
fn bitwise_operations_act_on_twos_complement() {
    let cell = Int::new(-1);
    assert_eq!(cell.fetch_and(f(MAX_SAFE)), -1.0);
    assert_eq!(cell.get(), MAX_SAFE);
    assert_eq!(cell.fetch_or(f(-MAX_SAFE)), f(MAX_SAFE));
    assert_eq!(cell.get(), -1); // 0x001F…FF | 0xFFE0…01
    assert_eq!(cell.fetch_xor(-1.0), -1.0);
    assert_eq!(cell.get(), 0);
    assert_eq!(cell.fetch_or(-1.0), 0.0);
    assert_eq!(cell.get(), -1);
    assert_eq!(cell.fetch_and(0.0), -1.0);
    assert_eq!(cell.get(), 0);

    let cell = Int::new(MAX_SAFE);
    assert_eq!(cell.fetch_xor(f(-MAX_SAFE)), f(MAX_SAFE));
    assert_eq!(cell.get(), -2); // 0x001F…FF ^ 0xFFE0…01 = 0xFF…FE
}

#[test]
fn bitwise_results_of_minus_two_to_the_53_are_refused() {
    // -(2^53 - 1) is 0xFFE0_0000_0000_0001; clearing its low bit gives -2^53.
    let cell = Int::new(-MAX_SAFE);
    assert_refused(&cell, -MAX_SAFE, cell.fetch_and(-2.0));
    assert_refused(&cell, -MAX_SAFE, cell.fetch_xor(1.0));
    assert_eq!(cell.fetch_and(-1.0), f(-MAX_SAFE));
    assert_eq!(cell.get(), -MAX_SAFE);
    // !x = -x - 1, so -1 ^ (2^53 - 1) = -2^53.
    let cell = Int::new(-1);
    assert_refused(&cell, -1, cell.fetch_xor(f(MAX_SAFE)));
    // OR of two safe integers never reaches -2^53: it only sets bits.
    let cell = Int::new(-MAX_SAFE);
    assert_eq!(cell.fetch_or(f(-MAX_SAFE + 1)), f(-MAX_SAFE));
    assert_eq!(cell.get(), -MAX_SAFE + 2); // 0xFFE0…01 | 0xFFE0…02
}

#[test]
fn a_refused_operation_never_returns_a_number() {
    // The caller tells failure from success by `is_nan()`; a refused call must never look like a
    // previous value, and a successful one never like a refusal.
    let cell = Int::new(MAX_SAFE);
    for _ in 0..3 {
        assert!(cell.fetch_add(1.0).is_nan());
        assert!(!cell.fetch_add(0.0).is_nan());
    }
    assert_eq!(cell.load(), f(MAX_SAFE));
}
