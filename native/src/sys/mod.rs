//! The platform layer: everything the crate needs from the operating system, behind one small set
//! of functions that each system implements in a module of its own, declared by hand so that the
//! crate stays std-only (and builds with Debian's rustc 1.63 for the Windows target).
//!
//! | need | Linux (`linux.rs`) | Windows (`windows.rs`) |
//! | --- | --- | --- |
//! | a named, persistent object: [`open`], [`unlink`], [`truncate`], [`allocate`], [`size`], [`file_info`], [`close_fd`] | `shm_open` under `/dev/shm` | a file under the user's temporary directory |
//! | [`map`] / [`unmap`] it shared | `mmap(MAP_SHARED)` | `CreateFileMappingW` + `MapViewOfFile` |
//! | [`register_mapping`] / [`unregister_mapping`]: tell the wait layer which addresses are a region's | nothing to do | a waiter table per region (see `windows.rs`) |
//! | [`futex_wait`] / [`futex_wake`] on a 32-bit word, across processes for a region's words | the shared futex | named semaphores keyed by region and offset, with a shared waiter count |
//! | [`process_start`], [`thread_start`], [`current_tid`], [`process_gone`] | `/proc/<pid>/stat`, `/proc/<pid>/task/<tid>/stat` | `GetProcessTimes`, `GetThreadTimes` |
//! | [`pipe`] / [`write_all`]: a native waiter thread waking an event loop | `pipe2` | not implemented ([`Error::Unsupported`]) |
//! | [`pin_library`] | `dlopen(RTLD_NODELETE)` | `GetModuleHandleExW(PIN)` |
//!
//! `docs/platforms.md` says what a macOS implementation would use. Every other system gets the
//! same functions returning [`Error::Unsupported`] (`other.rs`), so nothing compiles away
//! silently: the C functions report "not supported on this platform" and the TypeScript side
//! throws that as an `Error`.

/// Why a system call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// This operating system has no implementation of the call.
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    Unsupported,
    /// The call failed with this `errno` (on Windows: the errno below that the callers match on,
    /// or the raw `GetLastError` code).
    Os(i32),
}

/// `EEXIST`: the shared-memory object already exists.
pub const EEXIST: i32 = 17;
/// `ENOENT`: no shared-memory object of that name.
pub const ENOENT: i32 = 2;
/// `EAGAIN`: the futex word did not hold the expected value.
pub const EAGAIN: i32 = 11;
/// `EINTR`: a signal interrupted the wait.
pub const EINTR: i32 = 4;
/// `ETIMEDOUT`: the wait timed out.
pub const ETIMEDOUT: i32 = 110;
/// `ELOOP`: a symbolic link where `O_NOFOLLOW` forbids one.
pub const ELOOP: i32 = 40;
/// `EISDIR`: a directory where a file was expected.
pub const EISDIR: i32 = 21;
/// `EINVAL`: shm_open on a name that is a directory.
pub const EINVAL: i32 = 22;
/// `ESRCH`: no such process.
#[cfg_attr(windows, allow(dead_code))]
pub const ESRCH: i32 = 3;
/// `EOPNOTSUPP`: the file system cannot preallocate.
#[cfg_attr(windows, allow(dead_code))]
pub const EOPNOTSUPP: i32 = 95;

/// What `fstat` (or its Windows equivalent) says about an open object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    /// A regular file (not a FIFO, directory, device, socket or reparse point).
    pub regular: bool,
    /// The owner's user id (always [`effective_uid`] on Windows, where the per-user temporary
    /// directory's access list is what keeps other users out).
    pub uid: u32,
    /// The size in bytes.
    pub size: u64,
}

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

#[cfg(not(any(target_os = "linux", windows)))]
mod other;
#[cfg(not(any(target_os = "linux", windows)))]
pub use other::*;
