//! The named codes of `ffi/_codes.ts` against the Rust constants they mirror: every status, bigint
//! status, wait result, kind and open flag has the same value on both sides, and neither side has
//! a name the other lacks.

use atomicx::shm::{kind, open_flags, status};
use atomicx::{bigint, wait};
use std::collections::BTreeMap;

/// The `NAME: value` entries of `export const <object> = { ... }` in `ffi/_codes.ts`.
fn ts_object(object: &str) -> BTreeMap<String, f64> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ffi/_codes.ts");
    let source = std::fs::read_to_string(path).expect("ffi/_codes.ts is readable");
    let start = format!("export const {object} = {{");
    let body = source
        .split_once(&start)
        .unwrap_or_else(|| panic!("ffi/_codes.ts has no `{start}`"))
        .1
        .split_once('}')
        .expect("the object ends")
        .0;
    body.lines()
        .filter_map(|line| line.trim().trim_end_matches(',').split_once(':'))
        .map(|(name, value)| {
            let value: f64 = value.trim().parse().expect("a numeric code");
            (name.trim().to_string(), value)
        })
        .collect()
}

fn rust(entries: &[(&str, f64)]) -> BTreeMap<String, f64> {
    entries.iter().map(|&(n, v)| (n.to_string(), v)).collect()
}

#[test]
fn status_codes_match() {
    let expected = rust(&[
        ("OK", status::OK),
        ("UNSUPPORTED", status::UNSUPPORTED),
        ("INVALID_NAME", status::INVALID_NAME),
        ("EXISTS", status::EXISTS),
        ("NOT_FOUND", status::NOT_FOUND),
        ("NOT_ATOMICX", status::NOT_ATOMICX),
        ("LAYOUT_VERSION", status::LAYOUT_VERSION),
        ("NOT_INITIALISED", status::NOT_INITIALISED),
        ("KIND_MISMATCH", status::KIND_MISMATCH),
        ("FULL", status::FULL),
        ("INVALID_ARGUMENT", status::INVALID_ARGUMENT),
        ("CLOSED", status::CLOSED),
        ("FOREIGN_OWNER", status::FOREIGN_OWNER),
        ("NOT_REGULAR_FILE", status::NOT_REGULAR_FILE),
        ("CLAIM_STUCK", status::CLAIM_STUCK),
        ("TOO_SHORT", status::TOO_SHORT),
        ("LENGTH_MISMATCH", status::LENGTH_MISMATCH),
        ("OS_BASE", status::OS_BASE),
    ]);
    assert_eq!(ts_object("Status"), expected);
}

#[test]
fn wait_codes_match() {
    let expected = rust(&[
        ("OK", wait::OK),
        ("NOT_EQUAL", wait::NOT_EQUAL),
        ("TIMED_OUT", wait::TIMED_OUT),
        ("CLOSED", wait::CLOSED),
        ("FAILED", wait::FAILED),
    ]);
    assert_eq!(ts_object("WaitCode"), expected);
}

#[test]
fn bigint_status_codes_match() {
    let expected = rust(&[
        ("OK", bigint::OK),
        ("DIVISION_BY_ZERO", bigint::DIVISION_BY_ZERO),
    ]);
    assert_eq!(ts_object("BigIntStatus"), expected);
}

#[test]
fn kind_codes_match() {
    let expected = rust(&[
        ("int", kind::INT),
        ("bigint", kind::BIGINT),
        ("bool", kind::BOOL),
        ("float", kind::FLOAT),
        ("mutex", kind::MUTEX),
        ("rwlock", kind::RWLOCK),
        ("semaphore", kind::SEMAPHORE),
        ("condition", kind::CONDITION),
        ("barrier", kind::BARRIER),
        ("latch", kind::LATCH),
        ("once", kind::ONCE),
        ("intArray", kind::INT_ARRAY),
        ("bigintArray", kind::BIGINT_ARRAY),
        ("boolArray", kind::BOOL_ARRAY),
        ("floatArray", kind::FLOAT_ARRAY),
        ("counter", kind::COUNTER),
        ("floatCounter", kind::FLOAT_COUNTER),
        ("word", kind::WORD),
    ]);
    assert_eq!(ts_object("Kind"), expected);
}

#[test]
fn open_flags_match() {
    let expected = rust(&[("ALLOW_FOREIGN_OWNER", open_flags::ALLOW_FOREIGN_OWNER)]);
    assert_eq!(ts_object("OpenFlag"), expected);
}
