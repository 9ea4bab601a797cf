//! Blocking until an atomic changes, and waking the blocked: the `wait`/`notify` of `AtomicInt`,
//! `AtomicBool` and the lock primitives' 32-bit words, on a futex at the atomic's own address.
//!
//! The futex is the shared (not process-private) kind, so a waiter in one process is woken by a
//! `notify` in any process that maps the same region; for an atomic in a `SharedArrayBuffer` the
//! same call works between Workers. A 64-bit integer waits on the 32-bit word holding its low half
//! (little-endian: the first word) and compares the whole value before sleeping and after every
//! interruption.
//!
//! Results (`f64`): [`OK`] woken, [`NOT_EQUAL`] the value was not the expected one, [`TIMED_OUT`],
//! [`CLOSED`] the region was closed while waiting, or the `shm::status` of a failure
//! ([`crate::shm::status::UNSUPPORTED`] on systems without futexes).

use crate::addr::at;
use crate::shm::{self, region_at, status, word_ptr, Region};
use crate::sys::{self, Error};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// Woken by a notify.
pub const OK: f64 = 0.0;
/// The value differed from the expected one.
pub const NOT_EQUAL: f64 = 1.0;
/// The timeout passed.
pub const TIMED_OUT: f64 = 2.0;
/// The region was closed while waiting.
pub const CLOSED: f64 = 3.0;
/// Status offset for failures (`FAILED + shm status`), so they never collide with the results above.
pub const FAILED: f64 = 100.0;

/// The longest single sleep of a wait on a region: the waiter looks at the region's closed flag
/// at least this often, so that closing a region lets go of its mapping promptly even while an
/// asynchronous waiter is pending.
pub const SLICE: Duration = Duration::from_millis(50);

/// The deadline of a wait of `timeout_ms` milliseconds; `None` (forever) for a negative or
/// infinite timeout.
fn deadline(timeout_ms: f64) -> Option<Instant> {
    if timeout_ms.is_finite() && timeout_ms >= 0.0 {
        Some(Instant::now() + Duration::from_secs_f64(timeout_ms.min(1e15) / 1000.0))
    } else {
        None
    }
}

/// Waits on the futex word at `word` while `current()` says the value is still the expected one
/// (returning the word to wait for).
///
/// `started_equal`: the caller already saw the expected value when the wait was requested (an
/// asynchronous wait, which reaches this thread a little later). A value that differs by the time
/// this thread looks has then changed *during* the wait, which counts as woken, not "not-equal".
fn wait_on(
    word: *const u32,
    current: impl Fn() -> Option<u32>,
    timeout_ms: f64,
    region: Option<&Region>,
    started_equal: bool,
) -> f64 {
    let changed = if started_equal { OK } else { NOT_EQUAL };
    let mut low = match current() {
        Some(low) => low,
        None => return changed,
    };
    let deadline = deadline(timeout_ms);
    loop {
        if region.map_or(false, Region::is_closed) {
            return CLOSED;
        }
        let remaining = match deadline {
            None => None,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return TIMED_OUT;
                }
                Some(left)
            }
        };
        // On a region, sleep in slices so that a close is noticed within one slice.
        let sleep = match (region, remaining) {
            (Some(_), Some(left)) => Some(left.min(SLICE)),
            (Some(_), None) => Some(SLICE),
            (None, left) => left,
        };
        match sys::futex_wait(word, low, sleep) {
            Ok(()) if region.map_or(false, Region::is_closed) => return CLOSED,
            Ok(()) => return OK,
            // A slice ended: check the closed flag and the deadline, then sleep again.
            Err(Error::Os(sys::ETIMEDOUT)) if sleep != remaining => match current() {
                Some(w) => low = w,
                None => return OK,
            },
            Err(Error::Os(sys::ETIMEDOUT)) => return TIMED_OUT,
            // The word changed before the kernel queued us: compare the whole value again.
            Err(Error::Os(sys::EAGAIN)) => match current() {
                Some(w) => low = w,
                None => return changed,
            },
            // A signal: a value that changed meanwhile counts as woken, else wait again.
            Err(Error::Os(sys::EINTR)) => match current() {
                Some(w) => low = w,
                None => return OK,
            },
            Err(e) => return FAILED + shm::os_status(e),
        }
    }
}

/// [`wait_on`] the futex `word`, then gives up the region reference if `release` says the caller
/// handed one over (a non-zero `release` also marks the wait asynchronous: `started_equal`).
///
/// # Safety
///
/// `region` is 0 or a region handle the caller holds a reference to (given up when `release` is
/// non-zero); `word` stays valid for the whole wait (that reference or the caller guarantees it).
unsafe fn wait_then_release(
    word: *const u32,
    current: impl Fn() -> Option<u32>,
    timeout_ms: f64,
    region: f64,
    release: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let r = unsafe { region_at(region) };
    let result = wait_on(word, current, timeout_ms, r, release != 0.0);
    if release != 0.0 {
        if let Some(r) = r {
            // SAFETY: the caller handed over one reference.
            unsafe { shm::release(r) };
        }
    }
    result
}

/// Waits while the 32-bit word at `addr` `matches` (the wait of `atomicx_bool_wait` and
/// `atomicx_word_wait`, which differ only in what counts as the expected value).
///
/// # Safety
///
/// `addr` is the address of a live, 4-byte aligned `u32` for the whole wait; `region` as in
/// `atomicx_int_wait`.
unsafe fn wait_u32(
    addr: f64,
    timeout_ms: f64,
    region: f64,
    release: f64,
    matches: impl Fn(u32) -> bool,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let cell: &AtomicU32 = unsafe { at(addr) };
    let current = || {
        let w = cell.load(SeqCst);
        matches(w).then_some(w)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { wait_then_release(word_ptr(cell), current, timeout_ms, region, release) }
}

/// Waits while the `AtomicInt` at `addr` holds `expected`, at most `timeout_ms` milliseconds
/// (negative or infinite: forever). `region` is 0 for memory the caller keeps alive (a
/// SharedArrayBuffer), else the region holding `addr`. A non-zero `release` marks an asynchronous
/// wait: it gives up one reference to the region when the wait ends (the caller retained one),
/// and, since the caller checked the value when it asked, a value that has changed by the time
/// this thread looks counts as woken ([`OK`]) rather than [`NOT_EQUAL`].
///
/// # Safety
///
/// `addr` is the address of a live, 8-byte aligned `i64` for the whole wait (a region reference
/// or the caller guarantees it); `region` as in the description.
#[no_mangle]
pub unsafe extern "C" fn atomicx_int_wait(
    addr: f64,
    expected: f64,
    timeout_ms: f64,
    region: f64,
    release: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let cell: &AtomicI64 = unsafe { at(addr) };
    let expected = expected as i64;
    let current = || {
        let v = cell.load(SeqCst);
        (v == expected).then_some(v as u32)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe {
        wait_then_release(
            cell as *const AtomicI64 as *const u32,
            current,
            timeout_ms,
            region,
            release,
        )
    }
}

/// Waits while the `AtomicBool` at `addr` holds `expected` (0 or 1); as `atomicx_int_wait`.
///
/// # Safety
///
/// `addr` is the address of a live, 4-byte aligned `u32` for the whole wait; `region` as in
/// `atomicx_int_wait`.
#[no_mangle]
pub unsafe extern "C" fn atomicx_bool_wait(
    addr: f64,
    expected: f64,
    timeout_ms: f64,
    region: f64,
    release: f64,
) -> f64 {
    let expected = expected != 0.0;
    // SAFETY: forwarded from this function's contract.
    unsafe { wait_u32(addr, timeout_ms, region, release, |w| (w != 0) == expected) }
}

/// Waits while the 32-bit word at `addr` holds exactly `expected` (an `i32`), as
/// `atomicx_bool_wait` otherwise: the wait of the lock protocols in `src/locks/`.
///
/// # Safety
///
/// `addr` is the address of a live, 4-byte aligned `i32` for the whole wait; `region` as in
/// `atomicx_int_wait`.
#[no_mangle]
pub unsafe extern "C" fn atomicx_word_wait(
    addr: f64,
    expected: f64,
    timeout_ms: f64,
    region: f64,
    release: f64,
) -> f64 {
    let expected = expected as i64 as i32 as u32;
    // SAFETY: forwarded from this function's contract.
    unsafe { wait_u32(addr, timeout_ms, region, release, |w| w == expected) }
}

/// Wakes up to `count` waiters (any number ≥ 2^31 − 1, such as Infinity, wakes all) on the atomic
/// at `addr`, in every process; returns how many were woken, or −1 where futexes are not supported.
///
/// # Safety
///
/// None beyond passing the address of an atomic: the kernel uses it only as a key.
#[no_mangle]
pub unsafe extern "C" fn atomicx_wake(addr: f64, count: f64) -> f64 {
    let count = if count >= f64::from(i32::MAX) {
        i32::MAX
    } else {
        count.max(0.0) as i32
    };
    match sys::futex_wake(addr as usize as *const u32, count) {
        Ok(n) => f64::from(n),
        Err(_) => -1.0,
    }
}

/// Creates a pipe for `atomicx_wait_spawn` results. Writes the read and write descriptors to the
/// first two `f64`s at `out`; returns a `shm::status`.
///
/// # Safety
///
/// `out` is the 8-byte aligned address of three writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn atomicx_pipe(out: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { shm::out_words(out) };
    match sys::pipe() {
        Ok((r, w)) => {
            out[0] = f64::from(r);
            out[1] = f64::from(w);
            status::OK
        }
        Err(e) => shm::os_status(e),
    }
}

/// Starts a wait on a new native thread (for FFIs that cannot run a call off the JavaScript
/// thread): `kind` [`shm::kind::INT`], [`shm::kind::BOOL`] or [`shm::kind::WORD`] (a lock word),
/// then as `atomicx_int_wait` with
/// `release` = 1 (the caller retained `region` if non-zero). When the wait ends the thread writes
/// 16 bytes to the pipe `fd`: `token` and the result, two native-endian `f64`s. Returns a
/// `shm::status`; on failure the region reference is released here.
///
/// # Safety
///
/// As `atomicx_int_wait` (or `atomicx_bool_wait`), for as long as the wait lasts; `fd` stays open
/// while any wait is pending.
#[no_mangle]
pub unsafe extern "C" fn atomicx_wait_spawn(
    kind: f64,
    addr: f64,
    expected: f64,
    timeout_ms: f64,
    region: f64,
    fd: f64,
    token: f64,
) -> f64 {
    let release_now = || {
        if region != 0.0 {
            // SAFETY: the caller handed over one reference.
            unsafe { shm::release(region as usize as *const Region) };
        }
    };
    if kind != shm::kind::INT && kind != shm::kind::BOOL && kind != shm::kind::WORD {
        release_now();
        return status::INVALID_ARGUMENT;
    }
    let work = move || {
        let result = if kind == shm::kind::INT {
            // SAFETY: forwarded from this function's contract.
            unsafe { atomicx_int_wait(addr, expected, timeout_ms, region, 1.0) }
        } else if kind == shm::kind::WORD {
            // SAFETY: forwarded from this function's contract.
            unsafe { atomicx_word_wait(addr, expected, timeout_ms, region, 1.0) }
        } else {
            // SAFETY: forwarded from this function's contract.
            unsafe { atomicx_bool_wait(addr, expected, timeout_ms, region, 1.0) }
        };
        let mut message = [0u8; 16];
        message[..8].copy_from_slice(&token.to_ne_bytes());
        message[8..].copy_from_slice(&result.to_ne_bytes());
        let _ = sys::write_all(fd as i32, &message);
    };
    match std::thread::Builder::new()
        .name("atomicx-wait".into())
        .stack_size(64 * 1024)
        .spawn(work)
    {
        Ok(_) => status::OK,
        Err(_) => {
            release_now();
            status::OS_BASE + f64::from(sys::EAGAIN)
        }
    }
}
