//! Named shared memory (`atomicx_shm_*`) and waiting (`atomicx_*_wait`, `atomicx_wake`,
//! `atomicx_wait_spawn`), driven from several threads the way several processes would drive them:
//! every thread opens the region itself and gets its own mapping.

use crate::common::{address, on_threads, THREADS};
use atomicx::shm::{self, status};
use atomicx::{int, wait};
use std::io::Read;
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// A region name no other test (or test run) uses.
fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("atomicx-rust-{tag}-{}-{nanos}", std::process::id())
}

/// An open region: its handle and capacity. Closed on drop.
struct Open {
    handle: f64,
    capacity: f64,
}

impl Drop for Open {
    fn drop(&mut self) {
        // SAFETY: a handle from atomicx_shm_open, closed once.
        unsafe { shm::atomicx_shm_close(self.handle) };
    }
}

/// `atomicx_shm_open`: the region or the status (and detail word).
fn open(name: &str, capacity: u32, how: u32) -> Result<Open, (f64, f64)> {
    let mut out = [0f64; 3];
    // SAFETY: `name` and `out` are live locals of the sizes passed.
    let s = unsafe {
        shm::atomicx_shm_open(
            address(name.as_ptr()),
            name.len() as f64,
            f64::from(capacity),
            f64::from(how),
            f64::from(0o600),
            address(out.as_mut_ptr()),
        )
    };
    if s == status::OK {
        Ok(Open {
            handle: out[0],
            capacity: out[1],
        })
    } else {
        Err((s, out[2]))
    }
}

fn unlink(name: &str) -> f64 {
    // SAFETY: `name` is live for the call.
    unsafe { shm::atomicx_shm_unlink(address(name.as_ptr()), name.len() as f64) }
}

/// `atomicx_shm_slot` for a scalar or lock primitive: the value's address, or the status (and
/// detail word).
fn slot(region: &Open, name: &str, kind: u32) -> Result<f64, (f64, f64)> {
    run(region, name, kind, 0)
}

/// `atomicx_shm_slot` with a length (elements or stripes): the run's address, or the status (and
/// detail word).
fn run(region: &Open, name: &str, kind: u32, length: u32) -> Result<f64, (f64, f64)> {
    let mut out = [0f64; 3];
    // SAFETY: the region is open; `name` and `out` are live locals.
    let s = unsafe {
        shm::atomicx_shm_slot(
            region.handle,
            address(name.as_ptr()),
            name.len() as f64,
            f64::from(kind),
            f64::from(length),
            address(out.as_mut_ptr()),
        )
    };
    if s == status::OK {
        Ok(out[0])
    } else {
        Err((s, out[2]))
    }
}

fn fetch_add(addr: f64, delta: f64) -> f64 {
    // SAFETY: `addr` is an int slot of a region the caller holds open.
    unsafe { int::atomicx_int_fetch_add(addr, delta) }
}

fn load(addr: f64) -> f64 {
    // SAFETY: as in `fetch_add`.
    unsafe { int::atomicx_int_load(addr) }
}

#[test]
fn threads_creating_one_region_and_its_slots_at_once_get_one_layout() {
    let name = unique("race");
    let slots = 24u32;
    on_threads(THREADS, |t| {
        let region = open(&name, slots, 0).expect("open");
        assert_eq!(region.capacity, f64::from(slots));
        // Every thread adds the same names in its own order.
        let mut order: Vec<u32> = (0..slots).collect();
        order.rotate_left(t * 5);
        if t % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let addr = slot(&region, &format!("s{i}"), 1).expect("slot");
            fetch_add(addr, 1.0);
        }
    });
    let region = open(&name, 1, 2).expect("attach");
    for i in 0..slots {
        let addr = slot(&region, &format!("s{i}"), 1).expect("slot");
        assert_eq!(load(addr), THREADS as f64, "slot s{i}");
    }
    // One slot per name: the region is exactly full.
    assert_eq!(slot(&region, "extra", 1), Err((status::FULL, 0.0)));
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn slots_sit_on_separate_cache_lines_and_keep_their_kind() {
    let name = unique("kinds");
    let region = open(&name, 4, 1).expect("create");
    let a = slot(&region, "a", 1).unwrap();
    let b = slot(&region, "b", 3).unwrap();
    assert_eq!(b - a, shm::SLOT as f64);
    assert_eq!(a as usize % shm::SLOT, 0);
    assert_eq!(slot(&region, "a", 4), Err((status::KIND_MISMATCH, 1.0)));
    assert_eq!(slot(&region, "", 1).unwrap_err().0, status::INVALID_NAME);
    assert_eq!(
        slot(&region, &"x".repeat(49), 1).unwrap_err().0,
        status::INVALID_NAME
    );
    assert_eq!(
        slot(&region, "k", 18).unwrap_err().0,
        status::INVALID_ARGUMENT
    );
    assert_eq!(open(&name, 4, 1).err(), Some((status::EXISTS, 0.0)));
    assert_eq!(unlink(&name), status::OK);
    assert_eq!(unlink(&name), status::NOT_FOUND);
    assert_eq!(open(&name, 4, 2).err(), Some((status::NOT_FOUND, 0.0)));
}

#[test]
fn invalid_names_and_arguments_are_refused() {
    for bad in ["", "a/b", ".", "..", "nul\0byte"] {
        assert_eq!(
            open(bad, 4, 0).err().map(|e| e.0),
            Some(status::INVALID_NAME),
            "{bad:?}"
        );
    }
    assert_eq!(
        open(&"x".repeat(241), 4, 0).err().map(|e| e.0),
        Some(status::INVALID_NAME)
    );
    let name = unique("args");
    assert_eq!(
        open(&name, 0, 0).err().map(|e| e.0),
        Some(status::INVALID_ARGUMENT)
    );
    assert_eq!(
        open(&name, 70_000, 0).err().map(|e| e.0),
        Some(status::INVALID_ARGUMENT)
    );
    assert_eq!(
        open(&name, 4, 3).err().map(|e| e.0),
        Some(status::INVALID_ARGUMENT)
    );
    assert_eq!(unlink(&name), status::NOT_FOUND);
}

#[test]
fn foreign_objects_and_other_layout_versions_are_refused() {
    let name = unique("foreign");
    std::fs::write(format!("/dev/shm/{name}"), [7u8; 4096]).unwrap();
    assert_eq!(open(&name, 4, 0).err(), Some((status::NOT_ATOMICX, 0.0)));
    let mut header = vec![0u8; shm::layout(1).1];
    header[..8].copy_from_slice(b"atomicx\0");
    header[8..12].copy_from_slice(&7u32.to_le_bytes());
    header[12..16].copy_from_slice(&2u32.to_le_bytes());
    std::fs::write(format!("/dev/shm/{name}"), &header).unwrap();
    assert_eq!(open(&name, 4, 0).err(), Some((status::LAYOUT_VERSION, 7.0)));
    // Zeroed and never initialised: refused after the (bounded) wait for a creator.
    std::fs::write(format!("/dev/shm/{name}"), vec![0u8; 4096]).unwrap();
    let started = Instant::now();
    assert_eq!(
        open(&name, 4, 0).err(),
        Some((status::NOT_INITIALISED, 0.0))
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn a_slot_claim_left_by_a_dead_process_is_taken_over() {
    let name = unique("dead");
    let region = open(&name, 2, 1).expect("create");
    // A process that has exited: its pid is free (and not reused within this test).
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    // Entry 0's state word says "being claimed by `dead`", as if it was killed mid-claim.
    let mapped = std::fs::read(format!("/dev/shm/{name}")).unwrap();
    assert_eq!(mapped.len(), shm::layout(2).1);
    let a = slot(&region, "first", 1).unwrap();
    let entry_state = (a as usize - shm::layout(2).0 + shm::HEADER) as *const AtomicU32;
    // SAFETY: entry 0's state word lies in the open mapping (header + directory precede data).
    let state = unsafe { &*entry_state };
    state.store(dead, SeqCst);
    // "first" is no longer visible (its entry is "being claimed"); adding a slot waits, sees the
    // claimer is dead and takes the entry over.
    let started = Instant::now();
    let b = slot(&region, "second", 3).expect("takeover");
    assert_eq!(b, a, "the dead claim's entry was reused");
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(region);
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn wait_and_wake_between_threads_on_a_region_slot() {
    let name = unique("wait");
    let region = open(&name, 2, 1).expect("create");
    let addr = slot(&region, "flag", 1).unwrap();
    // SAFETY (all calls below): `addr` is an int slot of the open region.
    assert_eq!(
        unsafe { wait::atomicx_int_wait(addr, 1.0, 0.0, region.handle, 0.0) },
        wait::NOT_EQUAL
    );
    assert_eq!(
        unsafe { wait::atomicx_int_wait(addr, 0.0, 10.0, region.handle, 0.0) },
        wait::TIMED_OUT
    );
    let handle = region.handle;
    let results = on_threads(2, |t| {
        if t == 0 {
            // SAFETY: as above.
            unsafe { wait::atomicx_int_wait(addr, 0.0, 10_000.0, handle, 0.0) }
        } else {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut woken = 0.0;
            while woken == 0.0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
                // SAFETY: as above.
                woken = unsafe { wait::atomicx_wake(addr, f64::INFINITY) };
            }
            woken
        }
    });
    assert_eq!(results, vec![wait::OK, 1.0]);
    drop(region);
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn a_spawned_waiter_reports_through_the_pipe_and_survives_close() {
    let name = unique("spawn");
    let region = open(&name, 2, 1).expect("create");
    let addr = slot(&region, "flag", 3).unwrap();
    let mut out = [0f64; 3];
    // SAFETY: `out` is a live local.
    assert_eq!(
        unsafe { wait::atomicx_pipe(address(out.as_mut_ptr())) },
        status::OK
    );
    // SAFETY: the read end is ours, owned by the File from here on.
    let mut reader = unsafe { std::fs::File::from_raw_fd(out[0] as i32) };
    // SAFETY: the region is open; the waiter gets a reference of its own.
    unsafe {
        assert_eq!(shm::atomicx_shm_retain(region.handle), status::OK);
        assert_eq!(
            wait::atomicx_wait_spawn(3.0, addr, 0.0, 10_000.0, region.handle, out[1], 42.0),
            status::OK
        );
    }
    // Close while the waiter sleeps: the mapping stays until the waiter lets go, and its next
    // wake-up reports "closed".
    std::thread::sleep(Duration::from_millis(20));
    drop(region);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut message = [0u8; 16];
    let mut woken = 0.0;
    while woken == 0.0 && Instant::now() < deadline {
        // SAFETY: the waiter's reference keeps the mapping; `addr` is its bool slot.
        woken = unsafe { wait::atomicx_wake(addr, 1.0) };
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(woken, 1.0);
    reader.read_exact(&mut message).unwrap();
    assert_eq!(f64::from_ne_bytes(message[..8].try_into().unwrap()), 42.0);
    assert_eq!(
        f64::from_ne_bytes(message[8..].try_into().unwrap()),
        wait::CLOSED
    );
    // SAFETY: the write end is ours.
    drop(unsafe { std::fs::File::from_raw_fd(out[1] as i32) });
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn a_created_region_is_allocated_not_sparse() {
    use std::os::unix::fs::MetadataExt;
    let name = unique("alloc");
    let region = open(&name, 512, 1).expect("create");
    let meta = std::fs::metadata(format!("/dev/shm/{name}")).unwrap();
    assert_eq!(meta.len() as usize, shm::layout(512).1);
    // Every page is reserved at creation (posix_fallocate), so a full tmpfs fails the open
    // instead of a later first write faulting with SIGBUS.
    assert!(
        meta.blocks() * 512 >= meta.len(),
        "{} blocks",
        meta.blocks()
    );
    drop(region);
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn a_claim_held_by_a_live_stuck_process_ends_with_an_error() {
    let name = unique("stuck");
    let region = open(&name, 2, 1).expect("create");
    let a = slot(&region, "first", 1).unwrap();
    // A live process that will never finish a claim: its pid sits in entry 0's state word.
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let entry_state = (a as usize - shm::layout(2).0 + shm::HEADER) as *const AtomicU32;
    // SAFETY: entry 0's state word lies in the open mapping (header + directory precede data).
    let state = unsafe { &*entry_state };
    state.store(child.id(), SeqCst);
    let started = Instant::now();
    assert_eq!(slot(&region, "second", 1), Err((status::CLAIM_STUCK, 0.0)));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(1000) && waited < Duration::from_secs(5));
    child.kill().unwrap();
    child.wait().unwrap();
    drop(region);
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn links_fifos_and_directories_are_refused_as_not_regular_files() {
    let target = unique("target");
    let region = open(&target, 1, 1).expect("create");
    let link = unique("link");
    std::os::unix::fs::symlink(format!("/dev/shm/{target}"), format!("/dev/shm/{link}")).unwrap();
    let fifo = unique("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(format!("/dev/shm/{fifo}"))
        .status()
        .unwrap();
    assert!(made.success());
    let dir = unique("dir");
    std::fs::create_dir(format!("/dev/shm/{dir}")).unwrap();
    for (name, how) in [
        (&link, 0),
        (&link, 2),
        (&fifo, 0),
        (&fifo, 2),
        (&dir, 0),
        (&dir, 2),
    ] {
        assert_eq!(
            open(name, 1, how).err(),
            Some((status::NOT_REGULAR_FILE, 0.0)),
            "{name} how {how}"
        );
    }
    std::fs::remove_file(format!("/dev/shm/{link}")).unwrap();
    std::fs::remove_file(format!("/dev/shm/{fifo}")).unwrap();
    std::fs::remove_dir(format!("/dev/shm/{dir}")).unwrap();
    drop(region);
    assert_eq!(unlink(&target), status::OK);
}

#[test]
fn a_truncated_region_is_refused_on_attach() {
    let name = unique("short");
    let region = open(&name, 64, 1).expect("create");
    drop(region);
    let path = format!("/dev/shm/{name}");
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(shm::layout(64).1 as u64 / 2).unwrap();
    assert_eq!(open(&name, 64, 2).err(), Some((status::TOO_SHORT, 0.0)));
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn a_region_of_another_user_is_refused_unless_allowed() {
    use std::os::unix::fs::MetadataExt;
    let name = unique("owner");
    let region = open(&name, 1, 1).expect("create");
    let path = format!("/dev/shm/{name}");
    let me = std::fs::metadata(&path).unwrap().uid();
    // Only root can give a file away; elsewhere the check is exercised by the same-owner case.
    let other = if me == 0 { 65_534 } else { me };
    let given = std::process::Command::new("chown")
        .arg(other.to_string())
        .arg(&path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if given && other != me {
        assert_eq!(
            open(&name, 1, 2).err(),
            Some((status::FOREIGN_OWNER, f64::from(other)))
        );
    }
    let allowed = open(&name, 1, 2 + shm::open_flags::ALLOW_FOREIGN_OWNER as u32);
    assert!(allowed.is_ok());
    drop(allowed);
    drop(region);
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn arrays_and_counters_own_runs_of_consecutive_slots() {
    let name = unique("runs");
    let region = open(&name, 16, 1).expect("create");
    let a = slot(&region, "a", 1).unwrap();
    // 40 ints: 320 bytes, three slots.
    let ints = run(&region, "ints", shm::kind::INT_ARRAY as u32, 40).unwrap();
    assert_eq!(ints - a, shm::SLOT as f64);
    // 33 bools: 132 bytes, two slots.
    let bools = run(&region, "bools", shm::kind::BOOL_ARRAY as u32, 33).unwrap();
    assert_eq!(bools - ints, 3.0 * shm::SLOT as f64);
    let counter = run(&region, "hits", shm::kind::COUNTER as u32, 8).unwrap();
    assert_eq!(counter - bools, 2.0 * shm::SLOT as f64);
    // An empty array still takes one slot.
    let empty = run(&region, "empty", shm::kind::FLOAT_ARRAY as u32, 0).unwrap();
    assert_eq!(empty - counter, 8.0 * shm::SLOT as f64);
    // 15 slots taken: the same names find the same runs, elements are shared.
    fetch_add(ints + 39.0 * 8.0, 5.0);
    assert_eq!(
        run(&region, "ints", shm::kind::INT_ARRAY as u32, 40),
        Ok(ints)
    );
    assert_eq!(load(ints + 39.0 * 8.0), 5.0);
    // Another length or kind under an existing name.
    assert_eq!(
        run(&region, "ints", shm::kind::INT_ARRAY as u32, 41),
        Err((status::LENGTH_MISMATCH, 40.0))
    );
    assert_eq!(
        run(&region, "ints", shm::kind::FLOAT_ARRAY as u32, 40),
        Err((status::KIND_MISMATCH, shm::kind::INT_ARRAY))
    );
    // A run that does not fit gives its claim back: the one slot left is still there.
    assert_eq!(
        run(&region, "big", shm::kind::INT_ARRAY as u32, 17),
        Err((status::FULL, 1.0))
    );
    let last = run(&region, "last", shm::kind::INT_ARRAY as u32, 16).unwrap();
    assert_eq!(last - empty, shm::SLOT as f64);
    assert_eq!(slot(&region, "more", 1), Err((status::FULL, 0.0)));
    // Lengths a kind does not allow.
    assert_eq!(
        run(&region, "x", 1, 2).unwrap_err().0,
        status::INVALID_ARGUMENT
    );
    assert_eq!(
        run(&region, "x", shm::kind::COUNTER as u32, 0)
            .unwrap_err()
            .0,
        status::INVALID_ARGUMENT
    );
    assert_eq!(
        run(&region, "x", shm::kind::COUNTER as u32, 65)
            .unwrap_err()
            .0,
        status::INVALID_ARGUMENT
    );
    assert_eq!(unlink(&name), status::OK);
}

/// `atomicx_shm_entry`: name, kind and length of entry `index`, or the status.
fn entry(region: &Open, index: u32) -> Result<(String, f64, f64), f64> {
    let mut out = [0f64; 3];
    let mut name = [0u8; shm::MAX_SLOT_NAME];
    // SAFETY: the region is open; `name` and `out` are live locals of the sizes the call needs.
    let s = unsafe {
        shm::atomicx_shm_entry(
            region.handle,
            f64::from(index),
            address(name.as_mut_ptr()),
            address(out.as_mut_ptr()),
        )
    };
    if s != status::OK {
        return Err(s);
    }
    let text = String::from_utf8(name[..out[2] as usize].to_vec()).unwrap();
    Ok((text, out[0], out[1]))
}

#[test]
fn entries_list_names_kinds_and_lengths_in_order() {
    let name = unique("entries");
    let region = open(&name, 16, 1).expect("create");
    assert_eq!(entry(&region, 0), Err(status::NOT_FOUND));
    slot(&region, "requests", 1).unwrap();
    run(
        &region,
        "latency-histogram-buckets",
        shm::kind::FLOAT_ARRAY as u32,
        12,
    )
    .unwrap();
    run(&region, "hits", shm::kind::COUNTER as u32, 8).unwrap();
    let long = "n".repeat(shm::MAX_SLOT_NAME);
    slot(&region, &long, shm::kind::MUTEX as u32).unwrap();
    assert_eq!(entry(&region, 0), Ok(("requests".into(), 1.0, 0.0)));
    assert_eq!(
        entry(&region, 1),
        Ok((
            "latency-histogram-buckets".into(),
            shm::kind::FLOAT_ARRAY,
            12.0
        ))
    );
    assert_eq!(
        entry(&region, 2),
        Ok(("hits".into(), shm::kind::COUNTER, 8.0))
    );
    assert_eq!(entry(&region, 3), Ok((long, shm::kind::MUTEX, 0.0)));
    assert_eq!(entry(&region, 4), Err(status::NOT_FOUND));
    assert_eq!(entry(&region, 1_000_000), Err(status::NOT_FOUND));
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn version_1_regions_are_refused() {
    let name = unique("v1");
    let mut header = vec![0u8; shm::layout(1).1];
    header[..8].copy_from_slice(b"atomicx\0");
    header[8..12].copy_from_slice(&1u32.to_le_bytes());
    header[12..16].copy_from_slice(&2u32.to_le_bytes());
    std::fs::write(format!("/dev/shm/{name}"), &header).unwrap();
    assert_eq!(open(&name, 4, 0).err(), Some((status::LAYOUT_VERSION, 1.0)));
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn an_entry_whose_run_leaves_the_region_is_refused_not_followed() {
    let name = unique("corrupt");
    let region = open(&name, 4, 1).expect("create");
    let a = slot(&region, "a", 1).unwrap();
    // Entry 0's first-slot field, as a process that is not atomicx could overwrite it.
    let first_slot = (a as usize - shm::layout(4).0 + shm::HEADER + 12) as *const AtomicU32;
    // SAFETY: entry 0 of the live mapping, 4-byte aligned.
    unsafe { (*first_slot).store(100, SeqCst) };
    assert_eq!(slot(&region, "a", 1), Err((status::NOT_ATOMICX, 0.0)));
    // The next entry would start past the end: the region reads as full, nothing is written.
    assert_eq!(slot(&region, "b", 1), Err((status::FULL, 0.0)));
    // Listing the directory refuses the entry too, as it does one whose name length is out of range.
    assert_eq!(entry(&region, 0).map(|_| ()), Err(status::NOT_ATOMICX));
    // SAFETY: as above.
    unsafe { (*first_slot).store(0, SeqCst) };
    assert_eq!(entry(&region, 0), Ok(("a".to_string(), 1.0, 0.0)));
    let name_len = (first_slot as usize - 4) as *const AtomicU32;
    for bad in [0, 49, u32::MAX] {
        // SAFETY: entry 0's name-length field in the live mapping, 4-byte aligned.
        unsafe { (*name_len).store(bad, SeqCst) };
        assert_eq!(entry(&region, 0).map(|_| ()), Err(status::NOT_ATOMICX));
    }
    assert_eq!(unlink(&name), status::OK);
}

#[test]
fn semaphores_rwlocks_and_barriers_own_their_holder_table_slots() {
    use shm::kind;
    for k in [kind::RWLOCK, kind::SEMAPHORE, kind::BARRIER] {
        assert_eq!(shm::slots_for(k, 0.0), Some(1 + shm::HOLDER_SLOTS));
        assert_eq!(shm::slots_for(k, 1.0), None);
    }
    for k in [kind::MUTEX, kind::CONDITION, kind::LATCH, kind::ONCE] {
        assert_eq!(shm::slots_for(k, 0.0), Some(1));
    }
    // 32 holders of five 4-byte words fit the table.
    assert!(32 * 5 * 4 <= shm::HOLDER_SLOTS as usize * 128);
}

#[test]
fn the_mapping_holds_every_slot_and_is_refused_once_closed() {
    let name = unique("mapping");
    let region = open(&name, 4, 0).unwrap();
    let value = slot(&region, "v", 1).unwrap();
    let mut out = [0f64; 3];
    // SAFETY: the region is open; `out` is a live local of three f64s.
    let s = unsafe { atomicx::view::atomicx_shm_mapping(region.handle, address(out.as_mut_ptr())) };
    assert_eq!(s, status::OK);
    let (base, len) = (out[0], out[1]);
    assert!(base > 0.0 && len >= 4.0 * 128.0, "{base} {len}");
    assert!(value >= base && value + 8.0 <= base + len);
    fetch_add(value, 41.0);
    // SAFETY: `value` is inside the live mapping (checked above), 8-byte aligned.
    let seen = unsafe { &*((value as usize) as *const std::sync::atomic::AtomicI64) };
    assert_eq!(seen.load(SeqCst), 41);
    let handle = region.handle;
    // SAFETY: the region is open; the reference taken keeps the handle valid after the close.
    assert_eq!(unsafe { shm::atomicx_shm_retain(handle) }, status::OK);
    drop(region);
    // SAFETY: the handle is still referenced (retained above); `out` is a live local.
    let s = unsafe { atomicx::view::atomicx_shm_mapping(handle, address(out.as_mut_ptr())) };
    assert_eq!(s, status::CLOSED);
    // SAFETY: gives back the reference taken above.
    unsafe { shm::atomicx_shm_release(handle) };
    unlink(&name);
}
