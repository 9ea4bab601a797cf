//! Named shared memory: a region any process can map by name, holding a directory of named atomics.
//!
//! # Layout (version [`LAYOUT_VERSION`])
//!
//! ```text
//! 0      header, one 128-byte line:
//!          0 magic u64 ("atomicx\0")   8 layout version u32   12 state u32 (0 new, 1 initialising, 2 ready)
//!         16 capacity u32 (slots)     20 directory entry size u32   24 slot size u32   32 total bytes u64
//! 128    directory: `capacity` entries of 128 bytes:
//!          0 state u32 (0 free, a pid while that process claims it, u32::MAX ready)
//!          4 kind u32   8 name length u32   12 first slot u32   16 length u32 (elements of an
//!          array, stripes of a counter, 0 otherwise)   20 slot count u32   32 name (up to 48
//!          UTF-8 bytes)
//! data   `capacity` slots of 128 bytes (two cache lines, as crossbeam pads against the adjacent-line
//!        prefetcher); `data` is the first multiple of 128 after the directory. An entry owns the
//!        run of `slot count` consecutive slots from its first slot: a scalar or lock primitive one
//!        slot (its value at the start), an array its elements packed from the run's start (8 bytes
//!        each, 4 for bool), a counter one slot per stripe. A semaphore, rwlock or barrier has
//!        [`HOLDER_SLOTS`] more: its holder table (docs/locks.md), so a holder that dies is seen.
//! ```
//!
//! # Races
//!
//! - Creating: `shm_open(O_CREAT | O_EXCL)` elects exactly one creator; it sizes the object, claims
//!   the header's state word 0 → 1 with a compare-exchange, writes the header, and publishes
//!   state 2 (then wakes futex waiters). Everyone else attaches, waits (on the state futex, bounded)
//!   until the state is 2, and checks magic, version and sizes.
//! - Adding a slot: directory entries fill in order. A process claims the first free entry with a
//!   compare-exchange 0 → its pid; holding the claim, it computes the entry's first slot (the
//!   previous entry's first slot plus its slot count, or 0), writes kind, name, first slot, length
//!   and slot count, and publishes `u32::MAX`. A run that does not fit in the slots left gives the
//!   claim back (state 0, waking waiters) and fails with [`status::FULL`]. A process that
//!   meets an entry being claimed waits for it (it may be the same name); if the claiming process
//!   died (SIGKILL between the two steps), its claim is taken over; a claim that a live process
//!   holds longer than `CLAIM_TIMEOUT` (stopped, or a pid this process cannot see) fails with
//!   [`status::CLAIM_STUCK`] instead of waiting forever. Two processes adding the same
//!   name therefore get one slot.
//!
//! # Lifetime
//!
//! An open region is a `Region` on the Rust heap, referenced by its address (an `f64`, like every
//! other address here). It is reference-counted: `close` drops the opener's reference, and an
//! asynchronous waiter holds one for as long as it may read the mapping, so the memory is unmapped
//! only when nothing can touch it.

use crate::sys::{self, Error};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// `"atomicx\0"`, little-endian.
pub const MAGIC: u64 = u64::from_le_bytes(*b"atomicx\0");
/// Version of the layout above. Attaching to another version fails with [`status::LAYOUT_VERSION`].
pub const LAYOUT_VERSION: u32 = 3;
/// Header size.
pub const HEADER: usize = 128;
/// Directory entry size.
pub const ENTRY: usize = 128;
/// Offset of the name in a directory entry.
const ENTRY_NAME: usize = 32;
/// Slot size: two cache lines.
pub const SLOT: usize = 128;
/// Longest region name, in UTF-8 bytes (the OS allows 255 for the file name under /dev/shm).
pub const MAX_NAME: usize = 240;
/// Longest slot name, in UTF-8 bytes.
pub const MAX_SLOT_NAME: usize = 48;
/// Most slots a region may have.
pub const MAX_CAPACITY: u32 = 65_536;
/// How long an attacher waits for a creator that has not finished initialising.
const INIT_TIMEOUT: Duration = Duration::from_millis(1000);
/// Directory state of an entry whose name and kind are published.
const READY: u32 = u32::MAX;

/// Status codes returned by the functions of this module and of `wait` (as `f64`). Failures of a
/// system call come back as `OS_BASE + errno`.
pub mod status {
    /// Success.
    pub const OK: f64 = 0.0;
    /// Named shared memory or waiting is not implemented on this operating system.
    pub const UNSUPPORTED: f64 = 1.0;
    /// The name is empty, too long, or contains `/` or NUL.
    pub const INVALID_NAME: f64 = 2.0;
    /// Create-only, and a region of that name exists.
    pub const EXISTS: f64 = 3.0;
    /// Attach-only, and there is no region of that name.
    pub const NOT_FOUND: f64 = 4.0;
    /// The object is not an atomicx region (wrong magic, size or state).
    pub const NOT_ATOMICX: f64 = 5.0;
    /// An atomicx region of another layout version (the version is written to `out[2]`).
    pub const LAYOUT_VERSION: f64 = 6.0;
    /// The region's creator did not finish initialising it in time.
    pub const NOT_INITIALISED: f64 = 7.0;
    /// A slot of that name exists with another kind (the kind is written to `out[2]`).
    pub const KIND_MISMATCH: f64 = 8.0;
    /// The slots left are too few for the run asked for (how many are left is written to
    /// `out[2]`).
    pub const FULL: f64 = 9.0;
    /// An argument is out of range (capacity, kind, mode).
    pub const INVALID_ARGUMENT: f64 = 10.0;
    /// The region was closed.
    pub const CLOSED: f64 = 11.0;
    /// The region's file belongs to another user and the caller did not allow that (the owner's
    /// uid is written to `out[2]`).
    pub const FOREIGN_OWNER: f64 = 12.0;
    /// The name is not a regular file (a symbolic link, FIFO, directory, device or socket).
    pub const NOT_REGULAR_FILE: f64 = 13.0;
    /// A directory entry stayed claimed by a live process past the deadline (the entry's index
    /// is written to `out[2]`).
    pub const CLAIM_STUCK: f64 = 14.0;
    /// The file is shorter than the region its header describes (truncated).
    pub const TOO_SHORT: f64 = 15.0;
    /// A slot of that name and kind exists with another length (elements or stripes; its length
    /// is written to `out[2]`).
    pub const LENGTH_MISMATCH: f64 = 16.0;
    /// A system call failed: the status is `OS_BASE + errno`.
    pub const OS_BASE: f64 = 1000.0;
}

/// Kind codes of `atomicx_shm_slot` and `atomicx_wait_spawn`.
pub mod kind {
    /// `AtomicInt`.
    pub const INT: f64 = 1.0;
    /// `AtomicBigInt`.
    pub const BIGINT: f64 = 2.0;
    /// `AtomicBool`.
    pub const BOOL: f64 = 3.0;
    /// `AtomicFloat`.
    pub const FLOAT: f64 = 4.0;
    /// The lock primitives of `src/locks/` (see docs/locks.md), whose words start all-zero like
    /// any slot.
    pub const MUTEX: f64 = 5.0;
    /// `RwLock`.
    pub const RWLOCK: f64 = 6.0;
    /// `Semaphore`.
    pub const SEMAPHORE: f64 = 7.0;
    /// `Condition`.
    pub const CONDITION: f64 = 8.0;
    /// `Barrier`.
    pub const BARRIER: f64 = 9.0;
    /// `Latch`.
    pub const LATCH: f64 = 10.0;
    /// `Once`.
    pub const ONCE: f64 = 11.0;
    /// `AtomicIntArray`: elements of 8 bytes packed across its run of slots.
    pub const INT_ARRAY: f64 = 12.0;
    /// `AtomicBigIntArray`: elements of 8 bytes.
    pub const BIGINT_ARRAY: f64 = 13.0;
    /// `AtomicBoolArray`: elements of 4 bytes.
    pub const BOOL_ARRAY: f64 = 14.0;
    /// `AtomicFloatArray`: elements of 8 bytes.
    pub const FLOAT_ARRAY: f64 = 15.0;
    /// `Counter`: one 128-byte slot per stripe, its 64-bit integer at the slot's start.
    pub const COUNTER: f64 = 16.0;
    /// `FloatCounter`: as `COUNTER`, with binary64 stripes.
    pub const FLOAT_COUNTER: f64 = 17.0;
    /// A lock primitive's 32-bit word, for `atomicx_wait_spawn`.
    pub const WORD: f64 = 5.0;
}

/// Bits added to the `how` argument of `atomicx_shm_open` (its low two bits: 0 create or attach,
/// 1 create only, 2 attach only).
pub mod open_flags {
    /// Attach even when the region's file belongs to another user.
    pub const ALLOW_FOREIGN_OWNER: f64 = 4.0;
}

/// How long a process waits for a directory entry another live process is claiming.
const CLAIM_TIMEOUT: Duration = Duration::from_millis(1500);

/// Three `f64` words at a caller-provided address, for results that need more than one value.
///
/// # Safety
///
/// `out` is the 8-byte aligned address of three writable `f64`s that only the calling thread uses
/// during the call.
pub unsafe fn out_words<'a>(out: f64) -> &'a mut [f64; 3] {
    // SAFETY: forwarded from this function's contract.
    unsafe { &mut *(out as usize as *mut [f64; 3]) }
}

/// The address of an atomic word, for the wait and wake calls (`AtomicU32::as_ptr` needs a newer
/// Rust than the 1.63 the Windows build uses; the atomic has the layout of a `u32`).
pub(crate) fn word_ptr(word: &AtomicU32) -> *const u32 {
    word as *const AtomicU32 as *const u32
}

/// The status for a failed system call.
pub(crate) fn os_status(e: Error) -> f64 {
    match e {
        Error::Unsupported => status::UNSUPPORTED,
        Error::Os(errno) => status::OS_BASE + f64::from(errno),
    }
}

/// Most stripes a counter may have.
pub const MAX_STRIPES: u32 = 64;

/// Slots of the holder table after a semaphore's, rwlock's or barrier's own slot: 32 holders of
/// five 32-bit words (pid, tid, thread start low and high, count), written by `src/locks/_holders.ts`.
pub const HOLDER_SLOTS: u32 = 5;

/// The slots an entry of `kind` with `length` (elements or stripes) takes, or `None` when the
/// length is not allowed for that kind (scalars and lock primitives take length 0 — one slot, and
/// [`HOLDER_SLOTS`] more for the kinds with a holder table; arrays any
/// length that could fit a region of [`MAX_CAPACITY`] slots, at least one slot even when empty;
/// counters 1 to [`MAX_STRIPES`] stripes).
pub fn slots_for(kind_code: f64, length: f64) -> Option<u32> {
    if kind_code.fract() != 0.0 || length.fract() != 0.0 || length < 0.0 {
        return None;
    }
    let element = match kind_code {
        kind::RWLOCK | kind::SEMAPHORE | kind::BARRIER => {
            return (length == 0.0).then_some(1 + HOLDER_SLOTS)
        }
        k if (kind::INT..=kind::ONCE).contains(&k) => return (length == 0.0).then_some(1),
        kind::BOOL_ARRAY => 4.0,
        k if (kind::INT_ARRAY..=kind::FLOAT_ARRAY).contains(&k) => 8.0,
        kind::COUNTER | kind::FLOAT_COUNTER => {
            return (length >= 1.0 && length <= f64::from(MAX_STRIPES)).then_some(length as u32)
        }
        _ => return None,
    };
    let slots = (length * element / SLOT as f64).ceil().max(1.0);
    (slots <= f64::from(MAX_CAPACITY)).then_some(slots as u32)
}

/// Sizes of a region of `capacity` slots: `(data offset, total bytes)`.
pub fn layout(capacity: u32) -> (usize, usize) {
    let cap = capacity as usize;
    let data = (HEADER + cap * ENTRY + SLOT - 1) / SLOT * SLOT;
    (data, data + cap * SLOT)
}

/// An open region: a mapping of this process, reference-counted.
pub struct Region {
    base: *mut u8,
    len: usize,
    capacity: u32,
    data: usize,
    refs: AtomicUsize,
    closed: AtomicBool,
}

// SAFETY: `base` points into a shared mapping that is valid from any thread until the last
// reference is released; every access to it goes through atomics or happens-before-ordered
// plain reads of published, never-again-written bytes.
unsafe impl Send for Region {}
// SAFETY: as for Send; the counters are atomics.
unsafe impl Sync for Region {}

impl Region {
    fn u32_at(&self, offset: usize) -> &AtomicU32 {
        debug_assert!(offset + 4 <= self.len && offset % 4 == 0);
        // SAFETY: in bounds (every caller computes offsets inside the checked layout) and 4-byte
        // aligned (the mapping is page-aligned, offsets are multiples of 4); the mapping lives as
        // long as `self`.
        unsafe { &*(self.base.add(offset) as *const AtomicU32) }
    }

    fn u64_at(&self, offset: usize) -> &AtomicU64 {
        debug_assert!(offset + 8 <= self.len && offset % 8 == 0);
        // SAFETY: as in `u32_at`, with 8-byte alignment.
        unsafe { &*(self.base.add(offset) as *const AtomicU64) }
    }

    /// True once `close` ran.
    pub fn is_closed(&self) -> bool {
        self.closed.load(SeqCst)
    }

    /// The mapping's first byte and length (for a view of it: native/src/view.rs).
    pub(crate) fn mapping(&self) -> (usize, usize) {
        (self.base as usize, self.len)
    }

    fn entry(&self, i: usize) -> usize {
        HEADER + i * ENTRY
    }

    /// Address of slot `i`'s value.
    pub fn slot_address(&self, i: usize) -> usize {
        self.base as usize + self.data + i * SLOT
    }

    fn entry_name(&self, i: usize) -> &[u8] {
        let len = (self.u32_at(self.entry(i) + 8).load(SeqCst) as usize).min(MAX_SLOT_NAME);
        // SAFETY: in bounds of entry `i`; published before the entry's READY store, which the
        // caller observed with a SeqCst load; never written again.
        unsafe { std::slice::from_raw_parts(self.base.add(self.entry(i) + ENTRY_NAME), len) }
    }

    /// Entry `i`'s `(kind, first slot, length, slot count)`, once it is ready.
    fn entry_fields(&self, i: usize) -> (u32, u32, u32, u32) {
        let e = self.entry(i);
        let field = |at: usize| self.u32_at(e + at).load(SeqCst);
        (field(4), field(12), field(16), field(20))
    }

    fn write_entry(&self, i: usize, kind: u32, name: &[u8], run: (u32, u32, u32)) {
        let e = self.entry(i);
        self.u32_at(e + 4).store(kind, SeqCst);
        self.u32_at(e + 8).store(name.len() as u32, SeqCst);
        self.u32_at(e + 12).store(run.0, SeqCst);
        self.u32_at(e + 16).store(run.1, SeqCst);
        self.u32_at(e + 20).store(run.2, SeqCst);
        // SAFETY: in bounds (name.len() ≤ MAX_SLOT_NAME = 48 ≤ ENTRY − ENTRY_NAME); this process
        // owns the entry (its pid is in the state word), so nobody else writes these bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(name.as_ptr(), self.base.add(e + ENTRY_NAME), name.len());
        }
    }

    /// The first slot after the run of entry `i − 1` (0 for the first entry). Entries fill in
    /// order, so entry `i − 1` is ready when entry `i` is being claimed.
    fn next_free_slot(&self, i: usize) -> u32 {
        if i == 0 {
            return 0;
        }
        let (_, first, _, count) = self.entry_fields(i - 1);
        first.saturating_add(count)
    }

    /// Whether a ready entry's run lies inside the region and matches its kind and length (only
    /// a file written by something other than atomicx can fail this).
    fn run_is_sound(&self, i: usize) -> bool {
        let (kind, first, length, count) = self.entry_fields(i);
        slots_for(f64::from(kind), f64::from(length)) == Some(count)
            && first
                .checked_add(count)
                .map_or(false, |end| end <= self.capacity)
    }

    /// Finds or adds the entry `name` of `kind` owning `slots` slots for `length` elements or
    /// stripes: its `(index, first slot)`, or a status and its detail.
    fn slot(
        &self,
        name: &[u8],
        kind: u32,
        length: u32,
        slots: u32,
    ) -> Result<(usize, u32), (f64, u32)> {
        let me = std::process::id();
        for i in 0..self.capacity as usize {
            let state = self.u32_at(self.entry(i));
            let deadline = Instant::now() + CLAIM_TIMEOUT;
            loop {
                let s = state.load(SeqCst);
                if s == READY {
                    if self.entry_name(i) == name {
                        let (actual, first, actual_length, _) = self.entry_fields(i);
                        return if !self.run_is_sound(i) {
                            Err((status::NOT_ATOMICX, 0))
                        } else if actual != kind {
                            Err((status::KIND_MISMATCH, actual))
                        } else if actual_length != length {
                            Err((status::LENGTH_MISMATCH, actual_length))
                        } else {
                            Ok((i, first))
                        };
                    }
                    break;
                }
                let claimable = s == 0 || (s != me && sys::process_gone(s));
                if claimable {
                    if state.compare_exchange(s, me, SeqCst, SeqCst).is_ok() {
                        let first = self.next_free_slot(i);
                        let free = self.capacity.saturating_sub(first);
                        if slots > free {
                            state.store(0, SeqCst);
                            let _ = sys::futex_wake(word_ptr(state), i32::MAX);
                            return Err((status::FULL, free));
                        }
                        self.write_entry(i, kind, name, (first, length, slots));
                        state.store(READY, SeqCst);
                        let _ = sys::futex_wake(word_ptr(state), i32::MAX);
                        return Ok((i, first));
                    }
                    continue;
                }
                // Being claimed by a live process (or another thread of this one): wait for it,
                // in short slices so that a claimer that dies is noticed, and only until the
                // deadline (a stopped claimer, a reused pid, a pid of another namespace).
                if Instant::now() >= deadline {
                    return Err((status::CLAIM_STUCK, i as u32));
                }
                let _ = sys::futex_wait(word_ptr(state), s, Some(Duration::from_millis(5)));
            }
        }
        Err((status::FULL, 0))
    }

    /// Entry `i`'s name, kind and length once it is ready: [`status::NOT_FOUND`] past the last ready
    /// entry, [`status::NOT_ATOMICX`] for an entry no atomicx process wrote (a name length outside
    /// 1..=48, or a run that leaves the region or does not match its kind and length).
    fn entry_at(&self, i: usize) -> Result<(&[u8], u32, u32), f64> {
        if i >= self.capacity as usize || self.u32_at(self.entry(i)).load(SeqCst) != READY {
            return Err(status::NOT_FOUND);
        }
        let name_len = self.u32_at(self.entry(i) + 8).load(SeqCst) as usize;
        if !(1..=MAX_SLOT_NAME).contains(&name_len) || !self.run_is_sound(i) {
            return Err(status::NOT_ATOMICX);
        }
        let (kind, _, length, _) = self.entry_fields(i);
        Ok((self.entry_name(i), kind, length))
    }
}

/// The regions this thread opened and has not closed, each with one reference of its own: when the
/// thread ends (a Worker that is terminated, whose JavaScript objects are never collected), they
/// are closed, so that a finished Worker leaves no mapping behind.
struct OpenedHere(std::cell::RefCell<Vec<usize>>);

impl Drop for OpenedHere {
    fn drop(&mut self) {
        for addr in self.0.get_mut().drain(..) {
            let region = addr as *const Region;
            // SAFETY: the list owns one reference to every region in it, so each is alive.
            let r = unsafe { &*region };
            if !r.closed.swap(true, SeqCst) {
                // SAFETY: the opener's reference, given up once (guarded by the swap).
                unsafe { release(region) };
            }
            // SAFETY: the list's own reference, given up here.
            unsafe { release(region) };
        }
    }
}

thread_local! {
    static OPENED_HERE: OpenedHere = const { OpenedHere(std::cell::RefCell::new(Vec::new())) };
}

/// Retains `region` (one more reference).
pub fn retain(region: &Region) {
    region.refs.fetch_add(1, SeqCst);
}

/// Releases one reference; the last one unmaps and frees the region.
///
/// # Safety
///
/// `region` is a pointer from [`Box::into_raw`] made by `atomicx_shm_open`, and the caller owns
/// one of its references, which it gives up.
pub unsafe fn release(region: *const Region) {
    // SAFETY: the caller's reference keeps the region alive until this decrement.
    let r = unsafe { &*region };
    if r.refs.fetch_sub(1, SeqCst) == 1 {
        // SAFETY: that was the last reference: nothing can reach the mapping or the box any more.
        unsafe {
            sys::unregister_mapping(r.base);
            sys::unmap(r.base, r.len);
            drop(Box::from_raw(region as *mut Region));
        }
    }
}

/// The region behind a handle, or `None` for 0 (no region).
///
/// # Safety
///
/// `handle` is 0 or the address of a `Region` the caller holds a reference to.
pub unsafe fn region_at<'a>(handle: f64) -> Option<&'a Region> {
    if handle == 0.0 {
        return None;
    }
    // SAFETY: forwarded from this function's contract.
    Some(unsafe { &*(handle as usize as *const Region) })
}

/// The name bytes at `addr`, `len` long, as the NUL-terminated `/name` shm_open takes; `None`
/// when the name is not valid (empty, too long, containing `/` or NUL, `.` or `..`).
///
/// # Safety
///
/// `addr` is the address of `len` readable bytes (when `len` is in range).
unsafe fn os_name(addr: f64, len: f64) -> Option<Vec<u8>> {
    if !(len >= 1.0 && len <= MAX_NAME as f64 && len.fract() == 0.0) || addr == 0.0 {
        return None;
    }
    // SAFETY: forwarded from this function's contract.
    let bytes = unsafe { std::slice::from_raw_parts(addr as usize as *const u8, len as usize) };
    if bytes.contains(&b'/') || bytes.contains(&0) || bytes == b"." || bytes == b".." {
        return None;
    }
    let mut name = Vec::with_capacity(bytes.len() + 2);
    name.push(b'/');
    name.extend_from_slice(bytes);
    name.push(0);
    Some(name)
}

/// Initialises a region this process created: claims the state word, writes the header, publishes.
fn initialise(region: &Region) {
    let state = region.u32_at(12);
    if state.compare_exchange(0, 1, SeqCst, SeqCst).is_err() {
        return; // not ours to write: the attach checks below judge it
    }
    region.u32_at(8).store(LAYOUT_VERSION, SeqCst);
    region.u32_at(16).store(region.capacity, SeqCst);
    region.u32_at(20).store(ENTRY as u32, SeqCst);
    region.u32_at(24).store(SLOT as u32, SeqCst);
    region.u64_at(32).store(region.len as u64, SeqCst);
    region.u64_at(0).store(MAGIC, SeqCst);
    state.store(2, SeqCst);
    let _ = sys::futex_wake(word_ptr(state), i32::MAX);
}

/// Refuses a file that is not a regular file, or (unless `allow_foreign`) that another user owns.
fn check_file(fd: sys::Fd, allow_foreign: bool) -> Result<(), (f64, u32)> {
    let info = sys::file_info(fd).map_err(|e| (os_status(e), 0))?;
    if !info.regular {
        return Err((status::NOT_REGULAR_FILE, 0));
    }
    if !allow_foreign && info.uid != sys::effective_uid() {
        return Err((status::FOREIGN_OWNER, info.uid));
    }
    Ok(())
}

/// Maps `fd` (an existing object), waits for its initialisation and checks it.
fn attach(fd: sys::Fd, allow_foreign: bool) -> Result<Region, (f64, u32)> {
    check_file(fd, allow_foreign)?;
    let deadline = Instant::now() + INIT_TIMEOUT;
    // The creator sizes the object right after creating it: wait (briefly) for a size.
    let size = loop {
        let size = sys::size(fd).map_err(|e| (os_status(e), 0))?;
        if size > 0 {
            break size;
        }
        if Instant::now() >= deadline {
            return Err((status::NOT_INITIALISED, 0));
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    if size < HEADER {
        return Err((status::NOT_ATOMICX, 0));
    }
    let base = sys::map(fd, size).map_err(|e| (os_status(e), 0))?;
    let mut region = Region {
        base,
        len: size,
        capacity: 0,
        data: 0,
        refs: AtomicUsize::new(1),
        closed: AtomicBool::new(false),
    };
    let fail = |region: &Region, code: (f64, u32)| {
        // SAFETY: the mapping was made above and nothing else has seen it.
        unsafe { sys::unmap(region.base, region.len) };
        Err(code)
    };
    let state = region.u32_at(12);
    loop {
        match state.load(SeqCst) {
            2 => break,
            s @ (0 | 1) => {
                let magic = region.u64_at(0).load(SeqCst);
                if magic != 0 && magic != MAGIC {
                    return fail(&region, (status::NOT_ATOMICX, 0));
                }
                let now = Instant::now();
                if now >= deadline {
                    return fail(&region, (status::NOT_INITIALISED, 0));
                }
                let _ = sys::futex_wait(
                    word_ptr(state),
                    s,
                    Some((deadline - now).min(Duration::from_millis(10))),
                );
            }
            _ => return fail(&region, (status::NOT_ATOMICX, 0)),
        }
    }
    if region.u64_at(0).load(SeqCst) != MAGIC {
        return fail(&region, (status::NOT_ATOMICX, 0));
    }
    let version = region.u32_at(8).load(SeqCst);
    if version != LAYOUT_VERSION {
        return fail(&region, (status::LAYOUT_VERSION, version));
    }
    let capacity = region.u32_at(16).load(SeqCst);
    let total = region.u64_at(32).load(SeqCst);
    if capacity == 0
        || capacity > MAX_CAPACITY
        || region.u32_at(20).load(SeqCst) != ENTRY as u32
        || region.u32_at(24).load(SeqCst) != SLOT as u32
        || total != layout(capacity).1 as u64
    {
        return fail(&region, (status::NOT_ATOMICX, 0));
    }
    // A file shorter than its header says (truncated, or mapped short) would fault on access.
    let now_size = sys::size(fd).unwrap_or(0);
    if total as usize > size || total as usize > now_size {
        return fail(&region, (status::TOO_SHORT, 0));
    }
    region.capacity = capacity;
    region.data = layout(capacity).0;
    Ok(region)
}

/// Creates the object `name` exclusively: `Ok(None)` if it already exists.
fn create(name: &[u8], capacity: u32, mode: u32) -> Result<Option<Region>, (f64, u32)> {
    let fd = match sys::open(name, true, mode) {
        Ok(fd) => fd,
        Err(Error::Os(sys::EEXIST)) => return Ok(None),
        // A directory (or, racing, a link) under the name.
        Err(Error::Os(sys::ELOOP | sys::EISDIR | sys::EINVAL)) => {
            return Err((status::NOT_REGULAR_FILE, 0))
        }
        Err(e) => return Err((os_status(e), 0)),
    };
    let (data, len) = layout(capacity);
    // Reserve the pages now: on a full file system this fails with ENOSPC instead of the first
    // write to the mapping dying with SIGBUS.
    let made = sys::truncate(fd, len)
        .and_then(|()| sys::allocate(fd, len))
        .and_then(|()| sys::map(fd, len));
    sys::close_fd(fd);
    let base = match made {
        Ok(base) => base,
        Err(e) => {
            let _ = sys::unlink(name);
            return Err((os_status(e), 0));
        }
    };
    let region = Region {
        base,
        len,
        capacity,
        data,
        refs: AtomicUsize::new(1),
        closed: AtomicBool::new(false),
    };
    initialise(&region);
    Ok(Some(region))
}

/// Opens the region `name` (see [`find_or_create`]) and registers its mapping with the platform's
/// wait layer, which on some systems keeps per-region state for cross-process waits.
fn open_region(
    name: &[u8],
    capacity: u32,
    how: u32,
    mode: u32,
    allow_foreign: bool,
) -> Result<Region, (f64, u32)> {
    let region = find_or_create(name, capacity, how, mode, allow_foreign)?;
    if let Err(e) = sys::register_mapping(region.base, region.len, name) {
        // SAFETY: the mapping was made by `find_or_create` and nothing else has seen it.
        unsafe { sys::unmap(region.base, region.len) };
        return Err((os_status(e), 0));
    }
    Ok(region)
}

/// Creates the region `name` or attaches to it, as `how` says.
fn find_or_create(
    name: &[u8],
    capacity: u32,
    how: u32,
    mode: u32,
    allow_foreign: bool,
) -> Result<Region, (f64, u32)> {
    // Create and attach can race with another process's unlink: retry a few times.
    for _ in 0..8 {
        if how != 2 {
            if let Some(region) = create(name, capacity, mode)? {
                return Ok(region);
            }
            if how == 1 {
                return Err((status::EXISTS, 0));
            }
        }
        match sys::open(name, false, 0) {
            Ok(fd) => {
                let result = attach(fd, allow_foreign);
                sys::close_fd(fd);
                return result;
            }
            Err(Error::Os(sys::ENOENT)) if how == 2 => return Err((status::NOT_FOUND, 0)),
            Err(Error::Os(sys::ENOENT)) => continue,
            // O_NOFOLLOW met a symbolic link, or the name is a directory.
            Err(Error::Os(sys::ELOOP | sys::EISDIR | sys::EINVAL)) => {
                return Err((status::NOT_REGULAR_FILE, 0))
            }
            Err(e) => return Err((os_status(e), 0)),
        }
    }
    Err((status::NOT_FOUND, 0))
}

/// Opens the region named by the `name_len` UTF-8 bytes at `name`.
///
/// `how`: 0 create or attach, 1 create only, 2 attach only, plus
/// [`open_flags::ALLOW_FOREIGN_OWNER`] to attach to a file another user owns (refused with
/// [`status::FOREIGN_OWNER`] otherwise, the owner's uid in `out[2]`). `capacity`: slots when creating
/// (1..=65536; an existing region keeps its own). `permissions`: mode bits when creating (e.g.
/// 0o600). Writes to the three `f64`s at `out`: the region handle, its capacity, and a detail
/// (the layout version found, for [`status::LAYOUT_VERSION`]). Returns a [`status`].
///
/// Whoever can write the region's file can still crash the processes that map it (truncating it
/// under a live mapping makes the next access fault): attaching checks the owner, the file type
/// and the size, but nothing can check every later access.
///
/// # Safety
///
/// `name` is the address of `name_len` readable bytes; `out` the 8-byte aligned address of three
/// writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_open(
    name: f64,
    name_len: f64,
    capacity: f64,
    how: f64,
    permissions: f64,
    out: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { out_words(out) };
    // SAFETY: forwarded from this function's contract.
    let os = match unsafe { os_name(name, name_len) } {
        Some(v) => v,
        None => return status::INVALID_NAME,
    };
    let valid = |v: f64, max: f64| v >= 0.0 && v <= max && v.fract() == 0.0;
    if !valid(capacity, f64::from(MAX_CAPACITY))
        || capacity < 1.0
        || !valid(how, 2.0 + open_flags::ALLOW_FOREIGN_OWNER)
        || !valid(permissions, 0o777 as f64)
    {
        return status::INVALID_ARGUMENT;
    }
    let allow_foreign = how >= open_flags::ALLOW_FOREIGN_OWNER;
    let mode = (how as u32) & 3;
    if mode == 3 {
        return status::INVALID_ARGUMENT;
    }
    match open_region(
        &os,
        capacity as u32,
        mode,
        permissions as u32,
        allow_foreign,
    ) {
        Ok(region) => {
            out[1] = f64::from(region.capacity);
            let raw = Box::into_raw(Box::new(region));
            // SAFETY: just made; the thread's list takes a reference of its own.
            retain(unsafe { &*raw });
            if OPENED_HERE
                .try_with(|list| list.0.borrow_mut().push(raw as usize))
                .is_err()
            {
                // SAFETY: the thread is ending: give the list's reference back.
                unsafe { release(raw) };
            }
            out[0] = raw as usize as f64;
            status::OK
        }
        Err((code, detail)) => {
            out[2] = f64::from(detail);
            code
        }
    }
}

/// Removes the region name (mappings that are open stay valid until closed). Returns a [`status`]:
/// [`status::NOT_FOUND`] if there is none.
///
/// # Safety
///
/// `name` is the address of `name_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_unlink(name: f64, name_len: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let os = match unsafe { os_name(name, name_len) } {
        Some(v) => v,
        None => return status::INVALID_NAME,
    };
    match sys::unlink(&os) {
        Ok(()) => status::OK,
        Err(Error::Os(sys::ENOENT)) => status::NOT_FOUND,
        Err(e) => os_status(e),
    }
}

/// Closes a region: marks it closed and drops the opener's reference (the mapping goes when the
/// last asynchronous waiter holding one finishes). Returns [`status::OK`], or [`status::CLOSED`]
/// when it was closed already.
///
/// # Safety
///
/// `region` is a handle from `atomicx_shm_open` whose opener's reference has not been dropped
/// by an earlier, completed close (a second close of the same handle is reported, as long as
/// other references keep it alive; the TypeScript layer never closes twice).
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_close(region: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let r = match unsafe { region_at(region) } {
        Some(v) => v,
        None => return status::INVALID_ARGUMENT,
    };
    if r.closed.swap(true, SeqCst) {
        return status::CLOSED;
    }
    // Closed on the thread that opened it (as the TypeScript layer does): the thread's list lets
    // go of its reference now. Elsewhere, that reference goes when the opening thread ends.
    let addr = r as *const Region as usize;
    let listed = OPENED_HERE
        .try_with(|list| {
            let mut list = list.0.borrow_mut();
            let before = list.len();
            list.retain(|&a| a != addr);
            list.len() != before
        })
        .unwrap_or(false);
    if listed {
        // SAFETY: the list's reference, removed from the list above.
        unsafe { release(r) };
    }
    // SAFETY: the opener's reference, given up here exactly once (guarded by the swap above).
    unsafe { release(r) };
    status::OK
}

/// Adds a reference to an open region (for an asynchronous waiter). Returns [`status::CLOSED`]
/// (and adds nothing) when the region was closed.
///
/// # Safety
///
/// `region` is a handle from `atomicx_shm_open` that is still referenced.
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_retain(region: f64) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let r = match unsafe { region_at(region) } {
        Some(v) => v,
        None => return status::INVALID_ARGUMENT,
    };
    if r.is_closed() {
        return status::CLOSED;
    }
    retain(r);
    status::OK
}

/// Drops a reference taken with `atomicx_shm_retain`.
///
/// # Safety
///
/// `region` is a handle from `atomicx_shm_open` and the caller owns one reference it gives up.
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_release(region: f64) -> f64 {
    if region == 0.0 {
        return status::INVALID_ARGUMENT;
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { release(region as usize as *const Region) };
    status::OK
}

/// Finds or adds the entry named by the `name_len` UTF-8 bytes at `name`, of `kind` (a [`kind`]
/// code) and `length` (elements of an array, stripes of a counter, 0 for the other kinds; see
/// [`slots_for`]). Writes to `out`: the address of the start of its run of slots, the entry's
/// index, and a detail: the kind it has (for [`status::KIND_MISMATCH`]), the length it has (for
/// [`status::LENGTH_MISMATCH`]), the slots left (for [`status::FULL`]) or the stuck entry's index
/// (for [`status::CLAIM_STUCK`]). Returns a [`status`].
///
/// # Safety
///
/// `region` is a handle from `atomicx_shm_open` the caller holds; `name` the address of
/// `name_len` readable bytes; `out` the 8-byte aligned address of three writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_slot(
    region: f64,
    name: f64,
    name_len: f64,
    kind: f64,
    length: f64,
    out: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { out_words(out) };
    // SAFETY: forwarded from this function's contract.
    let r = match unsafe { region_at(region) } {
        Some(v) => v,
        None => return status::INVALID_ARGUMENT,
    };
    if r.is_closed() {
        return status::CLOSED;
    }
    if !(name_len >= 1.0 && name_len <= MAX_SLOT_NAME as f64 && name_len.fract() == 0.0) {
        return status::INVALID_NAME;
    }
    let slots = match slots_for(kind, length) {
        Some(slots) => slots,
        None => return status::INVALID_ARGUMENT,
    };
    // SAFETY: forwarded from this function's contract; the length is in range.
    let bytes =
        unsafe { std::slice::from_raw_parts(name as usize as *const u8, name_len as usize) };
    match r.slot(bytes, kind as u32, length as u32, slots) {
        Ok((i, first)) => {
            out[0] = r.slot_address(first as usize) as f64;
            out[1] = i as f64;
            status::OK
        }
        Err((code, detail)) => {
            out[2] = f64::from(detail);
            code
        }
    }
}

/// Reads directory entry `index` (entries fill in order from 0): copies its name's UTF-8 bytes to
/// `name_out` and writes to `out` its kind, its length (elements or stripes, 0 for the other
/// kinds) and its name's byte count. Returns [`status::OK`], [`status::NOT_FOUND`] past the last
/// ready entry, or [`status::NOT_ATOMICX`] for an entry that a process other than atomicx wrote.
///
/// # Safety
///
/// `region` is a handle from `atomicx_shm_open` the caller holds; `name_out` the address of
/// [`MAX_SLOT_NAME`] writable bytes; `out` the 8-byte aligned address of three writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn atomicx_shm_entry(
    region: f64,
    index: f64,
    name_out: f64,
    out: f64,
) -> f64 {
    // SAFETY: forwarded from this function's contract.
    let out = unsafe { out_words(out) };
    // SAFETY: forwarded from this function's contract.
    let r = match unsafe { region_at(region) } {
        Some(v) => v,
        None => return status::INVALID_ARGUMENT,
    };
    if r.is_closed() {
        return status::CLOSED;
    }
    if !(index >= 0.0 && index.fract() == 0.0) || name_out == 0.0 {
        return status::INVALID_ARGUMENT;
    }
    let (name, kind, length) = match r.entry_at(index as usize) {
        Ok(entry) => entry,
        Err(status) => return status,
    };
    // SAFETY: `name` is at most MAX_SLOT_NAME bytes, which the caller provides at `name_out`; the
    // mapping and the caller's memory do not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(name.as_ptr(), name_out as usize as *mut u8, name.len());
    }
    out[0] = f64::from(kind);
    out[1] = f64::from(length);
    out[2] = name.len() as f64;
    status::OK
}
