//! `atomicx_float_*`: `AtomicFloat`, an IEEE-754 binary64 stored as bits. Every NaN is stored as the
//! canonical `f64::NAN`; `compare_exchange` compares bits (+0 and −0 differ, NaN matches NaN);
//! `fetch_max`/`fetch_min` follow `f64::max`/`f64::min`; division by ±0 returns NaN and stores
//! nothing.

use crate::common::{on_edge_pairs, stored_bits, Float, CANONICAL_NAN};

const INF: f64 = f64::INFINITY;
const NEG_INF: f64 = f64::NEG_INFINITY;

/// A quiet NaN with a payload, and a negative one: both must be stored as `CANONICAL_NAN`.
fn payload_nan() -> f64 {
    f64::from_bits(0x7ff8_0000_0000_0001)
}

fn negative_nan() -> f64 {
    f64::from_bits(0xfff8_0000_0000_0000)
}

fn edges() -> [f64; 17] {
    [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -1.5,
        3.0,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        5e-324, // the smallest subnormal
        -5e-324,
        INF,
        NEG_INF,
        f64::NAN,
        payload_nan(),
        negative_nan(),
    ]
}

/// Asserts the exact bits of `actual`, with readable values on failure.
#[track_caller]
fn assert_bits(actual: f64, expected_bits: u64, what: &str) {
    assert_eq!(
        actual.to_bits(),
        expected_bits,
        "{what}: got {actual:?} ({:#018x}), want {:?} ({expected_bits:#018x})",
        actual.to_bits(),
        f64::from_bits(expected_bits),
    );
}

/// A cell holding `v` the way the library stores it.
fn cell(v: f64) -> Float {
    let c = Float::new(0.0);
    c.store(v);
    c
}

type Op = fn(&Float, f64) -> f64;
type Model = fn(f64, f64) -> Option<f64>;

/// Every read-modify-write with its model (`None`: refused, nothing stored).
fn ops() -> [(&'static str, Op, Model); 7] {
    [
        ("swap", Float::swap, |_, b| Some(b)),
        ("fetch_add", Float::fetch_add, |a, b| Some(a + b)),
        ("fetch_sub", Float::fetch_sub, |a, b| Some(a - b)),
        ("fetch_mul", Float::fetch_mul, |a, b| Some(a * b)),
        ("fetch_div", Float::fetch_div, |a, b| {
            (b != 0.0).then(|| a / b)
        }),
        ("fetch_max", Float::fetch_max, |a, b| Some(a.max(b))),
        ("fetch_min", Float::fetch_min, |a, b| Some(a.min(b))),
    ]
}

#[test]
fn every_operation_matches_the_model_on_edge_values() {
    on_edge_pairs(&ops(), &edges(), |(name, op, model), a, b| {
        let what = format!(
            "{name}({a:?} [{:#x}], {b:?} [{:#x}])",
            a.to_bits(),
            b.to_bits()
        );
        let c = cell(a);
        let returned = op(&c, b);
        match model(a, b) {
            None => {
                assert!(returned.is_nan(), "{what} must return NaN");
                assert_bits(c.get(), stored_bits(a), &what);
            }
            Some(next) => {
                assert_bits(returned, stored_bits(a), &format!("{what} previous"));
                // f64::max/min may return either zero for (+0, -0): only the value is fixed.
                if name.starts_with("fetch_m") && a == 0.0 && b == 0.0 {
                    assert_eq!(c.get(), 0.0, "{what}");
                } else {
                    assert_bits(c.get(), stored_bits(next), &what);
                }
            }
        }
    });
}

#[test]
fn load_and_store_keep_bits_except_nan_payloads() {
    let c = Float::new(0.0);
    assert_bits(c.load(), 0, "initial");
    for v in edges() {
        c.store(v);
        assert_bits(c.get(), stored_bits(v), "store");
        assert_bits(c.load(), stored_bits(v), "load");
    }
    // A signalling NaN too.
    c.store(f64::from_bits(0x7ff0_0000_0000_0001));
    assert_eq!(c.bits(), CANONICAL_NAN);
}

#[test]
fn swap_returns_the_previous_bits_and_stores_canonical_nan() {
    let c = Float::new(-0.0);
    assert_bits(c.swap(payload_nan()), (-0.0f64).to_bits(), "swap from -0");
    assert_eq!(c.bits(), CANONICAL_NAN);
    assert_bits(c.swap(NEG_INF), CANONICAL_NAN, "swap from NaN");
    assert_bits(c.swap(5e-324), NEG_INF.to_bits(), "swap from -inf");
    assert_eq!(c.get(), 5e-324);
}

#[test]
fn compare_exchange_compares_bits() {
    // +0 and -0 are equal numbers but different bits.
    let c = Float::new(-0.0);
    let (ok, prev) = c.compare_exchange(0.0, 1.0);
    assert_eq!(ok, 0.0);
    assert_bits(prev, (-0.0f64).to_bits(), "previous");
    assert_bits(c.get(), (-0.0f64).to_bits(), "unchanged");
    let (ok, prev) = c.compare_exchange(-0.0, 1.0);
    assert_eq!(ok, 1.0);
    assert_bits(prev, (-0.0f64).to_bits(), "previous");
    assert_eq!(c.get(), 1.0);

    let c = Float::new(0.0);
    let (ok, prev) = c.compare_exchange(-0.0, 1.0);
    assert_eq!(ok, 0.0);
    assert_bits(prev, 0, "previous");
    assert_eq!(c.bits(), 0);

    // Ordinary values, infinities, subnormals.
    for v in [1.0, -1.5, INF, NEG_INF, 5e-324, f64::MAX] {
        let c = Float::new(v);
        let (ok, prev) = c.compare_exchange(v, 2.0);
        assert_eq!((ok, prev), (1.0, v));
        assert_eq!(c.get(), 2.0);
        let (ok, prev) = c.compare_exchange(v, 3.0);
        assert_eq!((ok, prev), (0.0, 2.0));
        assert_eq!(c.get(), 2.0);
    }
}

#[test]
fn compare_exchange_matches_a_stored_nan_with_any_nan() {
    // An `update` loop reads NaN back (its payload may be canonicalised by the engine) and passes it
    // as `expected`; that must match, or the loop would never end.
    for expected in [f64::NAN, payload_nan(), negative_nan()] {
        let c = cell(f64::NAN);
        let (ok, prev) = c.compare_exchange(expected, 1.0);
        assert_eq!(ok, 1.0, "expected {:#x}", expected.to_bits());
        assert_bits(prev, CANONICAL_NAN, "previous");
        assert_eq!(c.get(), 1.0);
    }
    // A NaN replacement is stored canonical.
    let c = Float::new(1.0);
    let (ok, prev) = c.compare_exchange(1.0, negative_nan());
    assert_eq!((ok, prev), (1.0, 1.0));
    assert_eq!(c.bits(), CANONICAL_NAN);
    // NaN does not match a number.
    let c = Float::new(1.0);
    let (ok, prev) = c.compare_exchange(f64::NAN, 2.0);
    assert_eq!((ok, prev), (0.0, 1.0));
    assert_eq!(c.get(), 1.0);
}

#[test]
fn arithmetic_nan_results_are_stored_canonical() {
    let cases: [(f64, Op, f64); 9] = [
        (INF, Float::fetch_sub, INF),
        (INF, Float::fetch_add, NEG_INF),
        (0.0, Float::fetch_mul, INF),
        (NEG_INF, Float::fetch_mul, -0.0),
        (INF, Float::fetch_div, NEG_INF),
        (1.0, Float::fetch_add, negative_nan()),
        (1.0, Float::fetch_mul, payload_nan()),
        (1.0, Float::fetch_div, negative_nan()),
        (f64::NAN, Float::fetch_sub, 1.0),
    ];
    for (i, (a, op, b)) in cases.into_iter().enumerate() {
        let c = cell(a);
        assert_bits(op(&c, b), stored_bits(a), &format!("case {i} previous"));
        assert_bits(c.get(), CANONICAL_NAN, &format!("case {i} stored"));
    }
}

#[test]
fn arithmetic_on_a_foreign_nan_returns_it_and_stores_canonical() {
    // Memory written by someone else may hold any NaN; the library reports the bits it found.
    let c = Float::from_bits(negative_nan().to_bits());
    assert_bits(c.load(), negative_nan().to_bits(), "load");
    assert_bits(c.fetch_add(1.0), negative_nan().to_bits(), "previous");
    assert_eq!(c.bits(), CANONICAL_NAN);
}

#[test]
fn compare_exchange_matches_a_foreign_nan() {
    // Memory the library did not write (a SharedArrayBuffer filled through a DataView, a region
    // another process wrote) may hold a NaN with a payload. `load` returns those bits, and passing
    // the NaN back as `expected` must match them, or a JavaScript `update` loop over such a value
    // would never end. The contract says a NaN can match.
    for foreign in [payload_nan(), negative_nan()] {
        let c = Float::new(foreign);
        let current = c.load();
        let (ok, prev) = c.compare_exchange(current, 1.0);
        assert_eq!(
            ok,
            1.0,
            "a stored NaN {:#x} must match NaN",
            foreign.to_bits()
        );
        assert!(prev.is_nan());
        assert_eq!(c.get(), 1.0);
    }
}

#[test]
fn signed_zeros_and_overflow_follow_ieee() {
    let c = Float::new(-0.0);
    c.fetch_add(-0.0);
    assert_bits(c.get(), (-0.0f64).to_bits(), "-0 + -0");
    c.fetch_add(0.0);
    assert_bits(c.get(), 0, "-0 + +0");
    c.fetch_sub(0.0);
    assert_bits(c.get(), 0, "+0 - +0");
    c.fetch_mul(-1.0);
    assert_bits(c.get(), (-0.0f64).to_bits(), "+0 * -1");
    c.fetch_sub(0.0);
    assert_bits(c.get(), (-0.0f64).to_bits(), "-0 - +0");

    let c = Float::new(f64::MAX);
    assert_eq!(c.fetch_add(f64::MAX), f64::MAX);
    assert_eq!(c.get(), INF);
    let c = Float::new(0.1);
    assert_eq!(c.fetch_add(0.2), 0.1);
    assert_eq!(c.get(), 0.1 + 0.2);
    assert_eq!(c.fetch_sub(0.2), 0.1 + 0.2);
    assert_eq!(c.get(), 0.1 + 0.2 - 0.2);
}

#[test]
fn div_by_either_zero_returns_nan_and_stores_nothing() {
    for a in [1.0, -1.0, 0.0, -0.0, INF, NEG_INF, 5e-324, f64::NAN] {
        for zero in [0.0, -0.0] {
            let c = cell(a);
            let before = c.bits();
            assert!(c.fetch_div(zero).is_nan(), "{a:?} / {zero:?}");
            assert_eq!(c.bits(), before, "{a:?} / {zero:?} changed the value");
        }
    }
}

#[test]
fn div_follows_ieee_otherwise() {
    for (a, b, q) in [
        (1.0, 3.0, 1.0 / 3.0),
        (1.0, INF, 0.0),
        (-1.0, INF, -0.0),
        (1.0, NEG_INF, -0.0),
        (-0.0, 2.0, -0.0),
        (INF, -2.0, NEG_INF),
        (5e-324, 2.0, 0.0),
        (f64::MAX, 0.5, INF),
    ] {
        let c = Float::new(a);
        assert_eq!(c.fetch_div(b), a);
        assert_bits(c.get(), q.to_bits(), &format!("{a:?} / {b:?}"));
    }
}

#[test]
fn max_and_min_ignore_a_nan_operand() {
    let c = Float::new(1.0);
    assert_eq!(c.fetch_max(f64::NAN), 1.0);
    assert_eq!(c.get(), 1.0);
    assert_eq!(c.fetch_min(payload_nan()), 1.0);
    assert_eq!(c.get(), 1.0);

    // A stored NaN is replaced by a number.
    let c = cell(f64::NAN);
    assert!(c.fetch_max(-2.0).is_nan());
    assert_eq!(c.get(), -2.0);
    c.store(f64::NAN);
    assert!(c.fetch_min(NEG_INF).is_nan());
    assert_eq!(c.get(), NEG_INF);

    // NaN with NaN stays the canonical NaN.
    c.store(f64::NAN);
    c.fetch_max(negative_nan());
    assert_eq!(c.bits(), CANONICAL_NAN);
    c.fetch_min(payload_nan());
    assert_eq!(c.bits(), CANONICAL_NAN);
}

#[test]
fn max_and_min_order_infinities_and_subnormals() {
    let c = Float::new(NEG_INF);
    assert_eq!(c.fetch_max(-f64::MAX), NEG_INF);
    assert_eq!(c.fetch_max(5e-324), -f64::MAX);
    assert_eq!(c.fetch_max(0.0), 5e-324);
    assert_eq!(c.get(), 5e-324);
    assert_eq!(c.fetch_max(INF), 5e-324);
    assert_eq!(c.fetch_min(f64::MAX), INF);
    assert_eq!(c.fetch_min(-5e-324), f64::MAX);
    assert_eq!(c.get(), -5e-324);
    assert_eq!(c.fetch_min(NEG_INF), -5e-324);
    assert_eq!(c.get(), NEG_INF);
}
