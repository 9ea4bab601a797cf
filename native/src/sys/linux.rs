//! The Linux implementation of the platform layer: POSIX shared memory under `/dev/shm`, the
//! shared `futex`, `/proc` for process and thread start times, and a pipe for waking an event loop.

use super::Error;
use std::os::raw::{c_char, c_int, c_long, c_void};
use std::time::Duration;

/// An open shared-memory object: a file descriptor.
pub type Fd = i32;

/// The `errno` of the last failed call on this thread.
fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

const O_RDWR: c_int = 0o2;
const O_CREAT: c_int = 0o100;
const O_EXCL: c_int = 0o200;
const O_CLOEXEC: c_int = 0o2_000_000;
const O_NOFOLLOW: c_int = 0o400_000;
const O_NONBLOCK: c_int = 0o4000;
const PROT_READ: c_int = 1;
const PROT_WRITE: c_int = 2;
const MAP_SHARED: c_int = 1;
const SEEK_END: c_int = 2;
const FUTEX_WAIT: c_int = 0;
const FUTEX_WAKE: c_int = 1;
#[cfg(target_arch = "x86_64")]
const SYS_FUTEX: c_long = 202;
#[cfg(target_arch = "x86")]
const SYS_FUTEX: c_long = 240;
#[cfg(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "loongarch64"
))]
const SYS_FUTEX: c_long = 98;
#[cfg(target_arch = "arm")]
const SYS_FUTEX: c_long = 240;

/// `Dl_info` of `dladdr`.
#[repr(C)]
struct DlInfo {
    dli_fname: *const c_char,
    dli_fbase: *mut c_void,
    dli_sname: *const c_char,
    dli_saddr: *mut c_void,
}
const RTLD_LAZY: c_int = 1;
const RTLD_NOLOAD: c_int = 4;
const RTLD_NODELETE: c_int = 0x1000;

/// Makes the library that contains `symbol` (this one) impossible to unload: a runtime that
/// closes it while a waiter thread still runs its code (Deno tearing down after an uncaught
/// exception) would otherwise crash the process. Idempotent.
pub fn pin_library(symbol: *const c_void) {
    let mut info = DlInfo {
        dli_fname: std::ptr::null(),
        dli_fbase: std::ptr::null_mut(),
        dli_sname: std::ptr::null(),
        dli_saddr: std::ptr::null_mut(),
    };
    // SAFETY: `info` is a live, writable Dl_info; dladdr only fills it in.
    if unsafe { dladdr(symbol, &mut info) } == 0 || info.dli_fname.is_null() {
        return;
    }
    // SAFETY: `dli_fname` is the NUL-terminated path of a loaded object (from dladdr);
    // RTLD_NOLOAD only takes one more reference to it, and RTLD_NODELETE keeps it mapped.
    // The reference is never dropped, on purpose.
    unsafe { dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE) };
}

/// `struct timespec` on Linux: two C longs.
#[repr(C)]
struct Timespec {
    tv_sec: c_long,
    tv_nsec: c_long,
}

extern "C" {
    fn shm_open(name: *const c_char, oflag: c_int, mode: u32) -> c_int;
    fn shm_unlink(name: *const c_char) -> c_int;
    fn ftruncate(fd: c_int, length: i64) -> c_int;
    fn fchmod(fd: c_int, mode: u32) -> c_int;
    fn lseek(fd: c_int, offset: i64, whence: c_int) -> i64;
    fn close(fd: c_int) -> c_int;
    fn mmap(
        addr: *mut c_void,
        len: usize,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        offset: i64,
    ) -> *mut c_void;
    fn munmap(addr: *mut c_void, len: usize) -> c_int;
    fn kill(pid: c_int, sig: c_int) -> c_int;
    fn pipe2(fds: *mut c_int, flags: c_int) -> c_int;
    fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    fn syscall(number: c_long, ...) -> c_long;
    fn posix_fallocate(fd: c_int, offset: i64, len: i64) -> c_int;
    fn dladdr(addr: *const c_void, info: *mut DlInfo) -> c_int;
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn geteuid() -> u32;
}

/// Opens (`create`: creates exclusively, with `mode`) the shared-memory object `name`, a
/// NUL-terminated `/name`. Returns the file descriptor. A symbolic link is refused (`ELOOP`)
/// and a FIFO opens without blocking, so that [`file_info`] can refuse it.
pub fn open(name: &[u8], create: bool, mode: u32) -> Result<Fd, Error> {
    debug_assert_eq!(name.last(), Some(&0));
    let flags =
        O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | if create { O_CREAT | O_EXCL } else { 0 };
    // SAFETY: `name` is NUL-terminated (checked by the caller, asserted above) and outlives
    // the call; shm_open only reads it.
    let fd = unsafe { shm_open(name.as_ptr().cast(), flags, mode) };
    if fd < 0 {
        return Err(Error::Os(last_errno()));
    }
    if create {
        // The umask may have cleared bits of `mode`: set exactly what was asked for.
        // SAFETY: `fd` is the descriptor just opened.
        if unsafe { fchmod(fd, mode) } != 0 {
            let err = last_errno();
            close_fd(fd);
            return Err(Error::Os(err));
        }
    }
    Ok(fd)
}

/// Removes the shared-memory object `name` (NUL-terminated `/name`).
pub fn unlink(name: &[u8]) -> Result<(), Error> {
    // SAFETY: `name` is NUL-terminated and outlives the call; shm_unlink only reads it.
    if unsafe { shm_unlink(name.as_ptr().cast()) } != 0 {
        return Err(Error::Os(last_errno()));
    }
    Ok(())
}

/// Sets the size of the object behind `fd`.
pub fn truncate(fd: Fd, len: usize) -> Result<(), Error> {
    // SAFETY: plain system call on a descriptor this module opened.
    if unsafe { ftruncate(fd, len as i64) } != 0 {
        return Err(Error::Os(last_errno()));
    }
    Ok(())
}

/// Reserves the first `len` bytes of the object behind `fd` on its file system, so that a
/// full file system fails here rather than with SIGBUS on a first write to the mapping. A
/// file system that cannot preallocate is accepted as it is.
pub fn allocate(fd: Fd, len: usize) -> Result<(), Error> {
    // SAFETY: plain library call on a descriptor this module opened.
    match unsafe { posix_fallocate(fd, 0, len as i64) } {
        0 | super::EOPNOTSUPP => Ok(()),
        errno => Err(Error::Os(errno)),
    }
}

/// Type, owner and size of the object behind `fd`.
pub fn file_info(fd: Fd) -> Result<super::FileInfo, Error> {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::FromRawFd;
    // SAFETY: `fd` is open for the duration of the call; `ManuallyDrop` keeps `File` from
    // closing a descriptor it does not own.
    let file = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
    let meta = file
        .metadata()
        .map_err(|e| Error::Os(e.raw_os_error().unwrap_or(0)))?;
    Ok(super::FileInfo {
        regular: meta.file_type().is_file(),
        uid: meta.uid(),
        size: meta.size(),
    })
}

/// The effective user id of this process.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid cannot fail and touches no memory of ours.
    unsafe { geteuid() }
}

/// The size of the object behind `fd`.
pub fn size(fd: Fd) -> Result<usize, Error> {
    // SAFETY: plain system call on a descriptor this module opened; moving the offset of a
    // shared-memory descriptor affects nothing else (mmap takes its own offset).
    let end = unsafe { lseek(fd, 0, SEEK_END) };
    if end < 0 {
        return Err(Error::Os(last_errno()));
    }
    Ok(end as usize)
}

/// Closes `fd`, ignoring errors (nothing useful can be done about them).
pub fn close_fd(fd: Fd) {
    // SAFETY: `fd` is a descriptor this module opened and closes once.
    unsafe { close(fd) };
}

/// Maps `len` bytes of `fd` shared, readable and writable.
pub fn map(fd: Fd, len: usize) -> Result<*mut u8, Error> {
    // SAFETY: a fresh mapping chosen by the kernel (addr null) overlaps nothing Rust owns.
    let p = unsafe {
        mmap(
            std::ptr::null_mut(),
            len,
            PROT_READ | PROT_WRITE,
            MAP_SHARED,
            fd,
            0,
        )
    };
    if p as isize == -1 {
        return Err(Error::Os(last_errno()));
    }
    Ok(p.cast())
}

/// Unmaps a mapping made by [`map`].
///
/// # Safety
///
/// `base` and `len` describe a mapping from [`map`] that nothing will access again.
pub unsafe fn unmap(base: *mut u8, len: usize) {
    // SAFETY: forwarded from this function's contract.
    unsafe { munmap(base.cast(), len) };
}

/// True if process `pid` is known to be gone.
pub fn process_gone(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; it delivers nothing.
    let r = unsafe { kill(pid as c_int, 0) };
    r != 0 && last_errno() == super::ESRCH
}

/// Sleeps while the 32-bit word at `word` holds `expected`, at most `timeout` (forever when
/// `None`). Shared (not process-private) futex, so it pairs with [`futex_wake`] in any process
/// mapping the same memory. `Ok(())` when woken; `Err(Os(EAGAIN | EINTR | ETIMEDOUT))`
/// otherwise.
pub fn futex_wait(word: *const u32, expected: u32, timeout: Option<Duration>) -> Result<(), Error> {
    let ts = timeout.map(|d| Timespec {
        tv_sec: d.as_secs().min(c_long::MAX as u64) as c_long,
        tv_nsec: d.subsec_nanos() as c_long,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const Timespec);
    // SAFETY: FUTEX_WAIT only reads the word through the kernel, which checks the address
    // (an unmapped one gives EFAULT, never a fault in this process); `ts_ptr` is null or
    // points at a live timespec.
    let r = unsafe { syscall(SYS_FUTEX, word, FUTEX_WAIT, expected, ts_ptr, 0usize, 0u32) };
    if r == 0 {
        Ok(())
    } else {
        Err(Error::Os(last_errno()))
    }
}

/// Wakes up to `count` waiters on `word`; returns how many were woken.
pub fn futex_wake(word: *const u32, count: i32) -> Result<u32, Error> {
    // SAFETY: FUTEX_WAKE does not access the word's memory; the kernel uses the address only
    // as a key.
    let r = unsafe { syscall(SYS_FUTEX, word, FUTEX_WAKE, count, 0usize, 0usize, 0u32) };
    if r < 0 {
        Err(Error::Os(last_errno()))
    } else {
        Ok(r as u32)
    }
}

/// A new pipe (close-on-exec): `(read end, write end)`.
pub fn pipe() -> Result<(i32, i32), Error> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { pipe2(fds.as_mut_ptr(), O_CLOEXEC) } != 0 {
        return Err(Error::Os(last_errno()));
    }
    Ok((fds[0], fds[1]))
}

/// Writes all of `bytes` (at most `PIPE_BUF`, so one atomic write) to `fd`.
pub fn write_all(fd: Fd, bytes: &[u8]) -> Result<(), Error> {
    loop {
        // SAFETY: `bytes` is live for the call; write only reads it.
        let n = unsafe { write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n == bytes.len() as isize {
            return Ok(());
        }
        let err = last_errno();
        if n < 0 && err == super::EINTR {
            continue;
        }
        return Err(Error::Os(err));
    }
}

/// Linux keeps no per-region state for waiting: the shared futex needs none.
pub fn register_mapping(_base: *mut u8, _len: usize, _name: &[u8]) -> Result<(), Error> {
    Ok(())
}

/// See [`register_mapping`].
pub fn unregister_mapping(_base: *mut u8) {}

/// Start time (field 22 of `/proc/<path>/stat`, clock ticks since boot) and whether the process or
/// thread is still running (not a zombie), or `None` if there is none.
fn stat(path: &str) -> Option<(u64, bool)> {
    let text = std::fs::read_to_string(format!("/proc/{}/stat", path)).ok()?;
    // Field 2 (the command) is in parentheses and may contain spaces: parse after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?; // field 3
    let start = fields.nth(18)?.parse().ok()?; // field 22
    Some((start, state != "Z" && state != "X"))
}

/// Process `pid`'s start time (clock ticks since boot) and whether it still runs; `None` if there
/// is no such process.
pub fn process_start(pid: u32) -> Option<(u64, bool)> {
    if pid == std::process::id() {
        return stat("self");
    }
    stat(&pid.to_string())
}

/// Thread `tid` of process `pid`: its start time and whether it still runs; `None` if there is no
/// such thread in that process.
pub fn thread_start(pid: u32, tid: u32) -> Option<(u64, bool)> {
    stat(&format!("{}/task/{}", pid, tid))
}

/// This thread's id (the kernel's tid), from the `/proc/thread-self` link (`<pid>/task/<tid>`).
pub fn current_tid() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}
