//! The Windows implementation of the platform layer (kernel32 declared by hand, `extern "system"`).
//!
//! - **Regions** are files under `%TEMP%\atomicx\` (the per-user temporary directory, whose access
//!   list admits only that user, SYSTEM and administrators), mapped with `CreateFileMappingW` +
//!   `MapViewOfFile`. A file rather than a pagefile-backed named section so that a region outlives
//!   its last opener exactly as `/dev/shm` does on Linux (a named section vanishes with its last
//!   handle), and so that `unlink` can remove the name while mappings stay valid: the file is
//!   renamed to a unique name, then deleted (Windows deletes it when the last mapping closes).
//!   Created with `CREATE_NEW` (one creator wins), shared for read, write and delete, and marked
//!   temporary so the cache manager avoids writing it to disk.
//! - **Waits across processes**: `WaitOnAddress` wakes only threads of its own process, so a word
//!   inside a region waits on a named semaphore `Local\atomicx-<region>-<offset>` instead, and a
//!   small named section per region (`Local\atomicx-<region>-waiters`, 1024 counters) counts the
//!   sleepers of each word (hashed by offset). A waiter opens the semaphore, counts itself in, checks
//!   the word and only then sleeps; a waker changes the word first, then reads the count and releases
//!   that many permits (at most what it was asked to wake). Both sides use sequentially consistent
//!   operations, so either the waiter sees the new value or the waker sees the waiter: no wakeup is
//!   lost. A permit that outlives its waiter (one that timed out just as it was counted) wakes a later
//!   waiter spuriously; callers recheck the value, as they must after any wake. Words outside a
//!   region (a `SharedArrayBuffer`) use `WaitOnAddress`.
//! - **Identity**: process and thread creation times (`GetProcessTimes`, `GetThreadTimes`) in
//!   microseconds since 1970, an exact integer in an `f64`; a thread is checked to belong to the
//!   process named with it (`GetProcessIdOfThread`).
//! - **Not implemented**: the pipe that wakes an event loop from a native waiter thread.

use super::{Error, FileInfo};
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An open region file: a `HANDLE`.
pub type Fd = isize;

type Handle = isize;
type Bool = i32;

const INVALID_HANDLE_VALUE: Handle = -1;
const GENERIC_READ: u32 = 0x8000_0000;
const GENERIC_WRITE: u32 = 0x4000_0000;
const FILE_SHARE_ALL: u32 = 0x1 | 0x2 | 0x4;
const CREATE_NEW: u32 = 1;
const OPEN_EXISTING: u32 = 3;
const FILE_ATTRIBUTE_TEMPORARY: u32 = 0x100;
const FILE_ATTRIBUTE_DIRECTORY: u32 = 0x10;
const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
const PAGE_READWRITE: u32 = 0x04;
const FILE_MAP_READ_WRITE: u32 = 0x0002 | 0x0004;
const FILE_BEGIN: u32 = 0;
const INFINITE: u32 = 0xFFFF_FFFF;
const WAIT_OBJECT_0: u32 = 0;
const WAIT_TIMEOUT: u32 = 0x102;
const SYNCHRONIZE: u32 = 0x0010_0000;
const SEMAPHORE_MODIFY_STATE: u32 = 0x0002;
const PROCESS_QUERY_LIMITED_INFORMATION: u32 = 0x1000;
const THREAD_QUERY_LIMITED_INFORMATION: u32 = 0x0800;
const GET_MODULE_HANDLE_EX_FLAG_PIN: u32 = 0x1;
const GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS: u32 = 0x4;
const ERROR_FILE_NOT_FOUND: u32 = 2;
const ERROR_PATH_NOT_FOUND: u32 = 3;
const ERROR_FILE_EXISTS: u32 = 80;
const ERROR_ALREADY_EXISTS: u32 = 183;
const ERROR_TIMEOUT: u32 = 1460;
/// 1601-01-01 to 1970-01-01 in 100 ns units.
const UNIX_EPOCH_FILETIME: u64 = 116_444_736_000_000_000;

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct FileTime {
    low: u32,
    high: u32,
}

impl FileTime {
    /// Microseconds since 1970 (0 for an earlier time, which no running thread has).
    fn micros(self) -> u64 {
        let t = (u64::from(self.high) << 32) | u64::from(self.low);
        t.saturating_sub(UNIX_EPOCH_FILETIME) / 10
    }
}

#[repr(C)]
#[derive(Default)]
struct ByHandleFileInformation {
    attributes: u32,
    creation: FileTime,
    access: FileTime,
    write: FileTime,
    volume_serial: u32,
    size_high: u32,
    size_low: u32,
    links: u32,
    index_high: u32,
    index_low: u32,
}

#[link(name = "kernel32")]
extern "system" {
    fn GetLastError() -> u32;
    fn CloseHandle(h: Handle) -> Bool;
    fn CreateFileW(
        name: *const u16,
        access: u32,
        share: u32,
        security: *const c_void,
        disposition: u32,
        flags: u32,
        template: Handle,
    ) -> Handle;
    fn CreateDirectoryW(name: *const u16, security: *const c_void) -> Bool;
    fn DeleteFileW(name: *const u16) -> Bool;
    fn MoveFileExW(from: *const u16, to: *const u16, flags: u32) -> Bool;
    fn GetTempPathW(len: u32, buf: *mut u16) -> u32;
    fn SetFilePointerEx(h: Handle, distance: i64, new: *mut i64, method: u32) -> Bool;
    fn SetEndOfFile(h: Handle) -> Bool;
    fn GetFileSizeEx(h: Handle, size: *mut i64) -> Bool;
    fn GetFileInformationByHandle(h: Handle, info: *mut ByHandleFileInformation) -> Bool;
    fn CreateFileMappingW(
        file: Handle,
        security: *const c_void,
        protect: u32,
        size_high: u32,
        size_low: u32,
        name: *const u16,
    ) -> Handle;
    fn MapViewOfFile(
        section: Handle,
        access: u32,
        offset_high: u32,
        offset_low: u32,
        len: usize,
    ) -> *mut c_void;
    fn UnmapViewOfFile(base: *const c_void) -> Bool;
    fn CreateSemaphoreW(
        security: *const c_void,
        initial: i32,
        maximum: i32,
        name: *const u16,
    ) -> Handle;
    fn OpenSemaphoreW(access: u32, inherit: Bool, name: *const u16) -> Handle;
    fn ReleaseSemaphore(h: Handle, count: i32, previous: *mut i32) -> Bool;
    fn WaitForSingleObject(h: Handle, ms: u32) -> u32;
    fn OpenProcess(access: u32, inherit: Bool, pid: u32) -> Handle;
    fn GetCurrentProcess() -> Handle;
    fn GetProcessTimes(
        h: Handle,
        creation: *mut FileTime,
        exit: *mut FileTime,
        kernel: *mut FileTime,
        user: *mut FileTime,
    ) -> Bool;
    fn OpenThread(access: u32, inherit: Bool, tid: u32) -> Handle;
    fn GetThreadTimes(
        h: Handle,
        creation: *mut FileTime,
        exit: *mut FileTime,
        kernel: *mut FileTime,
        user: *mut FileTime,
    ) -> Bool;
    fn GetProcessIdOfThread(h: Handle) -> u32;
    fn GetCurrentThreadId() -> u32;
    fn GetModuleHandleExW(flags: u32, name: *const c_void, module: *mut Handle) -> Bool;
}

#[link(name = "synchronization")]
extern "system" {
    fn WaitOnAddress(address: *const c_void, compare: *const c_void, size: usize, ms: u32) -> Bool;
    fn WakeByAddressSingle(address: *const c_void);
    fn WakeByAddressAll(address: *const c_void);
}

/// The last error as an [`Error`], with the codes the callers match on turned into their errno.
fn last_error() -> Error {
    // SAFETY: reads this thread's last-error value only.
    let code = unsafe { GetLastError() };
    Error::Os(match code {
        ERROR_FILE_NOT_FOUND | ERROR_PATH_NOT_FOUND => super::ENOENT,
        ERROR_FILE_EXISTS | ERROR_ALREADY_EXISTS => super::EEXIST,
        ERROR_TIMEOUT => super::ETIMEDOUT,
        other => other as i32,
    })
}

/// `s` as a NUL-terminated UTF-16 string.
fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// FNV-1a: the region's key in the names of its wait objects.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The directory of region files: `%TEMP%\atomicx` (created when missing), with the `\\?\`
/// prefix so that long names are not cut at `MAX_PATH`.
fn region_dir() -> Result<String, Error> {
    let mut buf = [0u16; 1024];
    // SAFETY: `buf` has room for the length passed.
    let n = unsafe { GetTempPathW(buf.len() as u32, buf.as_mut_ptr()) } as usize;
    if n == 0 || n >= buf.len() {
        return Err(last_error());
    }
    let temp = String::from_utf16_lossy(&buf[..n]);
    let temp = temp.trim_end_matches('\\');
    let dir = if temp.starts_with("\\\\") {
        format!("{}\\atomicx", temp)
    } else {
        format!("\\\\?\\{}\\atomicx", temp)
    };
    // SAFETY: a NUL-terminated path; an existing directory is not an error worth reporting
    // (opening the file below reports the real problem, if any).
    unsafe { CreateDirectoryW(wide(&dir).as_ptr(), std::ptr::null()) };
    Ok(dir)
}

/// The file name of region `name` (the `/name\0` bytes the portable code passes): lowercase
/// letters, digits, `-` and `_` as they are, every other byte as `%XX` (names are case-sensitive
/// and may hold any UTF-8, file names are neither); a long result keeps its first 160 characters
/// and adds the hash of the whole name, so it stays within a path component's 255 characters.
fn file_name(name: &[u8]) -> String {
    let bytes = name.strip_prefix(b"/").unwrap_or(name);
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(bytes);
    let mut out = String::from("r-");
    for &b in bytes {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => out.push(b as char),
            _ => out.push_str(&format!("%{:02X}", b)),
        }
    }
    if out.len() > 200 {
        out.truncate(160);
        out.push_str(&format!("~{:016x}", fnv1a(bytes)));
    }
    out
}

fn region_path(name: &[u8]) -> Result<String, Error> {
    Ok(format!("{}\\{}", region_dir()?, file_name(name)))
}

/// Opens (`create`: creates exclusively) the region file for `name`. `mode` is not used: the
/// per-user temporary directory decides who can open the file.
pub fn open(name: &[u8], create: bool, _mode: u32) -> Result<Fd, Error> {
    let path = wide(&region_path(name)?);
    // SAFETY: `path` is NUL-terminated and outlives the call.
    let h = unsafe {
        CreateFileW(
            path.as_ptr(),
            GENERIC_READ | GENERIC_WRITE,
            FILE_SHARE_ALL,
            std::ptr::null(),
            if create { CREATE_NEW } else { OPEN_EXISTING },
            FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_OPEN_REPARSE_POINT,
            0,
        )
    };
    if h == INVALID_HANDLE_VALUE {
        return Err(last_error());
    }
    Ok(h)
}

/// Removes the name of region `name`: renames its file to a unique name, then deletes that (the
/// delete completes when the last mapping closes), so that the name is free at once.
pub fn unlink(name: &[u8]) -> Result<(), Error> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = region_dir()?;
    let from = wide(&format!("{}\\{}", dir, file_name(name)));
    let to = wide(&format!(
        "{}\\~unlinked-{}-{}-{}",
        dir,
        std::process::id(),
        NEXT.fetch_add(1, SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    // SAFETY: both paths are NUL-terminated and outlive the calls.
    unsafe {
        if MoveFileExW(from.as_ptr(), to.as_ptr(), 0) == 0 {
            return Err(last_error());
        }
        DeleteFileW(to.as_ptr());
    }
    Ok(())
}

/// Sets the size of the file behind `fd` (new bytes read as zero).
pub fn truncate(fd: Fd, len: usize) -> Result<(), Error> {
    // SAFETY: plain calls on a handle this module opened.
    unsafe {
        if SetFilePointerEx(fd, len as i64, std::ptr::null_mut(), FILE_BEGIN) == 0
            || SetEndOfFile(fd) == 0
        {
            return Err(last_error());
        }
    }
    Ok(())
}

/// Setting the end of file already allocates it on Windows.
pub fn allocate(_fd: Fd, _len: usize) -> Result<(), Error> {
    Ok(())
}

/// Type and size of the file behind `fd`; its owner is reported as [`effective_uid`] (the
/// directory's access list keeps other users out, see the module's notes).
pub fn file_info(fd: Fd) -> Result<FileInfo, Error> {
    let mut info = ByHandleFileInformation::default();
    // SAFETY: `info` is a live, writable structure of the documented layout.
    if unsafe { GetFileInformationByHandle(fd, &mut info) } == 0 {
        return Err(last_error());
    }
    Ok(FileInfo {
        regular: info.attributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT) == 0,
        uid: effective_uid(),
        size: (u64::from(info.size_high) << 32) | u64::from(info.size_low),
    })
}

/// Windows has no uids; see [`file_info`].
pub fn effective_uid() -> u32 {
    0
}

/// The size of the file behind `fd`.
pub fn size(fd: Fd) -> Result<usize, Error> {
    let mut size = 0i64;
    // SAFETY: `size` is a live, writable i64.
    if unsafe { GetFileSizeEx(fd, &mut size) } == 0 {
        return Err(last_error());
    }
    Ok(size as usize)
}

/// Closes `fd`, ignoring errors.
pub fn close_fd(fd: Fd) {
    // SAFETY: a handle this module opened and closes once.
    unsafe { CloseHandle(fd) };
}

/// Maps the first `len` bytes of the file behind `fd`, readable and writable, shared with every
/// process mapping the same file.
pub fn map(fd: Fd, len: usize) -> Result<*mut u8, Error> {
    // SAFETY: an unnamed section over a file handle this module opened; the view keeps the
    // section alive after its handle is closed.
    unsafe {
        let section =
            CreateFileMappingW(fd, std::ptr::null(), PAGE_READWRITE, 0, 0, std::ptr::null());
        if section == 0 {
            return Err(last_error());
        }
        let view = MapViewOfFile(section, FILE_MAP_READ_WRITE, 0, 0, len);
        let err = last_error();
        CloseHandle(section);
        if view.is_null() {
            return Err(err);
        }
        Ok(view.cast())
    }
}

/// Unmaps a view made by [`map`].
///
/// # Safety
///
/// `base` is a view from [`map`] that nothing will access again.
pub unsafe fn unmap(base: *mut u8, _len: usize) {
    // SAFETY: forwarded from this function's contract.
    unsafe { UnmapViewOfFile(base as *const c_void) };
}

/// Counters of sleeping waiters, one per hash of a word's offset in the region: a named section
/// every process that opens the region maps.
struct Waiters {
    view: *mut AtomicU32,
    /// The section's handle, kept open: a named object loses its name when its last handle
    /// closes, even while views keep the object itself alive.
    section: Handle,
    key: u64,
}

// SAFETY: the view is a shared mapping valid until drop; it is accessed only through atomics.
unsafe impl Send for Waiters {}
// SAFETY: as for Send.
unsafe impl Sync for Waiters {}

const WAITER_BUCKETS: usize = 1024;

impl Waiters {
    fn open(key: u64) -> Result<Waiters, Error> {
        let name = wide(&format!("Local\\atomicx-{:016x}-waiters", key));
        // SAFETY: a pagefile-backed section of a fixed size (created zeroed, or opened), mapped
        // whole; its handle stays open until drop.
        unsafe {
            let section = CreateFileMappingW(
                INVALID_HANDLE_VALUE,
                std::ptr::null(),
                PAGE_READWRITE,
                0,
                (WAITER_BUCKETS * 4) as u32,
                name.as_ptr(),
            );
            if section == 0 {
                return Err(last_error());
            }
            let view = MapViewOfFile(section, FILE_MAP_READ_WRITE, 0, 0, WAITER_BUCKETS * 4);
            if view.is_null() {
                let err = last_error();
                CloseHandle(section);
                return Err(err);
            }
            Ok(Waiters {
                view: view.cast(),
                section,
                key,
            })
        }
    }

    fn bucket(&self, offset: usize) -> &AtomicU32 {
        let i = ((offset as u64 / 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
        // SAFETY: `i` < 1024 (a 10-bit shift result) and the view holds 1024 aligned u32s.
        unsafe { &*self.view.add(i % WAITER_BUCKETS) }
    }

    fn semaphore_name(&self, offset: usize) -> Vec<u16> {
        wide(&format!("Local\\atomicx-{:016x}-{:x}", self.key, offset))
    }
}

impl Drop for Waiters {
    fn drop(&mut self) {
        // SAFETY: the view and handle from `open`, each given up once.
        unsafe {
            UnmapViewOfFile(self.view as *const c_void);
            CloseHandle(self.section);
        }
    }
}

/// A region mapped in this process: the address range and its waiter counters.
struct Mapping {
    base: usize,
    len: usize,
    waiters: Arc<Waiters>,
}

static MAPPINGS: Mutex<Vec<Mapping>> = Mutex::new(Vec::new());

/// Registers a region's mapping, so that waits on its words reach other processes.
pub fn register_mapping(base: *mut u8, len: usize, name: &[u8]) -> Result<(), Error> {
    let waiters = Arc::new(Waiters::open(fnv1a(name))?);
    let mut list = MAPPINGS.lock().unwrap_or_else(|e| e.into_inner());
    list.push(Mapping {
        base: base as usize,
        len,
        waiters,
    });
    Ok(())
}

/// Forgets a mapping registered with [`register_mapping`].
pub fn unregister_mapping(base: *mut u8) {
    let mut list = MAPPINGS.lock().unwrap_or_else(|e| e.into_inner());
    list.retain(|m| m.base != base as usize);
}

/// The waiter counters and offset of `word`, if it lies in a registered region.
fn region_of(word: *const u32) -> Option<(Arc<Waiters>, usize)> {
    let addr = word as usize;
    let list = MAPPINGS.lock().unwrap_or_else(|e| e.into_inner());
    list.iter()
        .find(|m| addr >= m.base && addr < m.base + m.len)
        .map(|m| (Arc::clone(&m.waiters), addr - m.base))
}

/// A timeout in whole milliseconds, rounded up (`INFINITE` for none).
fn millis(timeout: Option<Duration>) -> u32 {
    match timeout {
        None => INFINITE,
        Some(d) => {
            let ms = d.as_nanos().saturating_add(999_999) / 1_000_000;
            ms.min(u128::from(INFINITE - 1)) as u32
        }
    }
}

/// Sleeps while the 32-bit word at `word` holds `expected`, at most `timeout` (forever when
/// `None`), waking on [`futex_wake`] from any process that maps the same region. `Ok(())` when
/// woken (possibly spuriously); `Err(Os(EAGAIN | ETIMEDOUT))` otherwise.
pub fn futex_wait(word: *const u32, expected: u32, timeout: Option<Duration>) -> Result<(), Error> {
    // SAFETY: every caller passes the address of a live, aligned 32-bit word (an atomic of a
    // region it holds a reference to, or of memory the caller keeps alive).
    let cell = unsafe { &*(word as *const AtomicU32) };
    let ms = millis(timeout);
    let (waiters, offset) = match region_of(word) {
        Some(found) => found,
        None => {
            if cell.load(SeqCst) != expected {
                return Err(Error::Os(super::EAGAIN));
            }
            // SAFETY: `word` and `expected` are live 4-byte values for the call.
            let woken = unsafe {
                WaitOnAddress(
                    word as *const c_void,
                    &expected as *const u32 as *const c_void,
                    4,
                    ms,
                )
            };
            return if woken != 0 {
                Ok(())
            } else {
                Err(last_error())
            };
        }
    };
    let name = waiters.semaphore_name(offset);
    // SAFETY: creates or opens a named semaphore; the name is NUL-terminated.
    let sem = unsafe { CreateSemaphoreW(std::ptr::null(), 0, i32::MAX, name.as_ptr()) };
    if sem == 0 {
        return Err(last_error());
    }
    let count = waiters.bucket(offset);
    count.fetch_add(1, SeqCst);
    let result = if cell.load(SeqCst) != expected {
        Err(Error::Os(super::EAGAIN))
    } else {
        // SAFETY: `sem` is a live handle.
        match unsafe { WaitForSingleObject(sem, ms) } {
            WAIT_OBJECT_0 => Ok(()),
            WAIT_TIMEOUT => Err(Error::Os(super::ETIMEDOUT)),
            _ => Err(last_error()),
        }
    };
    count.fetch_sub(1, SeqCst);
    // SAFETY: the handle opened above, closed once.
    unsafe { CloseHandle(sem) };
    result
}

/// Wakes up to `count` waiters on `word` (in every process, for a region's word); returns how many
/// were counted as sleeping and released (for a word outside a region, how many were asked for:
/// `WakeByAddress*` does not tell).
pub fn futex_wake(word: *const u32, count: i32) -> Result<u32, Error> {
    let (waiters, offset) = match region_of(word) {
        Some(found) => found,
        None => {
            // SAFETY: the address is only a key for the wake.
            unsafe {
                if count == 1 {
                    WakeByAddressSingle(word as *const c_void)
                } else {
                    WakeByAddressAll(word as *const c_void)
                }
            }
            return Ok(0);
        }
    };
    let sleeping = waiters.bucket(offset).load(SeqCst);
    let n = sleeping.min(count.max(0) as u32);
    if n == 0 {
        return Ok(0);
    }
    let name = waiters.semaphore_name(offset);
    // SAFETY: opens a named semaphore; the name is NUL-terminated.
    let sem = unsafe { OpenSemaphoreW(SEMAPHORE_MODIFY_STATE, 0, name.as_ptr()) };
    if sem == 0 {
        return Ok(0); // nobody sleeps on this word (the count was another word's of the bucket)
    }
    // SAFETY: `sem` is a live handle, closed once.
    let released = unsafe {
        let ok = ReleaseSemaphore(sem, n as i32, std::ptr::null_mut());
        CloseHandle(sem);
        ok != 0
    };
    Ok(if released { n } else { 0 })
}

/// Creation time and "still running" of the process or thread behind `h` (closed here).
fn times(h: Handle, thread: bool) -> Option<(u64, bool)> {
    let (mut created, mut exited, mut kernel, mut user) = Default::default();
    // SAFETY: `h` is a live handle with query access; the four FILETIMEs are writable.
    let ok = unsafe {
        if thread {
            GetThreadTimes(h, &mut created, &mut exited, &mut kernel, &mut user)
        } else {
            GetProcessTimes(h, &mut created, &mut exited, &mut kernel, &mut user)
        }
    };
    // SAFETY: `h` has SYNCHRONIZE access; a zero timeout only polls.
    let running = unsafe { WaitForSingleObject(h, 0) } == WAIT_TIMEOUT;
    close_fd(h);
    if ok == 0 {
        return None;
    }
    Some((FileTime::micros(created), running))
}

/// Process `pid`'s creation time (microseconds since 1970) and whether it still runs; `None` if
/// there is no such process (or it cannot be queried).
pub fn process_start(pid: u32) -> Option<(u64, bool)> {
    if pid == std::process::id() {
        let (mut created, mut exited, mut kernel, mut user) = Default::default();
        // SAFETY: the pseudo-handle of this process needs no closing.
        let ok = unsafe {
            GetProcessTimes(
                GetCurrentProcess(),
                &mut created,
                &mut exited,
                &mut kernel,
                &mut user,
            )
        };
        return (ok != 0).then(|| (FileTime::micros(created), true));
    }
    // SAFETY: plain call; a null handle means no such process.
    let h = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, 0, pid) };
    if h == 0 {
        return None;
    }
    times(h, false)
}

/// Thread `tid` of process `pid`: its creation time and whether it still runs; `None` if there is
/// no such thread in that process.
pub fn thread_start(pid: u32, tid: u32) -> Option<(u64, bool)> {
    // SAFETY: plain call; a null handle means no such thread.
    let h = unsafe { OpenThread(THREAD_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, 0, tid) };
    if h == 0 {
        return None;
    }
    // SAFETY: `h` is a live thread handle with query access.
    if unsafe { GetProcessIdOfThread(h) } != pid {
        close_fd(h);
        return None;
    }
    times(h, true)
}

/// This thread's id.
pub fn current_tid() -> Option<u32> {
    // SAFETY: cannot fail.
    Some(unsafe { GetCurrentThreadId() })
}

/// True if process `pid` is known to be gone.
pub fn process_gone(pid: u32) -> bool {
    match process_start(pid) {
        Some((_, running)) => !running,
        // Access denied would also land here; a live process of another user cannot hold a claim
        // in a region under this user's temporary directory.
        None => true,
    }
}

/// Makes this DLL impossible to unload (see the Linux version for why).
pub fn pin_library(symbol: *const c_void) {
    let mut module: Handle = 0;
    // SAFETY: `module` is writable; the flags make `symbol` an address inside the module and
    // pin it for the life of the process.
    unsafe {
        GetModuleHandleExW(
            GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
            symbol,
            &mut module,
        )
    };
}

/// Not implemented on Windows: asynchronous waits there run on the runtime's own threads (Deno)
/// or poll (`ffi/_wait_async.ts`).
pub fn pipe() -> Result<(i32, i32), Error> {
    Err(Error::Unsupported)
}

/// See [`pipe`].
pub fn write_all(_fd: i32, _bytes: &[u8]) -> Result<(), Error> {
    Err(Error::Unsupported)
}
