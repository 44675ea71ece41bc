//! The local backend: state files on disk, as Terraform lays them out.
//!
//! - `default` workspace: `terraform.tfstate` (or the configured path);
//!   others: `terraform.tfstate.d/<name>/terraform.tfstate`.
//! - Writes are atomic: a temporary file in the same directory is written,
//!   fsynced and renamed over the state, then the directory is fsynced, so a
//!   crash leaves either the old or the new snapshot.
//! - The first write of a session copies the snapshot it replaces to
//!   `<path>.backup` (as Terraform does), so the backup is the state from
//!   before the run; later writes don't copy again.
//! - Locking, as Terraform locks a local state, so that Terraform and plinth
//!   exclude each other: a POSIX `fcntl` write lock on the whole state file
//!   (created empty if missing, and removed again at unlock if still empty),
//!   with Terraform's lock info JSON in `.terraform.tfstate.lock.info` beside
//!   it. plinth takes the lock as an open-file-description lock
//!   (`F_OFD_SETLK`, Linux): it conflicts with Terraform's `F_SETLK` lock but,
//!   unlike it, is not dropped when plinth closes another descriptor of the
//!   same file. The OS lock dies with its process, so a crashed run never
//!   leaves the state locked. Writes replace the state file (atomically), so
//!   the new file is locked before it is renamed into place, and the replaced
//!   ones stay locked until unlock. Elsewhere than Linux the lock is `flock`
//!   (`LockFileEx` on Windows) on the state file: plinth runs exclude each
//!   other, but not Terraform.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use plinth_encryption::{decrypt_opt, encrypt_opt, Encryptor};

use crate::backend::{rfc3339_now, Backend, BackendError, LockId, LockInfo, DEFAULT_WORKSPACE};
use crate::model::State;
use crate::statefile::{self, StateFileError};

pub const DEFAULT_STATE_FILENAME: &str = "terraform.tfstate";
pub const DEFAULT_WORKSPACE_DIR: &str = "terraform.tfstate.d";
pub const DEFAULT_BACKUP_SUFFIX: &str = ".backup";

/// State files in a directory.
#[derive(Debug)]
pub struct LocalBackend {
    state_path: PathBuf,
    workspace_dir: PathBuf,
    backups: bool,
    workspaces: HashMap<String, WorkspaceFiles>,
    encryption: Option<Arc<Encryptor>>,
}

#[derive(Debug, Default)]
struct WorkspaceFiles {
    lock: Option<HeldLock>,
    /// The lock created the (empty) state file: an empty file is then no
    /// state, not a truncated one.
    created_by_lock: bool,
    /// What we last saw on disk, to skip re-reading it before each write.
    on_disk: Option<DiskSnapshot>,
    backed_up: bool,
}

#[derive(Debug)]
struct HeldLock {
    id: LockId,
    /// The locked state file, then each file a write renamed over it: whoever
    /// opened one of those before the rename must still find it locked.
    files: Vec<File>,
    state_path: PathBuf,
    info_path: PathBuf,
    /// Whether the lock created the state file (then removed if still empty).
    created: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct DiskSnapshot {
    fingerprint: Fingerprint,
    lineage: String,
    serial: u64,
}

/// Identifies a version of a file without reading it.
#[derive(Debug, Clone, PartialEq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Fingerprint {
    fn of(meta: &fs::Metadata) -> Self {
        Fingerprint {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
        }
    }
}

impl LocalBackend {
    /// Terraform's default layout in `dir`.
    pub fn new(dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref();
        Self::with_paths(dir.join(DEFAULT_STATE_FILENAME), dir.join(DEFAULT_WORKSPACE_DIR))
    }

    /// `state_path` for the default workspace (`path` in the backend
    /// block), `workspace_dir` for the others (`workspace_dir`).
    pub fn with_paths(state_path: impl Into<PathBuf>, workspace_dir: impl Into<PathBuf>) -> Self {
        LocalBackend {
            state_path: state_path.into(),
            workspace_dir: workspace_dir.into(),
            backups: true,
            workspaces: HashMap::new(),
            encryption: None,
        }
    }

    /// Encrypts states written and decrypts states read (OpenTofu's format).
    pub fn with_encryption(mut self, encryption: Option<Arc<Encryptor>>) -> Self {
        self.encryption = encryption;
        self
    }

    fn decrypt(&self, path: &Path, bytes: &[u8]) -> Result<Vec<u8>, BackendError> {
        decrypt_opt(self.encryption.as_deref(), bytes, "state")
            .map_err(|source| BackendError::Encryption { path: path.display().to_string(), source })
    }

    /// Disables `.backup` files (`-backup=-`).
    pub fn without_backups(mut self) -> Self {
        self.backups = false;
        self
    }

    /// The state file of a workspace.
    pub fn state_path(&self, workspace: &str) -> PathBuf {
        if workspace == DEFAULT_WORKSPACE {
            self.state_path.clone()
        } else {
            self.workspace_dir.join(workspace).join(DEFAULT_STATE_FILENAME)
        }
    }

    /// The backup file of a workspace's state.
    pub fn backup_path(&self, workspace: &str) -> PathBuf {
        let mut p = self.state_path(workspace).into_os_string();
        p.push(DEFAULT_BACKUP_SUFFIX);
        PathBuf::from(p)
    }

    /// The lock info file of a workspace: `.terraform.tfstate.lock.info`
    /// beside its state file.
    pub fn lock_info_path(&self, workspace: &str) -> PathBuf {
        let state = self.state_path(workspace);
        let name = state.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = name.strip_prefix('.').unwrap_or(&name);
        state.with_file_name(format!(".{name}.lock.info"))
    }

    /// The lock info currently recorded for a workspace, if any.
    pub fn lock_info(&self, workspace: &str) -> Option<LockInfo> {
        let text = fs::read_to_string(self.lock_info_path(workspace)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn boxed_lock_info(&self, workspace: &str) -> Option<Box<LockInfo>> {
        self.lock_info(workspace).map(Box::new)
    }

    fn check_name(name: &str) -> Result<(), BackendError> {
        let bad = name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) || name.chars().any(char::is_control);
        if bad {
            return Err(BackendError::InvalidWorkspace(name.to_string()));
        }
        Ok(())
    }

    fn files(&mut self, workspace: &str) -> &mut WorkspaceFiles {
        self.workspaces.entry(workspace.to_string()).or_default()
    }

    /// Lineage and serial of the stored snapshot, reading the file only if
    /// it changed since we last read or wrote it.
    fn stored_meta(&mut self, workspace: &str, path: &Path) -> Result<Option<DiskSnapshot>, BackendError> {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(io_err("could not inspect", path, source)),
        };
        let fingerprint = Fingerprint::of(&meta);
        if let Some(known) = &self.files(workspace).on_disk {
            if known.fingerprint == fingerprint {
                return Ok(Some(known.clone()));
            }
        }
        let bytes = read_file(path)?;
        if bytes.is_empty() {
            return Ok(None);
        }
        // A state we can't decrypt is protected: writing over it would lose it.
        let bytes = self.decrypt(path, &bytes)?;
        #[derive(serde::Deserialize)]
        struct Meta {
            #[serde(default)]
            lineage: String,
            #[serde(default)]
            serial: u64,
        }
        // A stored file we can't parse is not protected: `state push` of a
        // good snapshot over it is a way to recover.
        let Ok(m) = serde_json::from_slice::<Meta>(&bytes) else {
            return Ok(None);
        };
        let snap = DiskSnapshot { fingerprint, lineage: m.lineage, serial: m.serial };
        self.files(workspace).on_disk = Some(snap.clone());
        Ok(Some(snap))
    }

    fn try_lock(&mut self, workspace: &str, info: &LockInfo) -> Result<Option<LockId>, BackendError> {
        let path = self.state_path(workspace);
        let info_path = self.lock_info_path(workspace);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| io_err("could not create directory", dir, e))?;
        }
        loop {
            let existed = fs::symlink_metadata(&path).is_ok();
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| io_err("could not open state file", &path, e))?;
            let acquired = os_lock::try_lock(&file).map_err(|e| io_err("could not lock", &path, e))?;
            if !acquired {
                return Ok(None);
            }
            // A writer may have renamed a new state file over the one we
            // opened before we locked it; then our lock protects nothing. Retry.
            if !same_file(&file, &path) {
                continue;
            }
            let mut info = info.clone();
            // Terraform records the path as configured, relative paths without `./`.
            let shown = path.to_string_lossy();
            info.path = shown.strip_prefix("./").unwrap_or(&shown).to_string();
            info.created = rfc3339_now();
            write_lock_info(&info_path, &info).map_err(|e| io_err("could not write lock info", &info_path, e))?;
            let id = info.id.clone();
            let created = !existed;
            let files = self.files(workspace);
            files.created_by_lock = created;
            files.lock = Some(HeldLock { id: id.clone(), files: vec![file], state_path: path, info_path, created });
            return Ok(Some(id));
        }
    }

    fn release(lock: HeldLock) -> Result<(), BackendError> {
        // Remove the info file while still holding the lock, so nobody sees
        // a stale one.
        let removed = fs::remove_file(&lock.info_path);
        if lock.created && fs::metadata(&lock.state_path).is_ok_and(|m| m.len() == 0) {
            let _ = fs::remove_file(&lock.state_path);
        }
        let mut unlocked = Ok(());
        for f in &lock.files {
            if let Err(e) = os_lock::unlock(f) {
                unlocked = Err(e);
            }
        }
        drop(lock.files);
        match removed {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_err("could not remove", &lock.info_path, e)),
            _ => {}
        }
        unlocked.map_err(|e| io_err("could not unlock", &lock.state_path, e))
    }
}

impl LocalBackend {
    /// Writes a snapshot; `check` refuses another lineage or an older serial.
    fn write_snapshot(&mut self, workspace: &str, state: &State, check: bool) -> Result<(), BackendError> {
        Self::check_name(workspace)?;
        let path = self.state_path(workspace);
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).map_err(|e| io_err("could not create directory", &dir, e))?;

        let stored = self.stored_meta(workspace, &path)?;
        if let Some(stored) = stored.as_ref().filter(|_| check) {
            if !stored.lineage.is_empty() && stored.lineage != state.lineage {
                return Err(BackendError::LineageMismatch { existing: stored.lineage.clone(), new: state.lineage.clone() });
            }
            if stored.serial > state.serial {
                return Err(BackendError::OlderSerial { existing: stored.serial, new: state.serial });
            }
        }

        if self.backups && !self.files(workspace).backed_up {
            // Written like the state (a temporary file renamed into place),
            // so a full disk leaves the previous backup whole, never a
            // truncated one.
            let previous = match fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(io_err("failed to read the state to back up", &path, e)),
            };
            if !previous.is_empty() {
                let backup = self.backup_path(workspace);
                let (tmp, _) = write_temp(&dir, &backup, |w| w.write_all(&previous)).map_err(|e| BackendError::Io {
                    context: "failed to create local state backup file",
                    path: backup.clone(),
                    source: io::Error::other(e.to_string()),
                })?;
                if let Err(e) = fs::rename(&tmp, &backup) {
                    let _ = fs::remove_file(&tmp);
                    return Err(io_err("failed to create local state backup file", &backup, e));
                }
            }
            self.files(workspace).backed_up = true;
        }

        let (tmp, tmp_file) = if self.encryption.is_some() {
            let sealed = encrypt_opt(self.encryption.as_deref(), statefile::to_bytes(state))
                .map_err(|source| BackendError::Encryption { path: path.display().to_string(), source })?;
            write_temp(&dir, &path, |w| w.write_all(&sealed))?
        } else {
            write_temp(&dir, &path, |w| statefile::write_state(state, w))?
        };
        // Under our lock, the new file is locked before it takes the state's
        // place, so the state file at `path` is never unlocked meanwhile.
        let locked = self.files(workspace).lock.is_some();
        if locked {
            match os_lock::try_lock(&tmp_file) {
                Ok(true) => {}
                Ok(false) => {
                    let _ = fs::remove_file(&tmp);
                    return Err(io_err("could not lock", &tmp, io::Error::other("the new state file is locked by another process")));
                }
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    return Err(io_err("could not lock", &tmp, e));
                }
            }
        }
        if let Err(e) = fs::rename(&tmp, &path) {
            let _ = fs::remove_file(&tmp);
            return Err(io_err("could not replace", &path, e));
        }
        sync_dir(&dir);
        let files = self.files(workspace);
        files.created_by_lock = false;
        if let Some(held) = files.lock.as_mut() {
            held.files.push(tmp_file);
            held.created = false;
        }

        let meta = fs::metadata(&path).map_err(|e| io_err("could not inspect", &path, e))?;
        self.files(workspace).on_disk =
            Some(DiskSnapshot { fingerprint: Fingerprint::of(&meta), lineage: state.lineage.clone(), serial: state.serial });
        Ok(())
    }
}

/// Writes lock info as Terraform does: the file replaced, mode 0600.
fn write_lock_info(path: &Path, info: &LockInfo) -> io::Result<()> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(info.to_json().as_bytes())
}

/// The OS lock on a state file (see the module documentation).
mod os_lock {
    use std::fs::File;
    use std::io;

    #[cfg(target_os = "linux")]
    fn fcntl(f: &File, kind: libc::c_short) -> io::Result<bool> {
        use std::os::fd::AsRawFd;
        // SAFETY: a zeroed `flock` is a valid value of the plain C struct;
        // the fields that matter are set below.
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = kind;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        fl.l_start = 0;
        fl.l_len = 0; // the whole file, as Terraform locks it
                      // SAFETY: `fcntl` with F_OFD_SETLK reads the `flock` we pass, on a
                      // descriptor `f` keeps open for the duration of the call.
        let r = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_OFD_SETLK, &fl) };
        if r == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EACCES) => Ok(false),
            _ => Err(e),
        }
    }

    #[cfg(target_os = "linux")]
    pub fn try_lock(f: &File) -> io::Result<bool> {
        fcntl(f, libc::F_WRLCK as libc::c_short)
    }

    #[cfg(target_os = "linux")]
    pub fn unlock(f: &File) -> io::Result<()> {
        fcntl(f, libc::F_UNLCK as libc::c_short).map(|_| ())
    }

    #[cfg(not(target_os = "linux"))]
    pub fn try_lock(f: &File) -> io::Result<bool> {
        fs4::fs_std::FileExt::try_lock_exclusive(f)
    }

    #[cfg(not(target_os = "linux"))]
    pub fn unlock(f: &File) -> io::Result<()> {
        fs4::fs_std::FileExt::unlock(f)
    }
}

impl Backend for LocalBackend {
    fn workspaces(&self) -> Result<Vec<String>, BackendError> {
        let mut names = Vec::new();
        match fs::read_dir(&self.workspace_dir) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.map_err(|e| io_err("could not list", &self.workspace_dir, e))?;
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        if name != DEFAULT_WORKSPACE {
                            names.push(name);
                        }
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("could not list", &self.workspace_dir, e)),
        }
        names.sort();
        names.insert(0, DEFAULT_WORKSPACE.to_string());
        Ok(names)
    }

    fn delete_workspace(&mut self, name: &str, _force: bool) -> Result<(), BackendError> {
        if name == DEFAULT_WORKSPACE {
            return Err(BackendError::DeleteDefault);
        }
        Self::check_name(name)?;
        if let Some(mut files) = self.workspaces.remove(name) {
            if let Some(lock) = files.lock.take() {
                Self::release(lock)?;
            }
        }
        let dir = self.workspace_dir.join(name);
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err("could not delete", &dir, e)),
            _ => Ok(()),
        }
    }

    fn read(&mut self, workspace: &str) -> Result<Option<State>, BackendError> {
        Self::check_name(workspace)?;
        let path = self.state_path(workspace);
        let (bytes, meta) = match File::open(&path) {
            Ok(mut f) => {
                let meta = f.metadata().map_err(|e| io_err("could not inspect", &path, e))?;
                let mut bytes = Vec::with_capacity(meta.len() as usize);
                f.read_to_end(&mut bytes).map_err(|e| io_err("could not read", &path, e))?;
                (bytes, meta)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("could not read", &path, e)),
        };
        if bytes.is_empty() {
            let backup = self.backup_path(workspace);
            if !self.files(workspace).created_by_lock && std::fs::metadata(&backup).is_ok_and(|m| m.len() > 0) {
                return Err(BackendError::StateFile { path, source: StateFileError::EmptyWithBackup(backup.display().to_string()) });
            }
            return Ok(None);
        }
        let bytes = self.decrypt(&path, &bytes)?;
        let state = match statefile::read_state(&bytes) {
            Ok(s) => s,
            Err(StateFileError::Empty) => return Ok(None),
            Err(source) => return Err(BackendError::StateFile { path, source }),
        };
        self.files(workspace).on_disk =
            Some(DiskSnapshot { fingerprint: Fingerprint::of(&meta), lineage: state.lineage.clone(), serial: state.serial });
        Ok(Some(state))
    }

    fn write(&mut self, workspace: &str, state: &State) -> Result<(), BackendError> {
        self.write_snapshot(workspace, state, true)
    }

    fn replace(&mut self, workspace: &str, state: &State) -> Result<(), BackendError> {
        self.write_snapshot(workspace, state, false)
    }

    fn lock(&mut self, workspace: &str, info: LockInfo, timeout: Duration) -> Result<LockId, BackendError> {
        Self::check_name(workspace)?;
        if self.files(workspace).lock.is_some() {
            return Err(BackendError::Locked {
                message: format!("state {:?} already locked", self.state_path(workspace).display().to_string()),
                info: self.boxed_lock_info(workspace),
            });
        }
        let deadline = Instant::now() + timeout;
        let mut delay = Duration::from_millis(50);
        loop {
            if let Some(id) = self.try_lock(workspace, &info)? {
                return Ok(id);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(BackendError::Locked {
                    message: "resource temporarily unavailable".to_string(),
                    info: self.boxed_lock_info(workspace),
                });
            }
            std::thread::sleep(delay.min(deadline - now));
            delay = (delay * 2).min(Duration::from_secs(1));
        }
    }

    fn unlock(&mut self, workspace: &str, id: &str) -> Result<(), BackendError> {
        let info = self.boxed_lock_info(workspace);
        let files = self.files(workspace);
        let Some(lock) = files.lock.take() else {
            return Err(BackendError::Unlock { message: "LocalState not locked".to_string(), info });
        };
        if lock.id != id {
            let message = format!("invalid lock id: {id:?}. current id: {:?}", lock.id);
            files.lock = Some(lock);
            return Err(BackendError::Unlock { message, info });
        }
        Self::release(lock)
    }

    fn journal_path(&self, workspace: &str) -> Option<PathBuf> {
        let mut p = self.state_path(workspace).into_os_string();
        p.push(".journal");
        Some(PathBuf::from(p))
    }

    fn force_unlock(&mut self, workspace: &str, id: &str) -> Result<(), BackendError> {
        if self.files(workspace).lock.as_ref().is_some_and(|l| l.id == id) {
            return self.unlock(workspace, id);
        }
        let info = self.lock_info(workspace);
        if let Some(info) = &info {
            if info.id != id {
                return Err(BackendError::Unlock {
                    message: format!("invalid lock id: {id:?}. current id: {:?}", info.id),
                    info: Some(Box::new(info.clone())),
                });
            }
        }
        // The OS lock belongs to a live process if we can't take it; only a
        // stale lock info file (left by a crash) can be cleared.
        match self.try_lock(workspace, &LockInfo::new("OperationTypeInvalid"))? {
            Some(_) => {
                let lock = self.files(workspace).lock.take().expect("just locked");
                Self::release(lock)
            }
            None => Err(BackendError::Unlock {
                message: "Local state cannot be unlocked by another process".to_string(),
                info: info.map(Box::new),
            }),
        }
    }
}

impl Drop for LocalBackend {
    fn drop(&mut self) {
        for files in self.workspaces.values_mut() {
            if let Some(lock) = files.lock.take() {
                let _ = Self::release(lock);
            }
        }
    }
}

fn io_err(context: &'static str, path: &Path, source: io::Error) -> BackendError {
    BackendError::Io { context, path: path.to_path_buf(), source }
}

fn read_file(path: &Path) -> Result<Vec<u8>, BackendError> {
    fs::read(path).map_err(|e| io_err("could not read", path, e))
}

/// Writes a new file in `dir` through `fill`, fsyncs it and returns its
/// path. Permissions are copied from `like` when that exists.
fn write_temp(
    dir: &Path,
    like: &Path,
    fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> Result<(PathBuf, File), BackendError> {
    let base = like.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp, file) = loop {
        let tmp = dir.join(format!(".{base}.{}.{}.tmp", std::process::id(), uuid::Uuid::new_v4().simple()));
        match OpenOptions::new().read(true).write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 8 => attempt += 1,
            Err(e) => return Err(io_err("could not create", &tmp, e)),
        }
    };
    let result = (|| {
        if let Ok(meta) = fs::metadata(like) {
            file.set_permissions(meta.permissions())?;
        }
        let mut w = BufWriter::with_capacity(256 * 1024, &file);
        fill(&mut w)?;
        w.flush()?;
        drop(w);
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_err("could not write", &tmp, e));
    }
    Ok((tmp, file))
}

/// Makes a rename durable. Best effort: not all platforms can open or
/// sync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Whether the open `file` is still the file at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        // Windows can't unlink an open file, so it can't have changed.
        let _ = (file, path);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_old_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terraform.tfstate");
        fs::write(&path, "old").unwrap();
        let err = write_temp(dir.path(), &path, |w| {
            w.write_all(b"partial new content")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn lock_info_path_matches_terraform() {
        let b = LocalBackend::with_paths("/x/prod.tfstate", "/x/ws");
        assert_eq!(b.lock_info_path("default"), Path::new("/x/.prod.tfstate.lock.info"));
        assert_eq!(b.lock_info_path("dev"), Path::new("/x/ws/dev/.terraform.tfstate.lock.info"));
        assert_eq!(b.backup_path("dev"), Path::new("/x/ws/dev/terraform.tfstate.backup"));
    }

    /// Terraform's own lock on Linux: a classic `fcntl(F_SETLK)` write lock
    /// on the whole state file (`statemgr/filesystem_lock_unix.go`).
    #[cfg(target_os = "linux")]
    fn terraform_style_lock(path: &Path) -> io::Result<File> {
        use std::os::fd::AsRawFd;
        let f = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = libc::F_WRLCK as libc::c_short;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        if unsafe { libc::fcntl(f.as_raw_fd(), libc::F_SETLK, &fl) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(f)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_state_file_lock_excludes_terraform_style_locks_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terraform.tfstate");
        // Terraform holds the lock: plinth cannot take it.
        let tf = terraform_style_lock(&path).unwrap();
        let mut b = LocalBackend::new(dir.path());
        let err = b.lock("default", LockInfo::new("OperationTypeApply"), Duration::ZERO).unwrap_err();
        assert!(matches!(err, BackendError::Locked { .. }), "{err}");
        drop(tf);
        // plinth holds it: Terraform's F_SETLK fails, before and after a write
        // replaced the state file.
        let id = b.lock("default", LockInfo::new("OperationTypeApply"), Duration::ZERO).unwrap();
        assert!(terraform_style_lock(&path).is_err());
        let info: LockInfo = serde_json::from_str(&fs::read_to_string(dir.path().join(".terraform.tfstate.lock.info")).unwrap()).unwrap();
        assert_eq!(info.id, id);
        assert_eq!(info.path, path.to_string_lossy().trim_start_matches("./"));
        let mut st = State::new();
        st.serial = 1;
        b.write("default", &st).unwrap();
        assert!(terraform_style_lock(&path).is_err(), "the renamed-in state file is locked too");
        // Another plinth (another open file description) is excluded as well,
        // even though plinth itself opened and closed the state file since.
        let _ = b.read("default").unwrap();
        let mut other = LocalBackend::new(dir.path());
        assert!(other.lock("default", LockInfo::new("OperationTypeApply"), Duration::ZERO).is_err());
        b.unlock("default", &id).unwrap();
        assert!(!dir.path().join(".terraform.tfstate.lock.info").exists());
        drop(terraform_style_lock(&path).unwrap());
    }

    #[test]
    fn a_lock_on_a_missing_state_creates_no_state() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = LocalBackend::new(dir.path());
        fs::write(b.backup_path("default"), "{}").unwrap();
        let id = b.lock("default", LockInfo::new("OperationTypePlan"), Duration::ZERO).unwrap();
        assert!(b.read("default").unwrap().is_none(), "the empty file the lock made is no state");
        b.unlock("default", &id).unwrap();
        assert!(!b.state_path("default").exists(), "the empty state file the lock created is removed");
    }
}
