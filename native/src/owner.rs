//! Process and thread identity for lock owners in shared-memory regions: a process is named by its
//! pid and its start time, so a reused pid is not mistaken for the process that died; a thread (a
//! Worker) by its thread id and its own start time, so a Worker that ended is told apart from a
//! live one of the same process. Start times come from the platform layer (`sys`): clock ticks
//! since boot on Linux, microseconds since 1970 on Windows — an exact integer below 2^53 either
//! way, compared only with values of the same machine.

use crate::shm::{out_words, status};
use crate::sys;

/// Writes this process's pid and start time to `out[0]` and `out[1]`; returns a `shm::status`
/// (`UNSUPPORTED` without `/proc`).
///
/// # Safety
///
/// `out` is the 8-byte aligned address of three writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn atomicx_self_identity(out: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { out_words(out) };
    match sys::process_start(std::process::id()) {
        Some((start, _)) => {
            out[0] = f64::from(std::process::id());
            out[1] = start as f64;
            status::OK
        }
        None => status::UNSUPPORTED,
    }
}

/// 1 if process `pid` is running and started at `start` (0: any start time), else 0.
#[no_mangle]
pub extern "C" fn atomicx_process_alive(pid: f64, start: f64) -> f64 {
    if !(pid >= 1.0 && pid <= f64::from(u32::MAX) && pid.fract() == 0.0) {
        return 0.0;
    }
    match sys::process_start(pid as u32) {
        Some((s, running)) if running && (start == 0.0 || s as f64 == start) => 1.0,
        _ => 0.0,
    }
}

/// Writes this thread's id and start time to `out[0]` and `out[1]`; returns a `shm::status`
/// (`UNSUPPORTED` without `/proc`).
///
/// # Safety
///
/// `out` is the 8-byte aligned address of three writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn atomicx_thread_identity(out: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { out_words(out) };
    let tid = match sys::current_tid() {
        Some(tid) => tid,
        None => return status::UNSUPPORTED,
    };
    match sys::thread_start(std::process::id(), tid) {
        Some((start, _)) => {
            out[0] = f64::from(tid);
            out[1] = start as f64;
            status::OK
        }
        None => status::UNSUPPORTED,
    }
}

/// A pid or tid argument as a `u32`, if it is one.
fn id(x: f64) -> Option<u32> {
    (x >= 1.0 && x <= f64::from(u32::MAX) && x.fract() == 0.0).then_some(x as u32)
}

/// 1 if thread `tid` of process `pid` is running and started at `start` (0: any start time),
/// else 0.
#[no_mangle]
pub extern "C" fn atomicx_thread_alive(pid: f64, tid: f64, start: f64) -> f64 {
    let (pid, tid) = match (id(pid), id(tid)) {
        (Some(pid), Some(tid)) => (pid, tid),
        _ => return 0.0,
    };
    match sys::thread_start(pid, tid) {
        Some((s, running)) if running && (start == 0.0 || s as f64 == start) => 1.0,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_is_alive_and_a_wrong_start_is_not() {
        let mut out = [0f64; 3];
        // SAFETY: `out` is three writable, aligned f64s.
        let code = unsafe { atomicx_self_identity(out.as_mut_ptr() as usize as f64) };
        assert_eq!(code, status::OK);
        assert_eq!(atomicx_process_alive(out[0], out[1]), 1.0);
        assert_eq!(atomicx_process_alive(out[0], out[1] + 1.0), 0.0);
        assert_eq!(atomicx_process_alive(0.0, 0.0), 0.0);
        assert_eq!(atomicx_process_alive(4_194_305.0 * 4.0, 0.0), 0.0);
    }

    #[test]
    fn this_thread_is_alive_and_an_ended_one_is_not() {
        let pid = f64::from(std::process::id());
        let mut out = [0f64; 3];
        // SAFETY: `out` is three writable, aligned f64s.
        let code = unsafe { atomicx_thread_identity(out.as_mut_ptr() as usize as f64) };
        assert_eq!(code, status::OK);
        assert_eq!(atomicx_thread_alive(pid, out[0], out[1]), 1.0);
        assert_eq!(atomicx_thread_alive(pid, out[0], out[1] + 1.0), 0.0);
        let ended = std::thread::spawn(|| {
            let mut out = [0f64; 3];
            // SAFETY: as above.
            unsafe { atomicx_thread_identity(out.as_mut_ptr() as usize as f64) };
            out
        })
        .join()
        .unwrap();
        assert_ne!(ended[0], out[0]);
        assert_eq!(atomicx_thread_alive(pid, ended[0], ended[1]), 0.0);
        assert_eq!(atomicx_thread_alive(pid, 0.0, 0.0), 0.0);
    }
}
