//! Truncated and corrupt state and journal files (issue 9): a state file cut
//! at any 64th byte is reported clearly, naming the file, and never
//! overwritten, and `.backup` restores it; an intent journal cut anywhere
//! is a torn last record (what a kill mid-write leaves): its whole records
//! are recovered; a journal corrupt before its end is reported and kept.

use std::path::Path;

use crate::support::{Dir, Run};

const CONFIG: &str = r#"
variable "n" {
  type    = number
  default = 3
}
resource "terraform_data" "a" {
  count = var.n
  input = { name = "object-${count.index}", note = "padding so that the state spans a few hundred bytes per instance" }
}
resource "terraform_data" "b" {
  input = [for x in terraform_data.a : x.output.name]
}
"#;

fn no_panic(r: &Run, what: &str) {
    assert!(!r.stderr.contains("panicked") && !r.stdout.contains("panicked"), "{what}: plinth panicked\n{}\n{}", r.stdout, r.stderr);
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

#[test]
fn truncated_state_is_reported_never_overwritten_and_backup_restores() {
    let d = Dir::with(&[("main.tf", CONFIG)]);
    d.run(&["init"]).ok();
    d.run(&["apply", "-auto-approve"]).ok();
    // A second apply writes `.backup` (the state before it).
    d.run(&["apply", "-auto-approve", "-var", "n=4"]).ok();
    let state = d.path().join("terraform.tfstate");
    let backup = d.path().join("terraform.tfstate.backup");
    let original = read(&state);
    let original_backup = read(&backup);
    assert!(original.len() > 1000, "state too small to be interesting: {} bytes", original.len());

    let mut checked = 0;
    // From byte 0: an empty state beside a non-empty backup is refused too.
    for cut in (0..original.len()).step_by(64) {
        let what = format!("state cut at byte {cut} of {}", original.len());
        let truncated = &original[..cut];
        std::fs::write(&state, truncated).expect("write truncated state");
        for args in [&["plan", "-var", "n=4"][..], &["apply", "-auto-approve", "-var", "n=4"][..]] {
            let r = d.run(args);
            no_panic(&r, &what);
            assert_eq!(r.code, 1, "{what}: `{}` should fail\n{}\n{}", args.join(" "), r.stdout, r.stderr);
            assert!(r.stderr.contains("terraform.tfstate"), "{what}: the error does not name the file:\n{}", r.stderr);
            assert_eq!(read(&state), truncated, "{what}: `{}` changed the truncated state file", args.join(" "));
            assert_eq!(read(&backup), original_backup, "{what}: `{}` changed the backup", args.join(" "));
        }
        checked += 1;
    }
    eprintln!("truncation: state cut at {checked} offsets (every 64th byte of {}): each reported, none overwritten", original.len());
    assert!(checked >= 15, "only {checked} offsets");

    // Recovery: the backup is the state before the last apply.
    std::fs::copy(&backup, &state).expect("restore the backup");
    let plan = d.run(&["plan", "-detailed-exitcode", "-var", "n=4"]);
    no_panic(&plan, "plan from the backup");
    assert_eq!(plan.code, 2, "the backup is one apply behind: one to add, one to change\n{}\n{}", plan.stdout, plan.stderr);
    d.run(&["apply", "-auto-approve", "-var", "n=4"]).ok();
    let plan = d.run(&["plan", "-detailed-exitcode", "-var", "n=4"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
}

/// A journal as an apply that died before writing the state leaves it: the
/// state of `count = 3`, and the journal of an apply to `count = 6` with the
/// creates of `a[3]`..`a[5]` done, then an unfinished update of `b`.
fn interrupted(d: &Dir) -> (Vec<u8>, Vec<u8>) {
    d.run(&["init"]).ok();
    d.run(&["apply", "-auto-approve"]).ok();
    let state = d.path().join("terraform.tfstate");
    let three = read(&state);
    d.run(&["apply", "-auto-approve", "-var", "n=6"]).ok();
    let six: serde_json::Value = serde_json::from_slice(&read(&state)).expect("state JSON");
    let a = six["resources"].as_array().unwrap().iter().find(|r| r["name"] == "a").expect("terraform_data.a").clone();
    let provider = a["provider"].as_str().expect("provider").to_string();
    // The journal names the state it was written against: `three`.
    let base: serde_json::Value = serde_json::from_slice(&three).expect("state JSON");
    let mut journal = serde_json::json!({"op": "begin", "lineage": base["lineage"], "serial": base["serial"]}).to_string();
    journal += "\n";
    for inst in a["instances"].as_array().unwrap() {
        let i = inst["index_key"].as_u64().expect("index_key");
        if i < 3 {
            continue;
        }
        let mut object = inst.clone();
        object.as_object_mut().unwrap().remove("index_key");
        let addr = format!("terraform_data.a[{i}]");
        let token = format!("token-{i}");
        journal += &serde_json::json!({"op": "intent", "token": token, "addr": addr, "action": "create", "provider": provider}).to_string();
        journal += "\n";
        journal += &serde_json::json!({"op": "set", "token": token, "addr": addr, "provider": provider, "object": object}).to_string();
        journal += "\n";
    }
    journal +=
        &serde_json::json!({"op": "intent", "token": "token-b", "addr": "terraform_data.b", "action": "update", "provider": provider})
            .to_string();
    journal += "\n";
    std::fs::write(&state, &three).expect("write state");
    (three, journal.into_bytes())
}

#[test]
fn truncated_journal_keeps_its_whole_records_and_a_corrupt_one_is_kept_untouched() {
    let d = Dir::with(&[("main.tf", CONFIG)]);
    let (three, journal) = interrupted(&d);
    let state = d.path().join("terraform.tfstate");
    let jpath = d.path().join("terraform.tfstate.journal");

    // The whole journal: three creates kept, the state matches `n = 6`
    // (`b`'s unfinished update is planned again).
    std::fs::write(&jpath, &journal).expect("write journal");
    let r = d.run(&["plan", "-var", "n=6"]).ok();
    assert!(r.stdout.contains("Recovered an interrupted run: 3 completed change(s) kept;"), "{}", r.stdout);
    assert!(r.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{}", r.stdout);
    assert!(!jpath.exists(), "the journal is removed once the state holds it");

    let mut checked = 0;
    for cut in (0..journal.len()).step_by(64) {
        let what = format!("journal cut at byte {cut} of {}", journal.len());
        std::fs::write(&state, &three).expect("write state");
        std::fs::write(&jpath, &journal[..cut]).expect("write journal");
        // Whole records after the `begin` line; the results among them.
        let whole = journal[..cut].iter().filter(|&&b| b == b'\n').count().saturating_sub(1);
        let r = d.run(&["plan", "-var", "n=6"]);
        no_panic(&r, &what);
        assert_eq!(r.code, 0, "{what}\n{}\n{}", r.stdout, r.stderr);
        let created = (whole / 2).min(3);
        if whole > 0 {
            assert!(
                r.stdout.contains(&format!("Recovered an interrupted run: {created} completed change(s) kept;")),
                "{what}\n{}",
                r.stdout
            );
        }
        assert!(
            r.stdout.contains(&format!("Plan: {} to add, 1 to change, 0 to destroy.", 3 - created)),
            "{what}: {created} creates recovered\n{}",
            r.stdout
        );
        assert!(!jpath.exists(), "{what}: the journal is removed once the state holds it");
        checked += 1;
    }
    eprintln!("truncation: journal cut at {checked} offsets (every 64th byte of {}): whole records recovered each time", journal.len());

    // Corrupt before its end (not a torn last line): reported, nothing written.
    let mut corrupt = journal.clone();
    let second_line = corrupt.iter().position(|&b| b == b'\n').unwrap() + 1;
    corrupt[second_line + 2] = b'#';
    std::fs::write(&state, &three).expect("write state");
    std::fs::write(&jpath, &corrupt).expect("write journal");
    for args in [&["plan", "-var", "n=6"][..], &["apply", "-auto-approve", "-var", "n=6"][..]] {
        let r = d.run(args);
        no_panic(&r, "corrupt journal");
        assert_eq!(r.code, 1, "`{}` with a corrupt journal\n{}\n{}", args.join(" "), r.stdout, r.stderr);
        assert!(r.stderr.contains("terraform.tfstate.journal") && r.stderr.contains("corrupt at line 2"), "{}", r.stderr);
        assert_eq!(read(&jpath), corrupt, "`{}` changed the corrupt journal", args.join(" "));
        assert_eq!(read(&state), three, "`{}` changed the state", args.join(" "));
    }

    // A truncated state beside a journal: the state error, both files kept.
    let cut = &three[..three.len() / 2];
    std::fs::write(&state, cut).expect("write state");
    std::fs::write(&jpath, &journal).expect("write journal");
    let r = d.run(&["plan", "-var", "n=6"]);
    no_panic(&r, "truncated state and a journal");
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("terraform.tfstate"), "{}", r.stderr);
    assert_eq!(read(&state), cut);
    assert_eq!(read(&jpath), journal);
}
