use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use plinth_state::statefile::read_state;
use plinth_state::{AbsResourceInstance, Backend, BackendError, InstanceObject, LocalBackend, LockInfo, State};
use serde_json::json;

fn state_with(lineage: &str, serial: u64, n: usize) -> State {
    let mut s = State::new();
    s.lineage = lineage.into();
    s.serial = serial;
    let p = r#"provider["registry.terraform.io/hashicorp/null"]"#;
    for i in 0..n {
        let a: AbsResourceInstance = format!("null_resource.r[{i}]").parse().unwrap();
        s.set_current(&a, Some(InstanceObject::new(json!({"id": i.to_string(), "serial": serial}))), p);
    }
    s
}

#[test]
fn read_missing_and_empty_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = LocalBackend::new(dir.path());
    assert!(b.read("default").unwrap().is_none());
    fs::write(dir.path().join("terraform.tfstate"), "").unwrap();
    assert!(b.read("default").unwrap().is_none());
    fs::write(dir.path().join("terraform.tfstate"), "{\"version\": 4,").unwrap();
    let err = b.read("default").unwrap_err();
    assert!(matches!(err, BackendError::StateFile { .. }), "{err}");
}

#[test]
fn write_then_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = LocalBackend::new(dir.path());
    let s = state_with("lin", 1, 3);
    b.write("default", &s).unwrap();
    assert_eq!(b.read("default").unwrap().unwrap(), s);
    // Another backend instance sees the same.
    assert_eq!(LocalBackend::new(dir.path()).read("default").unwrap().unwrap(), s);
    // No temporary files left behind.
    let names: Vec<String> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, ["terraform.tfstate"]);
}

#[test]
fn backup_holds_the_snapshot_from_before_the_session() {
    let dir = tempfile::tempdir().unwrap();
    LocalBackend::new(dir.path()).write("default", &state_with("lin", 1, 1)).unwrap();
    assert!(!dir.path().join("terraform.tfstate.backup").exists());

    let mut b = LocalBackend::new(dir.path());
    b.write("default", &state_with("lin", 2, 2)).unwrap();
    let backup = fs::read(dir.path().join("terraform.tfstate.backup")).unwrap();
    assert_eq!(read_state(&backup).unwrap().serial, 1);
    // Later writes in the same session keep the original backup.
    b.write("default", &state_with("lin", 3, 3)).unwrap();
    let backup = fs::read(dir.path().join("terraform.tfstate.backup")).unwrap();
    assert_eq!(read_state(&backup).unwrap().serial, 1);

    let mut nb = LocalBackend::new(dir.path()).without_backups();
    nb.write("default", &state_with("lin", 4, 1)).unwrap();
    let backup = fs::read(dir.path().join("terraform.tfstate.backup")).unwrap();
    assert_eq!(read_state(&backup).unwrap().serial, 1);
}

#[test]
fn refuses_other_lineage_and_older_serial() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = LocalBackend::new(dir.path());
    b.write("default", &state_with("lin", 5, 1)).unwrap();

    let err = b.write("default", &state_with("other", 9, 1)).unwrap_err();
    assert_eq!(err.to_string(), r#"cannot import state with lineage "other" over unrelated state with lineage "lin""#);
    let err = b.write("default", &state_with("lin", 4, 1)).unwrap_err();
    assert_eq!(err.to_string(), "cannot import state with serial 4 over newer state with serial 5");
    assert_eq!(b.read("default").unwrap().unwrap().serial, 5);

    // The check sees changes made by another writer, not just our cache.
    let mut other = LocalBackend::new(dir.path());
    other.write("default", &state_with("lin", 7, 1)).unwrap();
    assert!(matches!(b.write("default", &state_with("lin", 6, 1)), Err(BackendError::OlderSerial { existing: 7, new: 6 })));
    // Same serial (rewriting the same snapshot) and newer are fine.
    b.write("default", &state_with("lin", 7, 2)).unwrap();
    b.write("default", &state_with("lin", 8, 2)).unwrap();
}

#[test]
fn readers_see_old_or_new_never_partial() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terraform.tfstate");
    let mut b = LocalBackend::new(dir.path()).without_backups();
    b.write("default", &state_with("lin", 1, 200)).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let bytes = fs::read(&path).unwrap();
                let s = read_state(&bytes).expect("a reader saw a partial file");
                assert!(s.instance_count() == 200 || s.instance_count() == 400);
                reads += 1;
            }
            reads
        })
    };
    for serial in 2..40 {
        b.write("default", &state_with("lin", serial, if serial % 2 == 0 { 400 } else { 200 })).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
}

#[test]
fn lock_contention_and_release() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = LocalBackend::new(dir.path());
    let mut second = LocalBackend::new(dir.path());

    let mut info = LockInfo::new("OperationTypeApply");
    info.info = "first".into();
    let id = first.lock("default", info, Duration::ZERO).unwrap();

    let info_file = dir.path().join(".terraform.tfstate.lock.info");
    let recorded: serde_json::Value = serde_json::from_slice(&fs::read(&info_file).unwrap()).unwrap();
    let keys: Vec<&String> = recorded.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"]);
    assert_eq!(recorded["ID"], id.as_str());
    assert!(recorded["Path"].as_str().unwrap().ends_with("terraform.tfstate"));

    let err = second.lock("default", LockInfo::new("OperationTypePlan"), Duration::ZERO).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("Error acquiring the state lock\n\nError message: "), "{msg}");
    assert!(msg.contains(&format!("  ID:        {id}\n")), "{msg}");
    assert!(msg.contains("  Operation: OperationTypeApply\n"), "{msg}");
    assert!(msg.contains("  Info:      first\n"), "{msg}");
    assert!(msg.contains("-lock=false"), "{msg}");

    // Wrong ID does not unlock.
    assert!(first.unlock("default", "nope").is_err());
    assert!(second.unlock("default", &id).is_err());
    // The holder can still write while locked.
    first.write("default", &state_with("lin", 1, 1)).unwrap();

    first.unlock("default", &id).unwrap();
    assert!(!info_file.exists());
    let id2 = second.lock("default", LockInfo::new("OperationTypePlan"), Duration::ZERO).unwrap();
    second.unlock("default", &id2).unwrap();
}

#[test]
fn lock_timeout_waits_for_release() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = LocalBackend::new(dir.path());
    let id = first.lock("default", LockInfo::new("OperationTypeApply"), Duration::ZERO).unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        first.unlock("default", &id).unwrap();
    });
    let mut second = LocalBackend::new(dir.path());
    let start = Instant::now();
    // Too short a timeout fails...
    assert!(second.lock("default", LockInfo::new("x"), Duration::from_millis(50)).is_err());
    // ...a long enough one succeeds once the holder lets go.
    let id2 = second.lock("default", LockInfo::new("x"), Duration::from_secs(10)).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(250));
    holder.join().unwrap();
    second.unlock("default", &id2).unwrap();
}

#[test]
fn dropping_a_backend_releases_its_locks() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = LocalBackend::new(dir.path());
    first.lock("default", LockInfo::new("a"), Duration::ZERO).unwrap();
    drop(first);
    let mut second = LocalBackend::new(dir.path());
    second.lock("default", LockInfo::new("b"), Duration::ZERO).unwrap();
}

#[test]
fn force_unlock() {
    let dir = tempfile::tempdir().unwrap();
    // A stale info file left by a crashed process does not block anyone,
    // and force-unlock clears it.
    let stale = LockInfo::new("OperationTypeApply");
    fs::write(dir.path().join(".terraform.tfstate.lock.info"), stale.to_json()).unwrap();
    let mut b = LocalBackend::new(dir.path());
    assert!(b.force_unlock("default", "wrong-id").is_err());
    b.force_unlock("default", &stale.id).unwrap();
    assert!(b.lock_info("default").is_none());

    // A live lock held elsewhere can't be broken.
    let mut holder = LocalBackend::new(dir.path());
    let id = holder.lock("default", LockInfo::new("OperationTypeApply"), Duration::ZERO).unwrap();
    let err = b.force_unlock("default", &id).unwrap_err();
    assert!(err.to_string().contains("Local state cannot be unlocked by another process"), "{err}");
    // The holder itself can.
    holder.force_unlock("default", &id).unwrap();
    b.lock("default", LockInfo::new("x"), Duration::ZERO).unwrap();
}

#[test]
fn workspaces() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = LocalBackend::new(dir.path());
    assert_eq!(b.workspaces().unwrap(), ["default"]);
    b.write("staging", &state_with("s", 1, 1)).unwrap();
    b.write("prod", &state_with("p", 1, 1)).unwrap();
    assert!(dir.path().join("terraform.tfstate.d/prod/terraform.tfstate").exists());
    assert_eq!(b.workspaces().unwrap(), ["default", "prod", "staging"]);
    assert_eq!(b.read("prod").unwrap().unwrap().lineage, "p");

    // Locks are per workspace.
    let id = b.lock("prod", LockInfo::new("a"), Duration::ZERO).unwrap();
    assert!(dir.path().join("terraform.tfstate.d/prod/.terraform.tfstate.lock.info").exists());
    let mut other = LocalBackend::new(dir.path());
    other.lock("staging", LockInfo::new("b"), Duration::ZERO).unwrap();
    assert!(other.lock("prod", LockInfo::new("b"), Duration::ZERO).is_err());
    b.unlock("prod", &id).unwrap();

    assert!(matches!(b.delete_workspace("default", false), Err(BackendError::DeleteDefault)));
    assert!(b.delete_workspace("../x", false).is_err());
    assert!(b.read("a/b").is_err());
    b.delete_workspace("prod", false).unwrap();
    assert_eq!(b.workspaces().unwrap(), ["default", "staging"]);
}

#[test]
fn backend_is_object_safe() {
    let dir = tempfile::tempdir().unwrap();
    let mut b: Box<dyn Backend> = Box::new(LocalBackend::new(dir.path()));
    b.write("default", &state_with("l", 1, 1)).unwrap();
    assert!(b.read("default").unwrap().is_some());
}

const CHILD_DIR_VAR: &str = "PLINTH_STATE_LOCK_CHILD_DIR";

/// Run in a child process by `lock_held_by_another_process`; does nothing
/// in a normal test run.
#[test]
fn lock_child_process_helper() {
    let Ok(dir) = std::env::var(CHILD_DIR_VAR) else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let mut b = LocalBackend::new(&dir);
    let mut info = LockInfo::new("OperationTypeApply");
    info.info = "child".into();
    b.lock("default", info, Duration::ZERO).unwrap();
    fs::write(dir.join("locked"), "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.join("release").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Exit without unlocking: the OS lock must die with the process.
    std::process::exit(0);
}

#[test]
fn lock_held_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "local::lock_child_process_helper", "--test-threads=1"])
        .env(CHILD_DIR_VAR, dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.path().join("locked").exists() {
        assert!(Instant::now() < deadline, "child never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut b = LocalBackend::new(dir.path());
    let err = b.lock("default", LockInfo::new("OperationTypePlan"), Duration::ZERO).unwrap_err();
    assert!(err.to_string().contains("  Info:      child\n"), "{err}");
    assert!(b.force_unlock("default", &b.lock_info("default").unwrap().id).is_err());

    fs::write(dir.path().join("release"), "").unwrap();
    assert!(child.wait().unwrap().success());
    // The child died holding the lock: its info file is stale, not binding.
    assert!(b.lock_info("default").is_some());
    b.lock("default", LockInfo::new("OperationTypePlan"), Duration::from_secs(10)).unwrap();
}
