//! The intent journal: an append-only log kept beside the state while an
//! apply runs. Before each create, update or delete the engine appends an
//! *intent* (address, action, a unique operation token); when the provider
//! answers, it appends the *result* (the new object, or its removal).
//!
//! One record is one line of JSON written with a single `write` call, so a
//! process killed at any moment leaves whole records plus, at worst, a torn
//! last line, which is ignored. The full state is written at the end of the
//! run and the journal removed. If a run dies first, the next run replays the
//! journal onto the state it reads: completed results are kept, and intents
//! with no result are handed back so the engine can look for the object the
//! provider may have created (tagged with the token) and adopt or forget it.
//!
//! A journal belongs to one state snapshot: its first record (`begin`) names
//! the lineage and serial of the state the run applied against. Its records
//! are replayed only onto that snapshot; against any other (another run wrote
//! newer state since) they are stale, and replaying them would overwrite
//! newer objects with older ones ([`Journal::matches`]).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::addr::AbsResourceInstance;
use crate::model::{DeposedKey, InstanceObject, State};
use crate::statefile::{object_from_json, object_to_json, StateFileError};

/// A journal read back: the snapshot it was written against, and its records.
#[derive(Debug, Clone, PartialEq)]
pub struct Journal {
    /// Lineage and serial from the `begin` record; `None` when the journal
    /// has records but no `begin` (written by an older plinth): then it
    /// cannot be tied to a snapshot and is never replayed.
    pub base: Option<(String, u64)>,
    pub entries: Vec<Entry>,
}

impl Journal {
    /// Whether the journal was written against this snapshot.
    pub fn matches(&self, state: &State) -> bool {
        self.base.as_ref().is_some_and(|(lineage, serial)| *lineage == state.lineage && *serial == state.serial)
    }

    /// How many changes the journal recorded as done (results, not intents).
    pub fn changes(&self) -> usize {
        self.entries.iter().filter(|e| !matches!(e, Entry::Intent { .. })).count()
    }
}

// One record at a time is built, written and dropped: the size of the
// largest variant (a whole object) costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// An operation is about to call the provider.
    Intent { token: String, addr: AbsResourceInstance, action: String, provider: String },
    /// The instance's current object (or, with `deposed`, a deposed one) is now `object`.
    Set { token: Option<String>, addr: AbsResourceInstance, provider: String, object: InstanceObject, deposed: Option<DeposedKey> },
    /// The current object (or the deposed one) is gone.
    Remove { token: Option<String>, addr: AbsResourceInstance, deposed: Option<DeposedKey> },
}

/// An intent the journal holds no result for: the run died during the call.
#[derive(Debug, Clone, PartialEq)]
pub struct Unfinished {
    pub token: String,
    pub addr: AbsResourceInstance,
    pub action: String,
    pub provider: String,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("could not read the intent journal {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("the intent journal {path} is corrupt at line {line}: {detail}. It was left untouched; the state file and its .backup are unchanged.")]
    Corrupt { path: String, line: usize, detail: String },
}

impl Entry {
    fn to_json(&self) -> Value {
        match self {
            Entry::Intent { token, addr, action, provider } => {
                json!({"op": "intent", "token": token, "addr": addr.to_string(), "action": action, "provider": provider})
            }
            Entry::Set { token, addr, provider, object, deposed } => json!({
                "op": "set", "token": token, "addr": addr.to_string(), "provider": provider,
                "object": object_to_json(object, deposed.as_ref()),
            }),
            Entry::Remove { token, addr, deposed } => json!({
                "op": "remove", "token": token, "addr": addr.to_string(), "deposed": deposed.as_ref().map(|d| d.as_str()),
            }),
        }
    }

    fn from_json(v: Value) -> Result<Entry, String> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let addr: AbsResourceInstance = s("addr").ok_or("missing addr")?.parse().map_err(|e| format!("bad address: {e}"))?;
        match s("op").as_deref() {
            Some("intent") => Ok(Entry::Intent {
                token: s("token").ok_or("missing token")?,
                addr,
                action: s("action").unwrap_or_default(),
                provider: s("provider").unwrap_or_default(),
            }),
            Some("set") => {
                let obj = v.get("object").cloned().ok_or("missing object")?;
                let (object, deposed) = object_from_json(&addr.resource, obj).map_err(|e: StateFileError| e.to_string())?;
                Ok(Entry::Set { token: s("token"), addr, provider: s("provider").unwrap_or_default(), object, deposed })
            }
            Some("remove") => Ok(Entry::Remove {
                token: s("token"),
                addr,
                deposed: match s("deposed") {
                    Some(d) => Some(DeposedKey::parse(&d).ok_or("bad deposed key")?),
                    None => None,
                },
            }),
            other => Err(format!("unknown record {other:?}")),
        }
    }
}

/// Appends records to a journal file.
pub struct JournalWriter {
    file: File,
    path: PathBuf,
}

impl JournalWriter {
    /// Starts a journal for a run applying against the snapshot of
    /// `lineage` and `serial`. A journal already at `path` is an error: it
    /// is recovered (or kept aside) before a run starts, never appended to.
    pub fn open(path: &Path, lineage: &str, serial: u64) -> io::Result<JournalWriter> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new().create_new(true).append(true).open(path)?;
        let mut line = serde_json::to_vec(&json!({"op": "begin", "lineage": lineage, "serial": serial})).map_err(io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line)?;
        Ok(JournalWriter { file, path: path.to_path_buf() })
    }

    /// One record, one `write` call: a kill leaves it whole or torn, never interleaved.
    pub fn append(&mut self, e: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(&e.to_json()).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }

    /// Flushes to disk (for durability across a machine crash, not just a kill).
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Removes the journal once the state holds everything it recorded.
    pub fn finish(self) -> io::Result<()> {
        drop(self.file);
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Reads a journal; `Ok(None)` when there is none. A torn last line (a kill
/// mid-write) is ignored; anything else unreadable is an error.
pub fn read_journal(path: &Path) -> Result<Option<Journal>, JournalError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(JournalError::Io { path: path.display().to_string(), source }),
    };
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(i) => &bytes[..=i],
        None => &bytes[..0],
    };
    let mut out = Vec::new();
    let mut base = None;
    for (n, line) in complete.split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let corrupt = |detail: String| JournalError::Corrupt { path: path.display().to_string(), line: n + 1, detail };
        let v: Value = serde_json::from_slice(line).map_err(|e| corrupt(e.to_string()))?;
        if v.get("op").and_then(Value::as_str) == Some("begin") {
            if n > 0 || base.is_some() {
                return Err(corrupt("a begin record after the first line".into()));
            }
            let lineage = v.get("lineage").and_then(Value::as_str).ok_or_else(|| corrupt("begin record without lineage".into()))?;
            let serial = v.get("serial").and_then(Value::as_u64).ok_or_else(|| corrupt("begin record without serial".into()))?;
            base = Some((lineage.to_string(), serial));
            continue;
        }
        out.push(Entry::from_json(v).map_err(corrupt)?);
    }
    Ok(Some(Journal { base, entries: out }))
}

/// Moves a journal that does not belong to the current state out of the way
/// (`<path>.stale-<n>`), kept for inspection and never replayed. Returns
/// where it went.
pub fn set_aside(path: &Path) -> io::Result<PathBuf> {
    for n in 1.. {
        let mut to = path.as_os_str().to_owned();
        to.push(format!(".stale-{n}"));
        let to = PathBuf::from(to);
        if to.exists() {
            continue;
        }
        std::fs::rename(path, &to)?;
        return Ok(to);
    }
    unreachable!("some suffix is free")
}

/// Applies the journal's results to `state`; returns the intents that never
/// got a result, in journal order.
pub fn replay(state: &mut State, entries: &[Entry]) -> Vec<Unfinished> {
    let mut open: Vec<Unfinished> = Vec::new();
    for e in entries {
        match e {
            Entry::Intent { token, addr, action, provider } => {
                open.push(Unfinished { token: token.clone(), addr: addr.clone(), action: action.clone(), provider: provider.clone() })
            }
            Entry::Set { token, addr, provider, object, deposed } => {
                match deposed {
                    Some(k) => state.set_deposed(addr, k.clone(), Some(object.clone()), provider),
                    None => state.set_current(addr, Some(object.clone()), provider),
                }
                close(&mut open, token.as_deref());
            }
            Entry::Remove { token, addr, deposed } => {
                let provider = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
                match deposed {
                    Some(k) => state.set_deposed(addr, k.clone(), None, &provider),
                    None => state.set_current(addr, None, &provider),
                }
                close(&mut open, token.as_deref());
            }
        }
    }
    open
}

fn close(open: &mut Vec<Unfinished>, token: Option<&str>) {
    if let Some(t) = token {
        open.retain(|u| u.token != t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> AbsResourceInstance {
        s.parse().unwrap()
    }

    #[test]
    fn replay_keeps_results_and_returns_unfinished_intents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut w = JournalWriter::open(&path, "L", 3).unwrap();
        let p = "provider[\"terraform.io/builtin/terraform\"]".to_string();
        w.append(&Entry::Intent { token: "t1".into(), addr: addr("terraform_data.a"), action: "create".into(), provider: p.clone() })
            .unwrap();
        w.append(&Entry::Set {
            token: Some("t1".into()),
            addr: addr("terraform_data.a"),
            provider: p.clone(),
            object: InstanceObject::new(json!({"id": "x"})),
            deposed: None,
        })
        .unwrap();
        w.append(&Entry::Intent { token: "t2".into(), addr: addr("terraform_data.b[0]"), action: "create".into(), provider: p }).unwrap();
        drop(w);
        // A torn final record, as a kill during `write` could leave.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"op\":\"set\",\"tok").unwrap();
        let journal = read_journal(&path).unwrap().unwrap();
        assert_eq!(journal.base, Some(("L".to_string(), 3)));
        assert_eq!(journal.entries.len(), 3);
        assert_eq!(journal.changes(), 1);
        let mut state = State::new();
        let open = replay(&mut state, &journal.entries);
        assert_eq!(state.current(&addr("terraform_data.a")).unwrap().attributes, json!({"id": "x"}));
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].token, "t2");
    }

    #[test]
    fn corrupt_middle_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, "not json\n{}\n").unwrap();
        let err = read_journal(&path).unwrap_err();
        assert!(err.to_string().contains("corrupt at line 1"), "{err}");
    }

    #[test]
    fn truncation_anywhere_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut w = JournalWriter::open(&path, "L", 1).unwrap();
        for i in 0..5 {
            w.append(&Entry::Set {
                token: Some(format!("t{i}")),
                addr: addr(&format!("terraform_data.r{i}")),
                provider: "p".into(),
                object: InstanceObject::new(json!({"id": i})),
                deposed: None,
            })
            .unwrap();
        }
        drop(w);
        let full = std::fs::read(&path).unwrap();
        for cut in 0..full.len() {
            std::fs::write(&path, &full[..cut]).unwrap();
            let r = read_journal(&path).unwrap().unwrap();
            assert!(r.entries.len() <= 5);
        }
    }

    #[test]
    fn a_journal_matches_only_the_snapshot_it_was_written_against() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut state = State::new();
        state.serial = 7;
        let w = JournalWriter::open(&path, &state.lineage, 7).unwrap();
        drop(w);
        assert!(JournalWriter::open(&path, &state.lineage, 7).is_err(), "an existing journal is never appended to");
        let j = read_journal(&path).unwrap().unwrap();
        assert!(j.matches(&state));
        state.serial = 8;
        assert!(!j.matches(&state), "newer state: stale");
        state.serial = 7;
        state.lineage = "other".into();
        assert!(!j.matches(&state), "another lineage: stale");
        // Without a begin record nothing ties the records to a snapshot.
        std::fs::write(&path, "{\"op\":\"remove\",\"token\":null,\"addr\":\"terraform_data.a\",\"deposed\":null}\n").unwrap();
        let j = read_journal(&path).unwrap().unwrap();
        assert!(!j.matches(&state));
        let aside = set_aside(&path).unwrap();
        assert!(!path.exists() && aside.ends_with("j.stale-1"));
    }
}
