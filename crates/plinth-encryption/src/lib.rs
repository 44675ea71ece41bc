//! State and plan encryption in OpenTofu's format, so that a state written
//! by either tool can be read by the other.
//!
//! Configuration (`terraform { encryption { ... } }` or `TF_ENCRYPTION`) is
//! parsed by the binary into an [`EncryptionConfig`]; this module only knows
//! keys, ciphers and the file envelope:
//!
//! ```json
//! {"meta":{"key_provider.pbkdf2.k":{"salt":"<base64>","iterations":600000,
//!   "hash_function":"sha512","key_length":32}},
//!  "encrypted_data":"<base64 of nonce ‖ ciphertext ‖ tag>","encryption_version":"v0"}
//! ```
//!
//! - Key provider `pbkdf2`: a key derived from a passphrase, with a random
//!   salt recorded in `meta` so that a reader can derive the same key.
//! - Method `aes_gcm`: AES-GCM with a random 12-byte nonce prepended to the
//!   ciphertext; method `unencrypted`: plain text (for migrations).
//! - A target (`state`, `plan`) encrypts with its method and decrypts with
//!   its method or any `fallback`; plain text is accepted only when one of
//!   them is `unencrypted`. `enforced` forbids writing plain text.
//!
//! Deriving a key costs hundreds of milliseconds by design; derived keys are
//! cached per process (one salt per process for writing; GCM nonces stay
//! unique because they are random per message).

use std::collections::BTreeMap;
use std::sync::Mutex;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::aes::cipher::consts::U12;
use aes_gcm::aes::{Aes128, Aes192, Aes256};
use aes_gcm::AesGcm;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Map, Value};

/// The `encryption_version` this module reads and writes.
pub const ENCRYPTION_VERSION: &str = "v0";

/// OpenTofu's pbkdf2 defaults and minimums.
pub const PBKDF2_DEFAULT_ITERATIONS: u32 = 600_000;
pub const PBKDF2_MIN_ITERATIONS: u32 = 200_000;
pub const PBKDF2_DEFAULT_KEY_LENGTH: usize = 32;
pub const PBKDF2_DEFAULT_SALT_LENGTH: usize = 32;
pub const PBKDF2_MIN_PASSPHRASE_LENGTH: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFunction {
    Sha256,
    Sha512,
}

impl HashFunction {
    pub fn parse(name: &str) -> Option<HashFunction> {
        match name {
            "sha256" => Some(HashFunction::Sha256),
            "sha512" => Some(HashFunction::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashFunction::Sha256 => "sha256",
            HashFunction::Sha512 => "sha512",
        }
    }
}

/// `key_provider "pbkdf2" "<name>" { ... }`.
#[derive(Clone, PartialEq, Eq)]
pub struct Pbkdf2 {
    pub passphrase: String,
    pub key_length: usize,
    pub iterations: u32,
    pub hash_function: HashFunction,
    pub salt_length: usize,
}

impl std::fmt::Debug for Pbkdf2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pbkdf2")
            .field("passphrase", &"(sensitive)")
            .field("key_length", &self.key_length)
            .field("iterations", &self.iterations)
            .field("hash_function", &self.hash_function)
            .field("salt_length", &self.salt_length)
            .finish()
    }
}

impl Pbkdf2 {
    /// A provider with OpenTofu's defaults.
    pub fn new(passphrase: impl Into<String>) -> Pbkdf2 {
        Pbkdf2 {
            passphrase: passphrase.into(),
            key_length: PBKDF2_DEFAULT_KEY_LENGTH,
            iterations: PBKDF2_DEFAULT_ITERATIONS,
            hash_function: HashFunction::Sha512,
            salt_length: PBKDF2_DEFAULT_SALT_LENGTH,
        }
    }

    fn validate(&self, addr: &str) -> Result<(), EncryptionError> {
        let bad = |m: String| Err(EncryptionError::Config(format!("{addr}: {m}")));
        if self.passphrase.is_empty() {
            return bad("no passphrase provided".into());
        }
        if self.passphrase.chars().count() < PBKDF2_MIN_PASSPHRASE_LENGTH {
            return bad(format!("passphrase is too short (minimum {PBKDF2_MIN_PASSPHRASE_LENGTH} characters)"));
        }
        if self.key_length == 0 {
            return bad("the key length must be larger than zero".into());
        }
        if self.iterations < PBKDF2_MIN_ITERATIONS {
            return bad(format!("the number of iterations is dangerously low (<{PBKDF2_MIN_ITERATIONS}), refusing to generate key"));
        }
        if self.salt_length == 0 {
            return bad("the salt length must be larger than zero".into());
        }
        Ok(())
    }
}

/// `method "<type>" "<name>" { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// `method "unencrypted"`: reads and writes plain text.
    Unencrypted,
    /// `method "aes_gcm"`: `keys` names a key provider
    /// (`key_provider.pbkdf2.<name>`), `aad` is optional.
    AesGcm { keys: String, aad: Vec<u8> },
}

/// `state { method = ... fallback { ... } }`: the method to write with, and
/// the chain of methods to read with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// A method address, `method.<type>.<name>`; `None` means plain text
    /// (unless enforced).
    pub method: Option<String>,
    pub fallback: Option<Box<Target>>,
}

/// The whole `encryption` block, with addresses as keys:
/// `key_provider.pbkdf2.<name>` and `method.<type>.<name>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncryptionConfig {
    pub key_providers: BTreeMap<String, Pbkdf2>,
    pub methods: BTreeMap<String, Method>,
    pub state: Option<Target>,
    pub state_enforced: bool,
    pub plan: Option<Target>,
    pub plan_enforced: bool,
}

/// Why data could not be encrypted or decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncryptionError {
    #[error("Invalid encryption configuration: {0}")]
    Config(String),
    #[error("encryption of {0:?} is enforced, and therefore requires a method to be provided")]
    Enforced(&'static str),
    #[error(
        "the {0} is encrypted, but no encryption is configured to read it; add terraform {{ encryption {{ ... }} }} or set TF_ENCRYPTION"
    )]
    NotConfigured(&'static str),
    #[error("the {0} is not encrypted and no \"unencrypted\" method is configured to read it (add a fallback {{ method = method.unencrypted.<name> }} to migrate)")]
    Unencrypted(&'static str),
    #[error("invalid encrypted {what}: {message}")]
    Envelope { what: &'static str, message: String },
    #[error("decryption of the {what} failed: {}. The passphrase or key is probably wrong.", .failures.join("; "))]
    Decrypt { what: &'static str, failures: Vec<String> },
    #[error("encryption of the {0} failed")]
    Encrypt(&'static str),
}

/// Encrypts and decrypts one kind of data (`state` or `plan`).
pub struct Encryptor {
    what: &'static str,
    enforced: bool,
    /// The write method first, then the fallbacks, in order.
    chain: Vec<ResolvedMethod>,
    providers: BTreeMap<String, Pbkdf2>,
    keys: Mutex<KeyCache>,
}

impl std::fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encryptor")
            .field("what", &self.what)
            .field("enforced", &self.enforced)
            .field("methods", &self.chain.iter().map(|m| &m.addr).collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Debug, Clone)]
struct ResolvedMethod {
    addr: String,
    method: Method,
}

#[derive(Default)]
struct KeyCache {
    /// Per key provider: the salt and key used for writing.
    write: BTreeMap<String, (Meta, Vec<u8>)>,
    /// (provider, meta) → derived key, for reading.
    read: Vec<(String, Meta, Vec<u8>)>,
}

/// A pbkdf2 provider's entry in the envelope's `meta`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Meta {
    salt: Vec<u8>,
    iterations: u32,
    hash_function: HashFunction,
    key_length: usize,
}

impl Meta {
    fn to_json(&self) -> Value {
        json!({
            "salt": B64.encode(&self.salt),
            "iterations": self.iterations,
            "hash_function": self.hash_function.name(),
            "key_length": self.key_length,
        })
    }

    fn from_json(v: &Value) -> Result<Meta, String> {
        let salt = v.get("salt").and_then(Value::as_str).ok_or("missing salt")?;
        let salt = B64.decode(salt).map_err(|e| format!("invalid salt: {e}"))?;
        let iterations = v
            .get("iterations")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n > 0)
            .ok_or("invalid number of iterations")?;
        let hash_function =
            v.get("hash_function").and_then(Value::as_str).and_then(HashFunction::parse).ok_or("invalid hash function name")?;
        let key_length =
            v.get("key_length").and_then(Value::as_u64).map(|n| n as usize).filter(|&n| n > 0 && n <= 1024).ok_or("invalid key length")?;
        if salt.is_empty() {
            return Err("missing salt".into());
        }
        Ok(Meta { salt, iterations, hash_function, key_length })
    }
}

impl EncryptionConfig {
    /// The encryptor for state, or `None` when state is not configured
    /// (plain text, as without encryption).
    pub fn state(&self) -> Result<Option<Encryptor>, EncryptionError> {
        self.target("state", self.state.as_ref(), self.state_enforced)
    }

    /// The encryptor for plan files.
    pub fn plan(&self) -> Result<Option<Encryptor>, EncryptionError> {
        self.target("plan", self.plan.as_ref(), self.plan_enforced)
    }

    fn target(&self, what: &'static str, target: Option<&Target>, enforced: bool) -> Result<Option<Encryptor>, EncryptionError> {
        let Some(target) = target else {
            if enforced {
                return Err(EncryptionError::Enforced(what));
            }
            return Ok(None);
        };
        let mut chain = Vec::new();
        let mut providers = BTreeMap::new();
        let mut next = Some(target);
        let mut first = true;
        while let Some(t) = next {
            match &t.method {
                Some(addr) => {
                    let method =
                        self.methods.get(addr).ok_or_else(|| EncryptionError::Config(format!("undefined method {addr:?} in {what}")))?;
                    if let Method::AesGcm { keys, .. } = method {
                        let p = self
                            .key_providers
                            .get(keys)
                            .ok_or_else(|| EncryptionError::Config(format!("undefined key provider {keys:?} in {addr}")))?;
                        p.validate(keys)?;
                        if !matches!(p.key_length, 16 | 24 | 32) {
                            return Err(EncryptionError::Config(format!(
                                "{addr}: AES-GCM requires the key length to be one of: 16, 24, 32, received {} bytes in the encryption key",
                                p.key_length
                            )));
                        }
                        providers.insert(keys.clone(), p.clone());
                    }
                    if first && enforced && *method == Method::Unencrypted {
                        return Err(EncryptionError::Config(format!(
                            "{what}: the unencrypted method is not allowed when encryption is enforced"
                        )));
                    }
                    chain.push(ResolvedMethod { addr: addr.clone(), method: method.clone() });
                }
                None if first => {
                    if enforced {
                        return Err(EncryptionError::Enforced(what));
                    }
                }
                None => return Err(EncryptionError::Config(format!("a fallback in {what} has no method"))),
            }
            first = false;
            next = t.fallback.as_deref();
        }
        if chain.is_empty() {
            return Ok(None);
        }
        Ok(Some(Encryptor { what, enforced, chain, providers, keys: Mutex::new(KeyCache::default()) }))
    }
}

impl Encryptor {
    /// Encrypts `plain` with the target's method; plain text is returned
    /// unchanged for the `unencrypted` method.
    pub fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        let first = &self.chain[0];
        let (keys, aad) = match &first.method {
            Method::Unencrypted => {
                if self.enforced {
                    return Err(EncryptionError::Enforced(self.what));
                }
                return Ok(plain.to_vec());
            }
            Method::AesGcm { keys, aad } => (keys, aad),
        };
        let (meta, key) = self.write_key(keys);
        let sealed = gcm_seal(&key, plain, aad).ok_or(EncryptionError::Encrypt(self.what))?;
        let mut metas = Map::new();
        metas.insert(keys.clone(), meta.to_json());
        let envelope = json!({
            "meta": metas,
            "encrypted_data": B64.encode(sealed),
            "encryption_version": ENCRYPTION_VERSION,
        });
        Ok(serde_json::to_vec(&envelope).expect("envelope serializes"))
    }

    /// Decrypts `data`: an envelope with any method of the chain, or plain
    /// text if the chain allows it.
    pub fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        let Some(envelope) = parse_envelope(data, self.what)? else {
            if self.chain.iter().any(|m| m.method == Method::Unencrypted) {
                return Ok(data.to_vec());
            }
            return Err(EncryptionError::Unencrypted(self.what));
        };
        let mut failures = Vec::new();
        for m in &self.chain {
            let (keys, aad) = match &m.method {
                Method::Unencrypted => continue,
                Method::AesGcm { keys, aad } => (keys, aad),
            };
            let Some(meta) = envelope.meta.get(keys) else {
                failures.push(format!("{}: no key metadata for {keys}", m.addr));
                continue;
            };
            let meta = match Meta::from_json(meta) {
                Ok(meta) => meta,
                Err(e) => {
                    failures.push(format!("{}: invalid metadata for {keys}: {e}", m.addr));
                    continue;
                }
            };
            let key = self.read_key(keys, &meta);
            match gcm_open(&key, &envelope.data, aad) {
                Some(plain) => return Ok(plain),
                None => failures.push(format!("{}: message authentication failed", m.addr)),
            }
        }
        if failures.is_empty() {
            failures.push("no method that can decrypt is configured".into());
        }
        Err(EncryptionError::Decrypt { what: self.what, failures })
    }

    fn write_key(&self, provider: &str) -> (Meta, Vec<u8>) {
        let mut cache = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = cache.write.get(provider) {
            return k.clone();
        }
        let p = &self.providers[provider];
        let mut salt = vec![0u8; p.salt_length];
        aes_gcm::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut salt);
        let meta = Meta { salt, iterations: p.iterations, hash_function: p.hash_function, key_length: p.key_length };
        let key = derive(&p.passphrase, &meta);
        cache.read.push((provider.to_string(), meta.clone(), key.clone()));
        cache.write.insert(provider.to_string(), (meta.clone(), key.clone()));
        (meta, key)
    }

    fn read_key(&self, provider: &str, meta: &Meta) -> Vec<u8> {
        let mut cache = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, k)) = cache.read.iter().find(|(p, m, _)| p == provider && m == meta) {
            return k.clone();
        }
        let key = derive(&self.providers[provider].passphrase, meta);
        cache.read.push((provider.to_string(), meta.clone(), key.clone()));
        key
    }
}

/// Whether `data` is an encryption envelope (it has `encryption_version`).
pub fn is_encrypted(data: &[u8]) -> bool {
    matches!(parse_envelope(data, "data"), Ok(Some(_)) | Err(_))
}

/// Decrypts with `enc` if given; without it, plain text passes through and
/// an envelope is a clear error.
pub fn decrypt_opt(enc: Option<&Encryptor>, data: &[u8], what: &'static str) -> Result<Vec<u8>, EncryptionError> {
    match enc {
        Some(e) => e.decrypt(data),
        None if is_encrypted(data) => Err(EncryptionError::NotConfigured(what)),
        None => Ok(data.to_vec()),
    }
}

/// Encrypts with `enc` if given.
pub fn encrypt_opt(enc: Option<&Encryptor>, data: Vec<u8>) -> Result<Vec<u8>, EncryptionError> {
    match enc {
        Some(e) => e.encrypt(&data),
        None => Ok(data),
    }
}

struct Envelope {
    meta: Map<String, Value>,
    data: Vec<u8>,
}

/// `Ok(None)` for anything that is not an envelope (plain state, or not JSON).
fn parse_envelope(data: &[u8], what: &'static str) -> Result<Option<Envelope>, EncryptionError> {
    // Cheap test first: a state file is large, and only envelopes have this key.
    if !contains(data, b"\"encryption_version\"") {
        return Ok(None);
    }
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(data) else {
        return Ok(None);
    };
    let Some(version) = obj.get("encryption_version").and_then(Value::as_str) else {
        return Ok(None);
    };
    if version.is_empty() {
        return Ok(None);
    }
    let bad = |message: String| EncryptionError::Envelope { what, message };
    if version != ENCRYPTION_VERSION {
        return Err(bad(format!("invalid encrypted payload version: {version} != {ENCRYPTION_VERSION}")));
    }
    let meta = match obj.remove("meta") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(bad("\"meta\" is not an object".into())),
    };
    let data = obj.get("encrypted_data").and_then(Value::as_str).ok_or_else(|| bad("missing \"encrypted_data\"".into()))?;
    let data = B64.decode(data).map_err(|e| bad(format!("\"encrypted_data\" is not base64: {e}")))?;
    Ok(Some(Envelope { meta, data }))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn derive(passphrase: &str, meta: &Meta) -> Vec<u8> {
    let mut key = vec![0u8; meta.key_length];
    match meta.hash_function {
        HashFunction::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), &meta.salt, meta.iterations, &mut key),
        HashFunction::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase.as_bytes(), &meta.salt, meta.iterations, &mut key),
    }
    key
}

type Gcm<C> = AesGcm<C, U12>;

fn gcm_seal(key: &[u8], plain: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    fn seal<C>(key: &[u8], plain: &[u8], aad: &[u8]) -> Option<Vec<u8>>
    where
        Gcm<C>: KeyInit + Aead + AeadCore<NonceSize = U12>,
    {
        let cipher = <Gcm<C> as KeyInit>::new_from_slice(key).ok()?;
        let nonce = <Gcm<C> as AeadCore>::generate_nonce(&mut OsRng);
        let ct = cipher.encrypt(&nonce, Payload { msg: plain, aad }).ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Some(out)
    }
    match key.len() {
        16 => seal::<Aes128>(key, plain, aad),
        24 => seal::<Aes192>(key, plain, aad),
        32 => seal::<Aes256>(key, plain, aad),
        _ => None,
    }
}

fn gcm_open(key: &[u8], data: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    fn open<C>(key: &[u8], data: &[u8], aad: &[u8]) -> Option<Vec<u8>>
    where
        Gcm<C>: KeyInit + Aead,
    {
        if data.len() < 12 {
            return None;
        }
        let cipher = <Gcm<C> as KeyInit>::new_from_slice(key).ok()?;
        let (nonce, ct) = data.split_at(12);
        cipher.decrypt(aes_gcm::Nonce::from_slice(nonce), Payload { msg: ct, aad }).ok()
    }
    match key.len() {
        16 => open::<Aes128>(key, data, aad),
        24 => open::<Aes192>(key, data, aad),
        32 => open::<Aes256>(key, data, aad),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDER: &str = "key_provider.pbkdf2.k";
    const METHOD: &str = "method.aes_gcm.m";

    fn config(passphrase: &str, fallback_plain: bool) -> EncryptionConfig {
        let mut c = EncryptionConfig::default();
        let mut p = Pbkdf2::new(passphrase);
        p.iterations = PBKDF2_MIN_ITERATIONS;
        c.key_providers.insert(PROVIDER.into(), p);
        c.methods.insert(METHOD.into(), Method::AesGcm { keys: PROVIDER.into(), aad: Vec::new() });
        c.methods.insert("method.unencrypted.u".into(), Method::Unencrypted);
        c.state = Some(Target {
            method: Some(METHOD.into()),
            fallback: fallback_plain.then(|| Box::new(Target { method: Some("method.unencrypted.u".into()), fallback: None })),
        });
        c
    }

    #[test]
    fn round_trip_and_envelope_shape() {
        let enc = config("correct horse battery staple", false).state().unwrap().unwrap();
        let sealed = enc.encrypt(b"{\"secret\":\"hunter2\"}").unwrap();
        assert!(!contains(&sealed, b"hunter2"));
        let v: Value = serde_json::from_slice(&sealed).unwrap();
        assert_eq!(v["encryption_version"], "v0");
        assert_eq!(v["meta"][PROVIDER]["hash_function"], "sha512");
        assert_eq!(v["meta"][PROVIDER]["key_length"], 32);
        assert_eq!(enc.decrypt(&sealed).unwrap(), b"{\"secret\":\"hunter2\"}");
        // A fresh encryptor (another process) derives the key from the meta.
        let other = config("correct horse battery staple", false).state().unwrap().unwrap();
        assert_eq!(other.decrypt(&sealed).unwrap(), b"{\"secret\":\"hunter2\"}");
    }

    #[test]
    fn wrong_passphrase_is_a_clear_error() {
        let enc = config("correct horse battery staple", false).state().unwrap().unwrap();
        let sealed = enc.encrypt(b"{}").unwrap();
        let wrong = config("incorrect horse battery staple", false).state().unwrap().unwrap();
        let err = wrong.decrypt(&sealed).unwrap_err().to_string();
        assert!(err.contains("passphrase or key is probably wrong"), "{err}");
        assert!(err.contains("method.aes_gcm.m: message authentication failed"), "{err}");
    }

    #[test]
    fn plain_text_needs_an_unencrypted_fallback() {
        let strict = config("correct horse battery staple", false).state().unwrap().unwrap();
        assert!(matches!(strict.decrypt(b"{\"version\":4}"), Err(EncryptionError::Unencrypted(_))));
        let migrating = config("correct horse battery staple", true).state().unwrap().unwrap();
        assert_eq!(migrating.decrypt(b"{\"version\":4}").unwrap(), b"{\"version\":4}");
        assert!(matches!(decrypt_opt(None, &strict.encrypt(b"{}").unwrap(), "state"), Err(EncryptionError::NotConfigured("state"))));
    }

    #[test]
    fn reads_an_opentofu_envelope() {
        // Made with OpenTofu's algorithm: pbkdf2-sha256, 200000 iterations,
        // 16-byte key, nonce ‖ ciphertext ‖ tag.
        let meta = Meta { salt: b"0123456789abcdef".to_vec(), iterations: 200_000, hash_function: HashFunction::Sha256, key_length: 16 };
        let key = derive("a passphrase of 16+ chars", &meta);
        let sealed = gcm_seal(&key, b"{\"version\":4}", b"").unwrap();
        let text = format!(
            "{{\"meta\":{{\"{PROVIDER}\":{}}},\"encrypted_data\":\"{}\",\"encryption_version\":\"v0\"}}",
            meta.to_json(),
            B64.encode(&sealed)
        );
        let mut c = config("a passphrase of 16+ chars", false);
        c.key_providers.get_mut(PROVIDER).unwrap().key_length = 16;
        let enc = c.state().unwrap().unwrap();
        assert_eq!(enc.decrypt(text.as_bytes()).unwrap(), b"{\"version\":4}");
    }

    #[test]
    fn config_errors() {
        let short = config("short", false).state().unwrap_err().to_string();
        assert!(short.contains("passphrase is too short"), "{short}");
        let mut c = config("correct horse battery staple", false);
        c.state = None;
        c.state_enforced = true;
        assert!(matches!(c.state(), Err(EncryptionError::Enforced("state"))));
    }
}
