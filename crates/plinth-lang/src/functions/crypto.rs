//! Hash and crypto functions: base64sha256, base64sha512, bcrypt,
//! filebase64sha256, filebase64sha512, filemd5, filesha1, filesha256,
//! filesha512, md5, rsadecrypt, sha1, sha256, sha512, uuid, uuidv5.

use std::io::Read;

use md5::Md5;
use plinth_value::{Type, Value};
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha512};

use super::encoding::{b64, go_base64_decode, go_quote};
use super::filesystem::{io_error, open_file, resolve_path};
use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

type HashFn = fn(&[u8]) -> Vec<u8>;

fn md5_of(b: &[u8]) -> Vec<u8> {
    Md5::digest(b).to_vec()
}
fn sha1_of(b: &[u8]) -> Vec<u8> {
    Sha1::digest(b).to_vec()
}
fn sha256_of(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}
fn sha512_of(b: &[u8]) -> Vec<u8> {
    Sha512::digest(b).to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

macro_rules! string_hash {
    ($name:ident, $hash:expr, $enc:expr) => {
        fn $name(_: &CallCtx, args: &[Value]) -> FuncResult {
            let s = args[0].as_str().expect("string");
            let h: HashFn = $hash;
            Ok(Value::string($enc(&h(s.as_bytes()))))
        }
    };
}

macro_rules! file_hash {
    ($name:ident, $hash:expr, $enc:expr) => {
        fn $name(ctx: &CallCtx, args: &[Value]) -> FuncResult {
            let path = args[0].as_str().expect("string");
            let h: HashFn = $hash;
            let bytes = read_whole(ctx, path)?;
            Ok(Value::string($enc(&h(&bytes))))
        }
    };
}

string_hash!(md5, md5_of, hex);
string_hash!(sha1, sha1_of, hex);
string_hash!(sha256, sha256_of, hex);
string_hash!(sha512, sha512_of, hex);
string_hash!(base64sha256, sha256_of, b64);
string_hash!(base64sha512, sha512_of, b64);
file_hash!(filemd5, md5_of, hex);
file_hash!(filesha1, sha1_of, hex);
file_hash!(filesha256, sha256_of, hex);
file_hash!(filesha512, sha512_of, hex);
file_hash!(filebase64sha256, sha256_of, b64);
file_hash!(filebase64sha512, sha512_of, b64);

/// The file hash functions report Go's raw `os.Open` / read errors.
fn read_whole(ctx: &CallCtx, path: &str) -> Result<Vec<u8>, FuncError> {
    let mut f = open_file(ctx, path).map_err(FuncError::call)?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).map_err(|e| {
        let full = resolve_path(ctx, path).unwrap_or_else(|_| path.to_string());
        FuncError::call(io_error("read", &full, &e))
    })?;
    Ok(buf)
}

pub(super) fn register(r: &mut Registry) {
    let s = || vec![Param::new("str", Type::String)];
    let p = || vec![Param::new("path", Type::String)];
    let st = fixed_type!(Type::String);
    r.add("md5", Function::new(s(), st, md5));
    r.add("sha1", Function::new(s(), st, sha1));
    r.add("sha256", Function::new(s(), st, sha256));
    r.add("sha512", Function::new(s(), st, sha512));
    r.add("base64sha256", Function::new(s(), st, base64sha256));
    r.add("base64sha512", Function::new(s(), st, base64sha512));
    r.add("filemd5", Function::new(p(), st, filemd5));
    r.add("filesha1", Function::new(p(), st, filesha1));
    r.add("filesha256", Function::new(p(), st, filesha256));
    r.add("filesha512", Function::new(p(), st, filesha512));
    r.add("filebase64sha256", Function::new(p(), st, filebase64sha256));
    r.add("filebase64sha512", Function::new(p(), st, filebase64sha512));
    r.add("bcrypt", Function::new(s(), st, bcrypt).variadic(Param::new("cost", Type::Number)).impure());
    r.add("uuid", Function::new(vec![], st, uuid).impure());
    r.add("uuidv5", Function::new(vec![Param::new("namespace", Type::String), Param::new("name", Type::String)], st, uuidv5));
    r.add(
        "rsadecrypt",
        Function::new(vec![Param::new("ciphertext", Type::String), Param::new("privatekey", Type::String)], st, rsadecrypt),
    );
}

// ---- bcrypt ----------------------------------------------------------------------

fn bcrypt(_: &CallCtx, args: &[Value]) -> FuncResult {
    let mut cost: i64 = 10;
    if let Some(c) = args.get(1) {
        let n = c.as_number().expect("number");
        cost = match n.to_i64() {
            Some(i) if n.is_integer() => i,
            _ => return Err(FuncError::call(format!("value must be a whole number, between {} and {}", i64::MIN, i64::MAX))),
        };
    }
    if args.len() > 2 {
        return Err(FuncError::call("bcrypt() takes no more than two arguments"));
    }
    let input = args[0].as_str().expect("string").as_bytes();
    // Go's x/crypto/bcrypt: costs below 4 are raised to 10; above 31 rejected.
    let cost = if cost < 4 { 10 } else { cost };
    if cost > 31 {
        return Err(FuncError::call(format!(
            "error occured generating password crypto/bcrypt: cost {cost} is outside allowed inclusive range 4..31"
        )));
    }
    if input.len() > 72 {
        return Err(FuncError::call("error occured generating password bcrypt: password length exceeds 72 bytes"));
    }
    let hashed =
        ::bcrypt::hash_with_result(input, cost as u32).map_err(|e| FuncError::call(format!("error occured generating password {e}")))?;
    Ok(Value::string(hashed.format_for_version(::bcrypt::Version::TwoA)))
}

// ---- UUIDs -------------------------------------------------------------------------

fn random_bytes(buf: &mut [u8]) -> Result<(), FuncError> {
    let mut f = std::fs::File::open("/dev/urandom").map_err(|e| FuncError::call(e.to_string()))?;
    f.read_exact(buf).map_err(|e| FuncError::call(e.to_string()))
}

fn format_uuid(b: &[u8; 16]) -> String {
    let h = hex(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// hashicorp/go-uuid's GenerateUUID: 16 random bytes formatted as a UUID
/// (no version or variant bits set).
fn uuid(_: &CallCtx, _: &[Value]) -> FuncResult {
    let mut b = [0u8; 16];
    random_bytes(&mut b)?;
    Ok(Value::string(format_uuid(&b)))
}

/// google/uuid's `Parse`.
fn parse_uuid(s: &str) -> Result<[u8; 16], String> {
    let bytes = s.as_bytes();
    let body: &[u8] = match bytes.len() {
        36 => bytes,
        45 => {
            if !s[..9].eq_ignore_ascii_case("urn:uuid:") {
                return Err(format!("invalid urn prefix: {}", go_quote(&s[..9])));
            }
            &bytes[9..]
        }
        38 => {
            if bytes[0] != b'{' || bytes[37] != b'}' {
                return Err("invalid prefix/suffix".into());
            }
            &bytes[1..37]
        }
        32 => {
            let mut out = [0u8; 16];
            for (i, o) in out.iter_mut().enumerate() {
                *o = hex_byte(bytes[2 * i], bytes[2 * i + 1]).ok_or("invalid UUID format")?;
            }
            return Ok(out);
        }
        n => return Err(format!("invalid UUID length: {n}")),
    };
    if body[8] != b'-' || body[13] != b'-' || body[18] != b'-' || body[23] != b'-' {
        return Err("invalid UUID format".into());
    }
    let mut out = [0u8; 16];
    for (i, x) in [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34].iter().enumerate() {
        out[i] = hex_byte(body[*x], body[x + 1]).ok_or("invalid UUID format")?;
    }
    Ok(out)
}

fn hex_byte(a: u8, b: u8) -> Option<u8> {
    let d = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    Some(d(a)? << 4 | d(b)?)
}

fn uuidv5(_: &CallCtx, args: &[Value]) -> FuncResult {
    let ns_arg = args[0].as_str().expect("string");
    let ns: [u8; 16] = match ns_arg {
        "dns" => parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8").unwrap(),
        "url" => parse_uuid("6ba7b811-9dad-11d1-80b4-00c04fd430c8").unwrap(),
        "oid" => parse_uuid("6ba7b812-9dad-11d1-80b4-00c04fd430c8").unwrap(),
        "x500" => parse_uuid("6ba7b814-9dad-11d1-80b4-00c04fd430c8").unwrap(),
        other => parse_uuid(other).map_err(|e| FuncError::call(format!("uuidv5() doesn't support namespace {other} ({e})")))?,
    };
    let mut h = Sha1::new();
    h.update(ns);
    h.update(args[1].as_str().expect("string").as_bytes());
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(Value::string(format_uuid(&b)))
}

// ---- rsadecrypt ----------------------------------------------------------------------

fn rsadecrypt(_: &CallCtx, args: &[Value]) -> FuncResult {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;

    let s = args[0].as_str().expect("string");
    let key = args[1].as_str().expect("string");
    let ciphertext = go_base64_decode(s)
        .map_err(|_| FuncError::arg(0, format!("failed to decode input {}: cipher text must be base64-encoded", go_quote(s))))?;

    // x/crypto/ssh's ParseRawPrivateKey: find a PEM block, then decode by type.
    let Some(begin) = key.find("-----BEGIN ") else {
        return Err(FuncError::arg(1, "invalid private key: ssh: no key found"));
    };
    let block = &key[begin..];
    let label_end = block[11..].find("-----").map(|i| i + 11).unwrap_or(11);
    let label = &block[11..label_end];
    let private = match label {
        "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_pem(block)
            .map_err(|e| FuncError::arg(1, format!("invalid ASN1 data in the given private key: {e}")))?,
        "PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs8_pem(block).map_err(|e| FuncError::arg(1, format!("invalid private key: {e}")))?,
        "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
            return Err(FuncError::arg(1, "invalid private key type"));
        }
        other => {
            return Err(FuncError::arg(1, format!("invalid private key: ssh: unsupported key type {}", go_quote(other))));
        }
    };
    let out = private
        .decrypt(rsa::Pkcs1v15Encrypt, &ciphertext)
        .map_err(|_| FuncError::call("failed to decrypt: crypto/rsa: decryption error"))?;
    Ok(Value::string(String::from_utf8_lossy(&out).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::super::{call, registry, CallCtx, CallError};
    use super::*;

    fn run(name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call(registry().get(name).unwrap(), &CallCtx::default(), args)
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn ok(name: &str, args: Vec<Value>) -> String {
        run(name, args).unwrap().as_str().unwrap().to_string()
    }
    fn err(name: &str, args: Vec<Value>) -> FuncError {
        match run(name, args) {
            Err(CallError::Func(e)) => e,
            other => panic!("expected error, got {other:?}"),
        }
    }

    #[test]
    fn string_hashes() {
        assert_eq!(ok("md5", vec![s("hello world")]), "5eb63bbbe01eeed093cb22bb8f5acdc3");
        assert_eq!(ok("md5", vec![s("")]), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(ok("md5", vec![s("é")]), "66ddcd97cfdeabb2f6fb8a999b4bc76f");
        assert_eq!(ok("sha1", vec![s("hello world")]), "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed");
        assert_eq!(ok("sha1", vec![s("")]), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(ok("sha1", vec![s("é")]), "bf15be717ac1b080b4f1c456692825891ff5073d");
        assert_eq!(ok("sha256", vec![s("hello world")]), "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
        assert_eq!(ok("sha256", vec![s("é")]), "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
        assert_eq!(ok("sha256", vec![s("false")]), "fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa");
        assert_eq!(ok("sha512", vec![s("hello world")]), "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f");
        assert_eq!(ok("sha512", vec![s("0")]), "31bca02094eb78126a517b206a88c73cfa9ec6f704c7030d18212cace820f025f00bf0ea68dbf3f3a5436ca63b53bf7bf80ad8d5de7d8359d0b7fed9dbc3ab99");
        assert_eq!(ok("base64sha256", vec![s("hello world")]), "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
        assert_eq!(ok("base64sha256", vec![s("é")]), "SplVfkAzw1Od4utlRyAXytX5VX96BiWgnxw/biumnEw=");
        assert_eq!(ok("base64sha256", vec![s("1")]), "a4ayc/80/OGda4BO/1o/V0etpOqiLx1JwB5S3beHW0s=");
        assert_eq!(
            ok("base64sha512", vec![s("hello world")]),
            "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="
        );
        assert_eq!(
            ok("base64sha512", vec![s("")]),
            "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
        );
        assert_eq!(err("sha1", vec![Value::null(Type::String)]), FuncError::arg(0, "argument must not be null"));
        assert!(matches!(run("base64sha512", vec![]), Err(CallError::TooFew { missing: "str", .. })));
    }

    #[test]
    fn file_hashes() {
        let dir = std::env::temp_dir().join(format!("plinth-crypto-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("h.txt"), "hello world").unwrap();
        let ctx = CallCtx { base_dir: dir.clone(), ..CallCtx::default() };
        let f = |name: &str, p: &str| call(registry().get(name).unwrap(), &ctx, vec![s(p)]);
        assert_eq!(f("filemd5", "h.txt").unwrap().as_str(), Some("5eb63bbbe01eeed093cb22bb8f5acdc3"));
        assert_eq!(f("filesha1", "h.txt").unwrap().as_str(), Some("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"));
        assert_eq!(f("filesha256", "h.txt").unwrap().as_str(), Some("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"));
        assert_eq!(f("filebase64sha256", "h.txt").unwrap().as_str(), Some("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="));
        assert!(f("filesha512", "h.txt").unwrap().as_str().unwrap().starts_with("309ecc48"));
        assert!(f("filebase64sha512", "h.txt").unwrap().as_str().unwrap().starts_with("MJ7MSJwS"));
        match f("filemd5", "nope.txt") {
            Err(CallError::Func(e)) => {
                assert_eq!(e, FuncError::call(format!("open {}/nope.txt: no such file or directory", dir.display())))
            }
            other => panic!("{other:?}"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn uuids() {
        assert_eq!(ok("uuidv5", vec![s("dns"), s("www.terraform.io")]), "a5008fae-b28c-5ba5-96cd-82b4c53552d6");
        assert_eq!(ok("uuidv5", vec![s("url"), s("https://www.terraform.io/")]), "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5");
        assert_eq!(
            ok("uuidv5", vec![s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), s("www.terraform.io")]),
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6"
        );
        assert_eq!(ok("uuidv5", vec![s("dns"), s("")]), "4ebd0208-8328-5d69-8c44-ec50939c0967");
        assert_eq!(
            err("uuidv5", vec![s("DNS"), s("x")]),
            FuncError::call("uuidv5() doesn't support namespace DNS (invalid UUID length: 3)")
        );
        let u = ok("uuid", vec![]);
        assert_eq!(u.len(), 36);
        assert_ne!(u, ok("uuid", vec![]));
        let planned = call(registry().get("uuid").unwrap(), &CallCtx { planning: true, ..CallCtx::default() }, vec![]);
        assert!(planned.unwrap().is_unknown());
    }

    #[test]
    fn bcrypt_hashes_verify() {
        let h = ok("bcrypt", vec![s("secret"), Value::int(4)]);
        assert!(h.starts_with("$2a$04$"), "{h}");
        assert!(::bcrypt::verify("secret", &h).unwrap());
        assert!(ok("bcrypt", vec![s("x"), Value::int(0)]).starts_with("$2a$10$"));
        assert!(err("bcrypt", vec![s("x"), Value::int(32)]).message.contains("outside allowed"));
    }

    #[test]
    #[allow(non_snake_case)]
    fn rsadecrypt() {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let mut rng = DevRandom;
        let key = rsa::RsaPrivateKey::new(&mut rng, 512).unwrap();
        let pem = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let KEY: &str = &pem;
        let public = rsa::RsaPublicKey::from(&key);
        let ct = public.encrypt(&mut rng, rsa::Pkcs1v15Encrypt, b"message").unwrap();
        assert_eq!(ok("rsadecrypt", vec![s(&b64(&ct)), s(KEY)]), "message");
        assert_eq!(
            err("rsadecrypt", vec![s("not!b64"), s(KEY)]),
            FuncError::arg(0, "failed to decode input \"not!b64\": cipher text must be base64-encoded")
        );
        assert_eq!(err("rsadecrypt", vec![s(&b64(&ct)), s("nope")]), FuncError::arg(1, "invalid private key: ssh: no key found"));
        assert_eq!(err("rsadecrypt", vec![s("AAAA"), s(KEY)]), FuncError::call("failed to decrypt: crypto/rsa: decryption error"));
    }

    struct DevRandom;
    impl rsa::rand_core::RngCore for DevRandom {
        fn next_u32(&mut self) -> u32 {
            let mut b = [0u8; 4];
            self.fill_bytes(&mut b);
            u32::from_le_bytes(b)
        }
        fn next_u64(&mut self) -> u64 {
            let mut b = [0u8; 8];
            self.fill_bytes(&mut b);
            u64::from_le_bytes(b)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            random_bytes(dest).unwrap()
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }
    impl rsa::rand_core::CryptoRng for DevRandom {}
}
