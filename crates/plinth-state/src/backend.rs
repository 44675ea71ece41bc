//! The interface every state storage implements (local files, S3, ...),
//! and the lock metadata they share.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::model::State;
use crate::statefile::StateFileError;

/// The name of the workspace that always exists.
pub const DEFAULT_WORKSPACE: &str = "default";

/// Where states are stored. Synchronous and object-safe: a backend whose
/// client is async blocks on its own runtime internally.
///
/// Each workspace has its own state snapshot and its own lock.
pub trait Backend: Send {
    /// All workspaces, `default` first, then the others sorted by name.
    fn workspaces(&self) -> Result<Vec<String>, BackendError>;

    /// Deletes a workspace's state. `force` lets remote backends delete a
    /// non-empty or locked one; `default` can never be deleted.
    fn delete_workspace(&mut self, name: &str, force: bool) -> Result<(), BackendError>;

    /// The latest snapshot, or `None` if the workspace has no state yet.
    fn read(&mut self, workspace: &str) -> Result<Option<State>, BackendError>;

    /// Persists a snapshot. Refuses a snapshot of another lineage, or one
    /// older (lower serial) than the stored one; callers bump the serial
    /// ([`State::bump_serial`]) when the state changed.
    fn write(&mut self, workspace: &str, state: &State) -> Result<(), BackendError>;

    /// Persists a snapshot without the lineage and serial checks of
    /// [`Backend::write`]: `state push -force`, and pushing over a state with
    /// no resources or outputs (which Terraform allows whatever its lineage).
    fn replace(&mut self, workspace: &str, state: &State) -> Result<(), BackendError> {
        self.write(workspace, state)
    }

    /// Takes the workspace's lock, retrying for up to `timeout`
    /// (`-lock-timeout`; zero tries once). Returns the lock's ID.
    fn lock(&mut self, workspace: &str, info: LockInfo, timeout: Duration) -> Result<LockId, BackendError>;

    /// Releases a lock this backend holds.
    fn unlock(&mut self, workspace: &str, id: &str) -> Result<(), BackendError>;

    /// Releases a lock that may be held by someone else (`force-unlock`).
    fn force_unlock(&mut self, workspace: &str, id: &str) -> Result<(), BackendError>;

    /// Where the intent journal of `workspace` lives on local disk, if this
    /// backend keeps it beside the state. Backends that return `None` get a
    /// journal under the working directory's `.terraform/`.
    fn journal_path(&self, workspace: &str) -> Option<std::path::PathBuf> {
        let _ = workspace;
        None
    }
}

/// The ID of a held lock.
pub type LockId = String;

/// Metadata stored alongside a lock, as Terraform records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation")]
    pub operation: String,
    #[serde(rename = "Info")]
    pub info: String,
    #[serde(rename = "Who")]
    pub who: String,
    #[serde(rename = "Version")]
    pub version: String,
    /// RFC 3339 timestamp in UTC, e.g. `2025-01-02T03:04:05.123456Z`.
    #[serde(rename = "Created")]
    pub created: String,
    /// The state's path (set by the backend).
    #[serde(rename = "Path")]
    pub path: String,
}

impl LockInfo {
    /// Lock metadata for `operation` (e.g. `"OperationTypeApply"`), with a
    /// fresh ID, `user@host`, and the current time.
    pub fn new(operation: impl Into<String>) -> Self {
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.into(),
            info: String::new(),
            who: format!("{}@{}", user_name(), hostname()),
            // The version of the program holding the lock (Terraform writes
            // its own): plinth's, not a Terraform version it is not.
            version: env!("CARGO_PKG_VERSION").to_string(),
            created: rfc3339_now(),
            path: String::new(),
        }
    }

    /// The compact JSON Terraform writes to lock info files.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("lock info serializes")
    }
}

impl fmt::Display for LockInfo {
    /// Terraform's "Lock Info:" block.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Go prints times as `2025-01-02 03:04:05.123 +0000 UTC`.
        let created = match self.created.strip_suffix('Z') {
            Some(t) => format!("{} +0000 UTC", t.replacen('T', " ", 1)),
            None => self.created.clone(),
        };
        writeln!(f, "Lock Info:")?;
        writeln!(f, "  ID:        {}", self.id)?;
        writeln!(f, "  Path:      {}", self.path)?;
        writeln!(f, "  Operation: {}", self.operation)?;
        writeln!(f, "  Who:       {}", self.who)?;
        writeln!(f, "  Version:   {}", self.version)?;
        writeln!(f, "  Created:   {created}")?;
        writeln!(f, "  Info:      {}", self.info)
    }
}

const LOCK_ERROR_HELP: &str = "plinth acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the \"-lock=false\"
flag, but this is not recommended.";

/// Errors from any backend.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// Someone else holds the lock.
    #[error("Error acquiring the state lock\n\nError message: {message}\n{}\n\n{LOCK_ERROR_HELP}", .info.as_ref().map(|i| i.to_string()).unwrap_or_default())]
    Locked { message: String, info: Option<Box<LockInfo>> },
    #[error("Error releasing the state lock: {message}{}", .info.as_ref().map(|i| format!("\n{i}")).unwrap_or_default())]
    Unlock { message: String, info: Option<Box<LockInfo>> },
    #[error("Failed to load state from {path}: {source}")]
    StateFile { path: PathBuf, source: StateFileError },
    #[error("cannot import state with lineage {new:?} over unrelated state with lineage {existing:?}")]
    LineageMismatch { existing: String, new: String },
    #[error("cannot import state with serial {new} over newer state with serial {existing}")]
    OlderSerial { existing: u64, new: u64 },
    #[error("cannot delete default state")]
    DeleteDefault,
    #[error("invalid workspace name {0:?}")]
    InvalidWorkspace(String),
    /// The state could not be encrypted or decrypted.
    #[error("{path}: {source}")]
    Encryption { path: String, source: plinth_encryption::EncryptionError },
    /// A remote store failed or refused (network, permissions, a conflicting
    /// write); the message says which.
    #[error("{0}")]
    Remote(String),
    #[error("{context} {path}: {source}")]
    Io { context: &'static str, path: PathBuf, source: std::io::Error },
}

/// The user running us, as Go's `os/user.Current` finds it (Terraform's
/// `Who`): the password database entry of our uid, else `$USER`.
fn user_name() -> String {
    #[cfg(unix)]
    {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        if let Ok(passwd) = std::fs::read_to_string("/etc/passwd") {
            for line in passwd.lines() {
                let mut f = line.split(':');
                if let (Some(name), Some(_), Some(id)) = (f.next(), f.next(), f.next()) {
                    if id.parse() == Ok(uid) && !name.is_empty() {
                        return name.to_string();
                    }
                }
            }
        }
    }
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_default()
}

fn hostname() -> String {
    for file in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(h) = std::fs::read_to_string(file) {
            let h = h.trim();
            if !h.is_empty() {
                return h.to_string();
            }
        }
    }
    std::env::var("HOSTNAME").or_else(|_| std::env::var("COMPUTERNAME")).unwrap_or_default()
}

/// The current time as Go's RFC 3339 with nanoseconds (trailing zeros
/// trimmed), in UTC.
pub(crate) fn rfc3339_now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339(d.as_secs() as i64, d.subsec_nanos())
}

fn rfc3339(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", tod / 3600, tod / 60 % 60, tod % 60);
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_info_names_a_user_and_plinths_version() {
        let info = super::LockInfo::new("OperationTypeApply");
        let (user, host) = info.who.split_once('@').unwrap();
        assert!(!user.is_empty() && !host.is_empty(), "{}", info.who);
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn rfc3339_formats_like_go() {
        assert_eq!(super::rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_700_000_000, 120_000_000), "2023-11-14T22:13:20.12Z");
        assert_eq!(super::rfc3339(951_782_400, 5), "2000-02-29T00:00:00.000000005Z");
    }
}
