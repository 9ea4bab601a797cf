//! The platform layer on systems without an implementation: every call fails with
//! [`Error::Unsupported`].
use super::Error;
use std::time::Duration;

/// No object can be opened here.
pub type Fd = i32;

pub fn open(_: &[u8], _: bool, _: u32) -> Result<i32, Error> {
    Err(Error::Unsupported)
}
pub fn unlink(_: &[u8]) -> Result<(), Error> {
    Err(Error::Unsupported)
}
pub fn truncate(_: i32, _: usize) -> Result<(), Error> {
    Err(Error::Unsupported)
}
pub fn size(_: i32) -> Result<usize, Error> {
    Err(Error::Unsupported)
}
pub fn allocate(_: i32, _: usize) -> Result<(), Error> {
    Err(Error::Unsupported)
}
pub fn file_info(_: i32) -> Result<super::FileInfo, Error> {
    Err(Error::Unsupported)
}
pub fn effective_uid() -> u32 {
    0
}
pub fn pin_library(_: *const std::ffi::c_void) {}
pub fn close_fd(_: i32) {}
pub fn map(_: i32, _: usize) -> Result<*mut u8, Error> {
    Err(Error::Unsupported)
}
/// # Safety
///
/// Never called: no mapping can exist on this system.
pub unsafe fn unmap(_: *mut u8, _: usize) {}
pub fn process_gone(_: u32) -> bool {
    false
}
pub fn futex_wait(_: *const u32, _: u32, _: Option<Duration>) -> Result<(), Error> {
    Err(Error::Unsupported)
}
pub fn futex_wake(_: *const u32, _: i32) -> Result<u32, Error> {
    Err(Error::Unsupported)
}
pub fn pipe() -> Result<(i32, i32), Error> {
    Err(Error::Unsupported)
}
pub fn write_all(_: i32, _: &[u8]) -> Result<(), Error> {
    Err(Error::Unsupported)
}

pub fn register_mapping(_: *mut u8, _: usize, _: &[u8]) -> Result<(), Error> {
    Err(Error::Unsupported)
}
pub fn unregister_mapping(_: *mut u8) {}
pub fn process_start(_: u32) -> Option<(u64, bool)> {
    None
}
pub fn thread_start(_: u32, _: u32) -> Option<(u64, bool)> {
    None
}
pub fn current_tid() -> Option<u32> {
    None
}
