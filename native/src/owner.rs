//! Process identity for lock owners in shared-memory regions: a process is named by its pid and
//! its start time (field 22 of `/proc/<pid>/stat`, clock ticks since boot), so a reused pid is not
//! mistaken for the process that died.

use crate::shm::{out_words, status};

/// Start time (field 22 of `/proc/<pid>/stat`) and whether the process is still running (not a
/// zombie), or `None` if there is no such process.
fn stat(pid: &str) -> Option<(u64, bool)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 2 (the command) is in parentheses and may contain spaces: parse after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?; // field 3
    let start = fields.nth(18)?.parse().ok()?; // field 22
    Some((start, state != "Z" && state != "X"))
}

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
    match stat("self") {
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
    match stat(&(pid as u32).to_string()) {
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
}
