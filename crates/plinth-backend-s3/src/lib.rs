//! The `s3` backend: state objects in an S3 bucket, locked the way
//! Terraform locks them, so that plinth and Terraform can share a state.
//!
//! Layout (Terraform's):
//! - `default` workspace: the object `key`; workspace `w`:
//!   `<workspace_key_prefix>/w/<key>` (prefix `env:` unless configured).
//! - `use_lockfile`: the lock is the object `<state key>.tflock`, created
//!   with `If-None-Match: *` and holding the lock info JSON
//!   (`{ID, Operation, Info, Who, Version, Created, Path}`).
//! - `dynamodb_table`: the lock is the item `LockID = "<bucket>/<state key>"`
//!   with the lock info JSON in `Info`, created with a conditional
//!   `PutItem`; the item `LockID = "<bucket>/<state key>-md5"` holds the MD5
//!   (`Digest`, hex) of the last state written, which readers check.
//!   With both configured, both locks are taken (file first).
//!
//! No clobbering: a write is refused when the stored state has another
//! lineage or a higher serial, and every write is conditional on the ETag
//! of the object last read or written (`If-Match`), or on there being no
//! object (`If-None-Match: *`), so a concurrent writer makes it fail instead
//! of being silently overwritten.
//!
//! The [`Backend`] trait is synchronous; the AWS SDK is async. Requests run
//! on a current-thread tokio runtime owned by a dedicated thread, so the
//! backend can be called from anywhere, including from inside the CLI's
//! own runtime (where `block_on` would panic).

mod config;
mod worker;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use md5::{Digest as _, Md5};
use plinth_encryption::{decrypt_opt, encrypt_opt, Encryptor};
use plinth_state::statefile::{self, StateFileError};
use plinth_state::{Backend, BackendError, LockId, LockInfo, State, DEFAULT_WORKSPACE};

pub use config::S3Config;
use worker::Worker;

/// Suffix of the lock object next to a state object.
pub const LOCK_FILE_SUFFIX: &str = ".tflock";
/// Suffix of the DynamoDB item holding a state's digest.
pub const DIGEST_SUFFIX: &str = "-md5";

/// How long a read waits for the state to match the digest in DynamoDB
/// (S3 used to be eventually consistent; Terraform waits 10 s).
const CONSISTENCY_TIMEOUT: Duration = Duration::from_secs(10);
const CONSISTENCY_POLL: Duration = Duration::from_secs(2);

/// State in S3.
pub struct S3Backend {
    config: S3Config,
    clients: Arc<Clients>,
    worker: Worker,
    encryption: Option<Arc<Encryptor>>,
    /// Per workspace: the stored object as last read or written by us.
    seen: HashMap<String, Seen>,
    /// Locks we hold, by workspace.
    held: HashMap<String, LockId>,
    /// Set during [`Backend::replace`]: the next write skips the lineage and
    /// serial checks.
    unchecked: bool,
}

struct Clients {
    s3: aws_sdk_s3::Client,
    dynamodb: Option<aws_sdk_dynamodb::Client>,
}

/// What we know of a stored state object.
#[derive(Debug, Clone)]
struct Seen {
    /// `None`: there was no object.
    etag: Option<String>,
    lineage: String,
    serial: u64,
    md5: [u8; 16],
}

/// An object read from S3.
struct Object {
    body: Vec<u8>,
    etag: Option<String>,
}

impl S3Backend {
    /// Connects (lazily: no request is made here) with `config`.
    pub fn new(config: S3Config) -> Result<S3Backend, BackendError> {
        let worker = Worker::start().map_err(|e| remote(format!("could not start the S3 client: {e}")))?;
        let cfg = config.clone();
        let clients = worker.run(async move { config::clients(&cfg).await }).map_err(remote)??;
        Ok(S3Backend {
            config,
            clients: Arc::new(clients),
            worker,
            encryption: None,
            seen: HashMap::new(),
            held: HashMap::new(),
            unchecked: false,
        })
    }

    /// Encrypts states written and decrypts states read.
    pub fn with_encryption(mut self, encryption: Option<Arc<Encryptor>>) -> Self {
        self.encryption = encryption;
        self
    }

    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// The object key of a workspace's state.
    pub fn state_key(&self, workspace: &str) -> String {
        if workspace == DEFAULT_WORKSPACE {
            return self.config.key.clone();
        }
        match self.config.workspace_key_prefix.as_str() {
            "" => format!("{workspace}/{}", self.config.key),
            prefix => format!("{prefix}/{workspace}/{}", self.config.key),
        }
    }

    /// `<bucket>/<state key>`: the DynamoDB lock ID and the lock info's Path.
    pub fn lock_path(&self, workspace: &str) -> String {
        format!("{}/{}", self.config.bucket, self.state_key(workspace))
    }

    /// The lock object's key (`use_lockfile`).
    pub fn lock_key(&self, workspace: &str) -> String {
        format!("{}{LOCK_FILE_SUFFIX}", self.state_key(workspace))
    }

    /// The current lock info of a workspace, if it is locked.
    pub fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, BackendError> {
        if self.config.use_lockfile {
            if let Some(obj) = self.get_object(self.lock_key(workspace))? {
                return Ok(serde_json::from_slice(&obj.body).ok());
            }
        }
        if self.config.dynamodb_table.is_some() {
            if let Some(info) = self.dynamodb_get(self.lock_path(workspace), "Info")? {
                return Ok(serde_json::from_str(&info).ok());
            }
        }
        Ok(None)
    }

    fn check_name(name: &str) -> Result<(), BackendError> {
        let bad = name.is_empty() || name.contains('/') || name.chars().any(char::is_control);
        if bad {
            return Err(BackendError::InvalidWorkspace(name.to_string()));
        }
        Ok(())
    }

    fn run<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Result<T, BackendError> {
        self.worker.run(fut).map_err(remote)
    }

    fn get_object(&self, key: String) -> Result<Option<Object>, BackendError> {
        let clients = self.clients.clone();
        let bucket = self.config.bucket.clone();
        self.run(async move {
            let out = clients.s3.get_object().bucket(&bucket).key(&key).send().await;
            let out = match out {
                Ok(o) => o,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
                Err(e) if status(&e) == Some(404) && e.code() != Some("NoSuchBucket") => return Ok(None),
                Err(e) => return Err(s3_error("read", &bucket, &key, &e)),
            };
            let etag = out.e_tag().map(str::to_string);
            let body =
                out.body.collect().await.map_err(|e| remote(format!("failed to read s3://{bucket}/{key}: {e}")))?.into_bytes().to_vec();
            Ok(Some(Object { body, etag }))
        })?
    }

    /// Puts an object; `cond` is `If-Match: <etag>` (Some(Some)) or
    /// `If-None-Match: *` (Some(None)). Returns the new ETag, or
    /// `Ok(Err(()))` when the condition failed.
    fn put_object(&self, key: String, body: Vec<u8>, cond: Option<Option<String>>) -> Result<Result<Option<String>, ()>, BackendError> {
        let clients = self.clients.clone();
        let bucket = self.config.bucket.clone();
        let sse = self.config.encrypt.then(|| self.config.kms_key_id.clone());
        self.run(async move {
            let mut req = clients.s3.put_object().bucket(&bucket).key(&key).content_type("application/json").body(ByteStream::from(body));
            match cond {
                Some(Some(etag)) => req = req.if_match(etag),
                Some(None) => req = req.if_none_match("*"),
                None => {}
            }
            match sse {
                Some(Some(kms)) => req = req.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(kms),
                Some(None) => req = req.server_side_encryption(ServerSideEncryption::Aes256),
                None => {}
            }
            match req.send().await {
                Ok(out) => Ok(Ok(out.e_tag().map(str::to_string))),
                Err(e) if is_condition_failure(&e) => Ok(Err(())),
                Err(e) => Err(s3_error("write", &bucket, &key, &e)),
            }
        })?
    }

    fn delete_object(&self, key: String) -> Result<(), BackendError> {
        let clients = self.clients.clone();
        let bucket = self.config.bucket.clone();
        self.run(async move {
            match clients.s3.delete_object().bucket(&bucket).key(&key).send().await {
                Ok(_) => Ok(()),
                Err(e) if status(&e) == Some(404) && e.code() != Some("NoSuchBucket") => Ok(()),
                Err(e) => Err(s3_error("delete", &bucket, &key, &e)),
            }
        })?
    }

    fn dynamodb(&self) -> Option<(aws_sdk_dynamodb::Client, String)> {
        let table = self.config.dynamodb_table.clone()?;
        Some((self.clients.dynamodb.clone()?, table))
    }

    /// A string attribute of the item `LockID = id`.
    fn dynamodb_get(&self, id: String, attr: &'static str) -> Result<Option<String>, BackendError> {
        let Some((ddb, table)) = self.dynamodb() else { return Ok(None) };
        self.run(async move {
            let out = ddb
                .get_item()
                .table_name(&table)
                .key("LockID", AttributeValue::S(id))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| ddb_error("read from", &table, &e))?;
            Ok(out.item().and_then(|i| i.get(attr)).and_then(|v| v.as_s().ok()).cloned())
        })?
    }

    /// Puts `LockID = id, <attr> = value`; with `only_new`, only if there
    /// is no such item. Returns false if the condition failed.
    fn dynamodb_put(&self, id: String, attr: &'static str, value: String, only_new: bool) -> Result<bool, BackendError> {
        let Some((ddb, table)) = self.dynamodb() else { return Ok(true) };
        self.run(async move {
            let mut req = ddb.put_item().table_name(&table).item("LockID", AttributeValue::S(id)).item(attr, AttributeValue::S(value));
            if only_new {
                req = req.condition_expression("attribute_not_exists(LockID)");
            }
            match req.send().await {
                Ok(_) => Ok(true),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(false),
                Err(e) => Err(ddb_error("write to", &table, &e)),
            }
        })?
    }

    fn dynamodb_delete(&self, id: String) -> Result<(), BackendError> {
        let Some((ddb, table)) = self.dynamodb() else { return Ok(()) };
        self.run(async move {
            ddb.delete_item()
                .table_name(&table)
                .key("LockID", AttributeValue::S(id))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| ddb_error("delete from", &table, &e))
        })?
    }

    /// Reads and decodes the stored state (after decryption).
    fn fetch(&self, workspace: &str) -> Result<Option<(Object, Option<State>)>, BackendError> {
        let key = self.state_key(workspace);
        let Some(obj) = self.get_object(key.clone())? else { return Ok(None) };
        let plain = decrypt_opt(self.encryption.as_deref(), &obj.body, "state")
            .map_err(|source| BackendError::Encryption { path: self.url(&key), source })?;
        let state = match statefile::read_state(&plain) {
            Ok(s) => Some(s),
            Err(StateFileError::Empty) => None,
            Err(source) => return Err(BackendError::StateFile { path: self.url(&key).into(), source }),
        };
        Ok(Some((obj, state)))
    }

    fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.config.bucket)
    }

    fn remember(&mut self, workspace: &str, obj: Option<&Object>, state: Option<&State>) {
        let seen = Seen {
            etag: obj.and_then(|o| o.etag.clone()),
            lineage: state.map(|s| s.lineage.clone()).unwrap_or_default(),
            serial: state.map_or(0, |s| s.serial),
            md5: obj.map(|o| md5(&o.body)).unwrap_or_default(),
        };
        // An existing object without an ETag can't be written conditionally;
        // forget it so the next write re-reads.
        if obj.is_some() && seen.etag.is_none() {
            self.seen.remove(workspace);
        } else {
            self.seen.insert(workspace.to_string(), seen);
        }
    }

    /// Refuses to replace `stored` with `new`.
    fn check_successor(stored: &Seen, new: &State) -> Result<(), BackendError> {
        if !stored.lineage.is_empty() && stored.lineage != new.lineage {
            return Err(BackendError::LineageMismatch { existing: stored.lineage.clone(), new: new.lineage.clone() });
        }
        if stored.serial > new.serial {
            return Err(BackendError::OlderSerial { existing: stored.serial, new: new.serial });
        }
        Ok(())
    }

    fn try_lock(&self, workspace: &str, info: &LockInfo) -> Result<Option<LockId>, BackendError> {
        let body = info.to_json();
        if self.config.use_lockfile {
            match self.put_object(self.lock_key(workspace), body.clone().into_bytes(), Some(None))? {
                Ok(_) => {}
                Err(()) => return Ok(None),
            }
        }
        if self.config.dynamodb_table.is_some() {
            let taken = self.dynamodb_put(self.lock_path(workspace), "Info", body, true);
            if !matches!(taken, Ok(true)) {
                if self.config.use_lockfile {
                    let _ = self.delete_object(self.lock_key(workspace));
                }
                return taken.map(|_| None);
            }
        }
        Ok(Some(info.id.clone()))
    }

    /// Releases a lock after checking that its ID is `id`.
    fn release(&mut self, workspace: &str, id: &str) -> Result<(), BackendError> {
        let unlock_err = |message: String, info: Option<LockInfo>| BackendError::Unlock { message, info: info.map(Box::new) };
        let mut found = false;
        if self.config.use_lockfile {
            if let Some(obj) = self.get_object(self.lock_key(workspace))? {
                let info: Option<LockInfo> = serde_json::from_slice(&obj.body).ok();
                match &info {
                    Some(i) if i.id == id => {}
                    Some(i) => return Err(unlock_err(format!("lock ID {id:?} does not match existing lock ID {:?}", i.id), info.clone())),
                    None => return Err(unlock_err(format!("the lock object {} is not valid lock info", self.lock_key(workspace)), None)),
                }
                found = true;
            }
        }
        let mut in_table = false;
        if self.config.dynamodb_table.is_some() {
            if let Some(text) = self.dynamodb_get(self.lock_path(workspace), "Info")? {
                let info: Option<LockInfo> = serde_json::from_str(&text).ok();
                if info.as_ref().map(|i| i.id.as_str()) != Some(id) {
                    let current = info.as_ref().map(|i| i.id.clone()).unwrap_or_default();
                    return Err(unlock_err(format!("lock ID {id:?} does not match existing lock ID {current:?}"), info));
                }
                in_table = true;
            }
        }
        if !found && !in_table {
            return Err(unlock_err(format!("failed to retrieve lock info for lock ID {id:?}: the state is not locked"), None));
        }
        if found {
            self.delete_object(self.lock_key(workspace))?;
        }
        if in_table {
            self.dynamodb_delete(self.lock_path(workspace))?;
        }
        if self.held.get(workspace).is_some_and(|h| h == id) {
            self.held.remove(workspace);
        }
        Ok(())
    }

    fn locking_enabled(&self) -> bool {
        self.config.use_lockfile || self.config.dynamodb_table.is_some()
    }
}

impl Backend for S3Backend {
    fn workspaces(&self) -> Result<Vec<String>, BackendError> {
        let clients = self.clients.clone();
        let bucket = self.config.bucket.clone();
        let prefix = match self.config.workspace_key_prefix.as_str() {
            "" => String::new(),
            p => format!("{p}/"),
        };
        let key = self.config.key.clone();
        let keys = self.run(async move {
            let mut keys = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let out = clients
                    .s3
                    .list_objects_v2()
                    .bucket(&bucket)
                    .prefix(&prefix)
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| s3_error("list", &bucket, &prefix, &e))?;
                keys.extend(out.contents().iter().filter_map(|o| o.key().map(str::to_string)));
                match out.next_continuation_token() {
                    Some(t) if out.is_truncated() == Some(true) => token = Some(t.to_string()),
                    _ => break,
                }
            }
            Ok::<_, BackendError>((keys, prefix, key))
        })??;
        let (keys, prefix, key) = keys;
        let mut names: Vec<String> = keys
            .iter()
            .filter_map(|k| {
                let rest = k.strip_prefix(&prefix)?;
                let (ws, tail) = rest.split_once('/')?;
                (tail == key && !ws.is_empty() && ws != DEFAULT_WORKSPACE).then(|| ws.to_string())
            })
            .collect();
        names.sort();
        names.dedup();
        names.insert(0, DEFAULT_WORKSPACE.to_string());
        Ok(names)
    }

    fn delete_workspace(&mut self, name: &str, _force: bool) -> Result<(), BackendError> {
        if name == DEFAULT_WORKSPACE {
            return Err(BackendError::DeleteDefault);
        }
        Self::check_name(name)?;
        self.delete_object(self.state_key(name))?;
        self.dynamodb_delete(format!("{}{DIGEST_SUFFIX}", self.lock_path(name)))?;
        self.seen.remove(name);
        Ok(())
    }

    fn read(&mut self, workspace: &str) -> Result<Option<State>, BackendError> {
        Self::check_name(workspace)?;
        let deadline = Instant::now() + CONSISTENCY_TIMEOUT;
        loop {
            let fetched = self.fetch(workspace)?;
            let digest = match self.dynamodb_get(format!("{}{DIGEST_SUFFIX}", self.lock_path(workspace)), "Digest") {
                Ok(d) => d.filter(|d| d.len() == 32),
                Err(_) => None,
            };
            let actual = fetched.as_ref().map(|(o, _)| hex(&md5(&o.body)));
            if let Some(expected) = &digest {
                if actual.as_deref() != Some(expected.as_str()) {
                    if Instant::now() < deadline {
                        std::thread::sleep(CONSISTENCY_POLL);
                        continue;
                    }
                    return Err(remote(format!(
                        "state data in S3 does not have the expected content.\n\nThe checksum calculated for the state stored in S3 does not match the checksum\nstored in DynamoDB.\n\nBucket: {}\nKey:    {}\nCalculated checksum: {}\nStored checksum:     {expected}\n\nThis may be caused by unusually long delays in S3 processing a previous state\nupdate. Please wait for a minute or two and try again.\n\nIf this problem persists, and neither S3 nor DynamoDB are experiencing an\noutage, you may need to manually verify the remote state and update the Digest\nvalue stored in the DynamoDB table to the following value: {}",
                        self.config.bucket,
                        self.state_key(workspace),
                        actual.clone().unwrap_or_default(),
                        actual.unwrap_or_default(),
                    )));
                }
            }
            return Ok(match fetched {
                Some((obj, state)) => {
                    self.remember(workspace, Some(&obj), state.as_ref());
                    state
                }
                None => {
                    self.remember(workspace, None, None);
                    None
                }
            });
        }
    }

    fn replace(&mut self, workspace: &str, state: &State) -> Result<(), BackendError> {
        self.unchecked = true;
        let r = self.write(workspace, state);
        self.unchecked = false;
        r
    }

    fn write(&mut self, workspace: &str, state: &State) -> Result<(), BackendError> {
        Self::check_name(workspace)?;
        let key = self.state_key(workspace);
        let seen = match self.seen.get(workspace) {
            Some(s) => s.clone(),
            None => {
                let fetched = self.fetch(workspace)?;
                self.remember(workspace, fetched.as_ref().map(|f| &f.0), fetched.as_ref().and_then(|f| f.1.as_ref()));
                match self.seen.get(workspace) {
                    Some(s) => s.clone(),
                    None => return Err(remote(format!("{} has no ETag; cannot write it safely", self.url(&key)))),
                }
            }
        };
        if !self.unchecked {
            Self::check_successor(&seen, state)?;
        }
        let plain = statefile::to_bytes(state);
        let body =
            encrypt_opt(self.encryption.as_deref(), plain).map_err(|source| BackendError::Encryption { path: self.url(&key), source })?;
        let digest = md5(&body);
        if seen.etag.is_some() && digest == seen.md5 {
            return Ok(()); // Unchanged.
        }
        match self.put_object(key.clone(), body, Some(seen.etag.clone()))? {
            Ok(etag) => {
                self.seen.insert(workspace.to_string(), Seen { etag, lineage: state.lineage.clone(), serial: state.serial, md5: digest });
                if self.seen[workspace].etag.is_none() {
                    self.seen.remove(workspace);
                }
            }
            Err(()) => {
                // Someone else wrote (or created) the object since we read
                // it. Say how it differs.
                self.seen.remove(workspace);
                if let Some((_, Some(now))) = self.fetch(workspace)? {
                    let now_seen = Seen { etag: None, lineage: now.lineage.clone(), serial: now.serial, md5: [0; 16] };
                    Self::check_successor(&now_seen, state)?;
                }
                return Err(remote(format!(
                    "the state at {} was changed by another writer since plinth read it; refusing to overwrite it. Run the command again to work from the current state.",
                    self.url(&key)
                )));
            }
        }
        self.dynamodb_put(format!("{}{DIGEST_SUFFIX}", self.lock_path(workspace)), "Digest", hex(&digest), false)
            .map_err(|e| remote(format!("failed to store state MD5: {e}")))?;
        Ok(())
    }

    fn lock(&mut self, workspace: &str, info: LockInfo, timeout: Duration) -> Result<LockId, BackendError> {
        Self::check_name(workspace)?;
        if !self.locking_enabled() {
            return Ok(String::new());
        }
        let mut info = info;
        info.path = self.lock_path(workspace);
        let deadline = Instant::now() + timeout;
        let mut delay = Duration::from_millis(250);
        loop {
            info.created = LockInfo::new("").created;
            if let Some(id) = self.try_lock(workspace, &info)? {
                self.held.insert(workspace.to_string(), id.clone());
                return Ok(id);
            }
            let now = Instant::now();
            if now >= deadline {
                let holder = self.lock_info(workspace).ok().flatten();
                return Err(BackendError::Locked {
                    message: match &holder {
                        Some(_) => "operation error: the state is locked by another process (conditional request failed)".to_string(),
                        None => "operation error: conditional request failed".to_string(),
                    },
                    info: holder.map(Box::new),
                });
            }
            std::thread::sleep(delay.min(deadline - now));
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    fn unlock(&mut self, workspace: &str, id: &str) -> Result<(), BackendError> {
        if !self.locking_enabled() {
            return Ok(());
        }
        self.release(workspace, id)
    }

    fn force_unlock(&mut self, workspace: &str, id: &str) -> Result<(), BackendError> {
        if !self.locking_enabled() {
            return Err(BackendError::Unlock {
                message: "locking is not enabled for this s3 backend (set use_lockfile or dynamodb_table)".to_string(),
                info: None,
            });
        }
        self.release(workspace, id)
    }
}

impl Drop for S3Backend {
    fn drop(&mut self) {
        for (ws, id) in std::mem::take(&mut self.held) {
            let _ = self.release(&ws, &id);
        }
    }
}

fn remote(message: impl Into<String>) -> BackendError {
    BackendError::Remote(message.into())
}

fn status<E>(e: &SdkError<E, HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// `If-Match` / `If-None-Match` failed: 412, or 409 when a concurrent
/// conditional write won.
fn is_condition_failure<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    matches!(status(e), Some(412) | Some(409)) || matches!(e.code(), Some("PreconditionFailed") | Some("ConditionalRequestConflict"))
}

fn s3_error<E, R>(op: &str, bucket: &str, key: &str, e: &SdkError<E, R>) -> BackendError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    if e.code() == Some("NoSuchBucket") {
        return remote(format!(
            "S3 bucket {bucket:?} does not exist.\n\nThe referenced S3 bucket must have been previously created. If the S3 bucket\nwas created within the last minute, please wait for a minute or two and try\nagain.\n\nError: {}",
            DisplayErrorContext(e)
        ));
    }
    remote(format!("Unable to {op} object {key:?} in S3 bucket {bucket:?}: {}", DisplayErrorContext(e)))
}

fn ddb_error<E, R>(op: &str, table: &str, e: &SdkError<E, R>) -> BackendError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    remote(format!("Unable to {op} DynamoDB table {table:?}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))
}

fn md5(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
