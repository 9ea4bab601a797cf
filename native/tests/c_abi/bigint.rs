//! `atomicx_bigint_*`: `AtomicBigInt`, the whole signed 64-bit range with wrapping arithmetic.
//! Arguments travel in io words 0 and 1, the result in word 2; the return value is a status.

use crate::common::{on_edge_pairs, on_random_pairs, BigInt, Out, Rng, Status};

const MIN: i64 = i64::MIN;
const MAX: i64 = i64::MAX;

const EDGES: [i64; 18] = [
    0,
    1,
    -1,
    2,
    -2,
    7,
    -7,
    1 << 32,
    -(1 << 32),
    1 << 53,
    -(1 << 53),
    (1 << 53) + 1,
    MAX,
    MAX - 1,
    MIN,
    MIN + 1,
    0x5555_5555_5555_5555,
    -0x5555_5555_5555_5556,
];

/// Asserts a successful read-modify-write that returned `prev` and left `now` stored.
#[track_caller]
fn assert_ok(cell: &BigInt, out: Out, prev: i64, now: i64) {
    assert_eq!(out.status, Status::OK);
    assert_eq!(out.result(), prev, "word 2 must hold the previous value");
    assert_eq!(cell.get(), now);
}

type Op = fn(&BigInt, i64) -> Out;
type Model = fn(i64, i64) -> Option<i64>;
/// An operation: its name, the cell method and its model.
type Case = (&'static str, Op, Model);

/// Every one-argument read-modify-write with its model (`None`: division by zero).
fn ops() -> [Case; 10] {
    [
        ("swap", BigInt::swap, |_, b| Some(b)),
        ("fetch_add", BigInt::fetch_add, |a, b| {
            Some(a.wrapping_add(b))
        }),
        ("fetch_sub", BigInt::fetch_sub, |a, b| {
            Some(a.wrapping_sub(b))
        }),
        ("fetch_mul", BigInt::fetch_mul, |a, b| {
            Some(a.wrapping_mul(b))
        }),
        ("fetch_div", BigInt::fetch_div, |a, b| {
            // Through i128: truncation toward zero, then two's-complement wrapping (MIN / -1).
            (b != 0).then(|| (i128::from(a) / i128::from(b)) as i64)
        }),
        ("fetch_max", BigInt::fetch_max, |a, b| Some(a.max(b))),
        ("fetch_min", BigInt::fetch_min, |a, b| Some(a.min(b))),
        ("fetch_and", BigInt::fetch_and, |a, b| Some(a & b)),
        ("fetch_or", BigInt::fetch_or, |a, b| Some(a | b)),
        ("fetch_xor", BigInt::fetch_xor, |a, b| Some(a ^ b)),
    ]
}

fn check((name, op, model): Case, a: i64, b: i64) {
    let cell = BigInt::new(a);
    let out = op(&cell, b);
    assert_eq!(
        out.words[0], b,
        "{name}({a}, {b}) clobbered its argument word"
    );
    match model(a, b) {
        Some(next) => {
            assert_eq!(out.status, Status::OK, "{name}({a}, {b})");
            assert_eq!(
                out.result(),
                a,
                "{name}({a}, {b}) must return the previous value"
            );
            assert_eq!(cell.get(), next, "{name}({a}, {b}) stored the wrong value");
        }
        None => {
            assert_eq!(out.status, Status::DIVISION_BY_ZERO, "{name}({a}, {b})");
            assert_eq!(
                cell.get(),
                a,
                "{name}({a}, {b}) failed but changed the value"
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
    on_random_pairs(&ops(), 0xB16_1A7, Rng::any_i64, check);
}

#[test]
fn load_and_store_cover_the_whole_range() {
    let cell = BigInt::new(0);
    let out = cell.load();
    assert_eq!((out.status, out.result()), (Status::OK, 0));
    for v in EDGES {
        assert_eq!(cell.store(v).status, Status::OK);
        assert_eq!(cell.get(), v);
        let out = cell.load();
        assert_eq!((out.status, out.result()), (Status::OK, v));
    }
}

#[test]
fn swap_returns_the_previous_value() {
    let cell = BigInt::new(MIN);
    assert_ok(&cell, cell.swap(MAX), MIN, MAX);
    assert_ok(&cell, cell.swap(-1), MAX, -1);
    assert_ok(&cell, cell.swap(0), -1, 0);
}

#[test]
fn compare_exchange_reports_whether_it_exchanged() {
    let cell = BigInt::new(MIN);
    let out = cell.compare_exchange(MAX, 0);
    assert_eq!((out.status, out.result()), (Status::NOT_EXCHANGED, MIN));
    assert_eq!(cell.get(), MIN);
    let out = cell.compare_exchange(MIN, MAX);
    assert_eq!((out.status, out.result()), (Status::EXCHANGED, MIN));
    assert_eq!(cell.get(), MAX);
    let out = cell.compare_exchange(MAX, -1);
    assert_eq!((out.status, out.result()), (Status::EXCHANGED, MAX));
    assert_eq!(cell.get(), -1);
    let out = cell.compare_exchange(1, 0);
    assert_eq!((out.status, out.result()), (Status::NOT_EXCHANGED, -1));
    assert_eq!(cell.get(), -1);
    // Arguments are read, not written.
    assert_eq!(out.words[..2], [1, 0]);
}

#[test]
fn add_sub_and_mul_wrap_in_twos_complement() {
    let cell = BigInt::new(MAX);
    assert_ok(&cell, cell.fetch_add(1), MAX, MIN);
    assert_ok(&cell, cell.fetch_sub(1), MIN, MAX);
    assert_ok(&cell, cell.fetch_add(MAX), MAX, -2);
    assert_ok(&cell, cell.fetch_sub(MIN), -2, MAX - 1);
    cell.store(MIN);
    assert_ok(&cell, cell.fetch_add(MIN), MIN, 0);
    cell.store(MAX);
    assert_ok(&cell, cell.fetch_mul(2), MAX, -2);
    cell.store(MIN);
    assert_ok(&cell, cell.fetch_mul(-1), MIN, MIN);
    assert_ok(&cell, cell.fetch_mul(2), MIN, 0);
    cell.store(1 << 32);
    assert_ok(&cell, cell.fetch_mul(1 << 32), 1 << 32, 0);
    cell.store(-1);
    assert_ok(&cell, cell.fetch_mul(MIN), -1, MIN);
}

#[test]
fn div_truncates_toward_zero_and_min_over_minus_one_wraps() {
    for (a, b, q) in [
        (7, 2, 3),
        (-7, 2, -3),
        (7, -2, -3),
        (-7, -2, 3),
        (MIN, -1, MIN),
        (MIN, 1, MIN),
        (MIN, 2, MIN / 2),
        (MIN, MAX, -1),
        (MAX, MIN, 0),
        (MAX, -1, -MAX),
        (-1, MIN, 0),
        (MIN, MIN, 1),
    ] {
        let cell = BigInt::new(a);
        assert_ok(&cell, cell.fetch_div(b), a, q);
    }
}

#[test]
fn div_by_zero_returns_status_1_and_stores_nothing() {
    for a in [0, 1, -1, MIN, MAX] {
        let cell = BigInt::new(a);
        let out = cell.fetch_div(0);
        assert_eq!(out.status, Status::DIVISION_BY_ZERO);
        assert_eq!(cell.get(), a);
        let out = cell.load();
        assert_eq!((out.status, out.result()), (Status::OK, a));
    }
}

#[test]
fn max_and_min_compare_signed() {
    let cell = BigInt::new(0);
    assert_ok(&cell, cell.fetch_max(MIN), 0, 0);
    assert_ok(&cell, cell.fetch_max(MAX), 0, MAX);
    assert_ok(&cell, cell.fetch_min(-1), MAX, -1);
    assert_ok(&cell, cell.fetch_min(MIN), -1, MIN);
    assert_ok(&cell, cell.fetch_min(MAX), MIN, MIN);
}

#[test]
fn bitwise_operations_act_on_all_64_bits() {
    let cell = BigInt::new(-1);
    assert_ok(&cell, cell.fetch_and(MIN), -1, MIN);
    assert_ok(&cell, cell.fetch_or(MAX), MIN, -1);
    assert_ok(&cell, cell.fetch_xor(MIN), -1, MAX);
    assert_ok(&cell, cell.fetch_xor(-1), MAX, MIN);
    assert_ok(&cell, cell.fetch_and(0), MIN, 0);
}
