//! Against moto's server (`scripts/test.sh` starts it). Without
//! `AWS_ENDPOINT_URL` these tests print a notice and pass; with
//! `PLINTH_MOTO=1` an unreachable moto fails them.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
use plinth_encryption::{EncryptionConfig, Method, Pbkdf2, Target};
use plinth_state::{AbsResourceInstance, Backend, BackendError, InstanceObject, LockInfo, State};
use serde_json::json;

use super::*;

fn moto() -> bool {
    let url = std::env::var("AWS_ENDPOINT_URL").ok().filter(|u| !u.is_empty());
    let required = std::env::var("PLINTH_MOTO").is_ok_and(|v| v == "1");
    let reachable = url.as_deref().is_some_and(|u| {
        let hostport = u.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/');
        std::net::TcpStream::connect(hostport).is_ok()
    });
    if !reachable {
        assert!(!required, "PLINTH_MOTO=1 but moto is not reachable at AWS_ENDPOINT_URL={url:?}");
        eprintln!("notice: skipping an s3 backend test: moto is not running (run scripts/test.sh)");
    }
    reachable
}

/// A backend on a fresh bucket (and table, with `dynamodb`).
fn backend(lockfile: bool, dynamodb: bool) -> S3Backend {
    let name = format!("plinth-{}", uuid::Uuid::new_v4().simple());
    let mut cfg = json!({"bucket": name, "key": "app/terraform.tfstate", "use_path_style": true, "use_lockfile": lockfile});
    if dynamodb {
        cfg["dynamodb_table"] = json!(name);
    }
    let b = S3Backend::new(S3Config::from_json(cfg.as_object().unwrap()).unwrap()).unwrap();
    let clients = b.clients.clone();
    let table = b.config.dynamodb_table.clone();
    b.run(async move {
        clients.s3.create_bucket().bucket(&name).send().await.expect("create bucket");
        if let (Some(ddb), Some(table)) = (&clients.dynamodb, table) {
            ddb.create_table()
                .table_name(table)
                .attribute_definitions(
                    AttributeDefinition::builder().attribute_name("LockID").attribute_type(ScalarAttributeType::S).build().unwrap(),
                )
                .key_schema(KeySchemaElement::builder().attribute_name("LockID").key_type(KeyType::Hash).build().unwrap())
                .billing_mode(BillingMode::PayPerRequest)
                .send()
                .await
                .expect("create table");
        }
    })
    .unwrap();
    b
}

fn same_place(b: &S3Backend) -> S3Backend {
    S3Backend::new(b.config.clone()).unwrap()
}

fn state_with(value: &str) -> State {
    let mut s = State::new();
    let addr: AbsResourceInstance = "terraform_data.a".parse().unwrap();
    let attrs = json!({"id": "x", "input": value, "output": value});
    s.set_current(&addr, Some(InstanceObject::new(attrs)), "provider[\"terraform.io/builtin/terraform\"]");
    s.bump_serial();
    s
}

fn raw(b: &S3Backend, key: &str) -> Option<Vec<u8>> {
    b.get_object(key.to_string()).unwrap().map(|o| o.body)
}

#[test]
fn lockfile_excludes_a_second_holder_and_records_terraforms_lock_info() {
    if !moto() {
        return;
    }
    let mut a = backend(true, false);
    let mut b = same_place(&a);
    let id = a.lock("default", LockInfo::new("OperationTypeApply"), Duration::ZERO).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&raw(&a, "app/terraform.tfstate.tflock").unwrap()).unwrap();
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"]);
    assert_eq!(body["ID"], id.as_str());
    assert_eq!(body["Path"], format!("{}/app/terraform.tfstate", a.config.bucket));

    let err = b.lock("default", LockInfo::new("OperationTypePlan"), Duration::from_millis(600)).unwrap_err();
    let BackendError::Locked { info: Some(info), .. } = &err else { panic!("{err}") };
    assert_eq!(info.id, id);
    assert!(err.to_string().contains("OperationTypeApply"), "{err}");

    let wrong = b.unlock("default", "not-the-id").unwrap_err().to_string();
    assert!(wrong.contains("does not match"), "{wrong}");
    a.unlock("default", &id).unwrap();
    assert!(raw(&a, "app/terraform.tfstate.tflock").is_none());
    let id2 = b.lock("default", LockInfo::new("OperationTypePlan"), Duration::ZERO).unwrap();
    // A lock left behind (a killed process) is removed by force-unlock.
    drop(std::mem::take(&mut b.held));
    drop(b);
    let mut c = same_place(&a);
    assert_eq!(c.lock_info("default").unwrap().unwrap().id, id2);
    c.force_unlock("default", &id2).unwrap();
    assert!(c.lock_info("default").unwrap().is_none());
}

#[test]
fn dynamodb_lock_and_digest_like_terraform() {
    if !moto() {
        return;
    }
    let mut a = backend(true, true);
    let mut b = same_place(&a);
    let id = a.lock("default", LockInfo::new("OperationTypeApply"), Duration::ZERO).unwrap();
    let path = a.lock_path("default");
    let info = a.dynamodb_get(path.clone(), "Info").unwrap().unwrap();
    assert!(info.contains(&id), "{info}");
    assert!(b.lock("default", LockInfo::new("OperationTypePlan"), Duration::ZERO).is_err());
    // Only the table: the lock file is gone, the item still excludes.
    a.delete_object(a.lock_key("default")).unwrap();
    b.config.use_lockfile = false;
    let err = b.lock("default", LockInfo::new("OperationTypePlan"), Duration::ZERO).unwrap_err();
    assert!(err.to_string().contains(&id), "{err}");

    let s = state_with("x");
    a.write("default", &s).unwrap();
    let body = raw(&a, "app/terraform.tfstate").unwrap();
    let digest = a.dynamodb_get(format!("{path}-md5"), "Digest").unwrap().unwrap();
    assert_eq!(digest, hex(&md5(&body)));
    a.config.use_lockfile = false;
    a.unlock("default", &id).unwrap();
    assert!(a.dynamodb_get(path, "Info").unwrap().is_none());
    assert_eq!(b.read("default").unwrap().unwrap().serial, s.serial);
}

#[test]
fn refuses_older_serial_other_lineage_and_concurrent_writes() {
    if !moto() {
        return;
    }
    let mut a = backend(true, false);
    let mut s = state_with("one");
    s.serial = 5;
    a.write("default", &s).unwrap();

    let mut b = same_place(&a);
    let mut older = b.read("default").unwrap().unwrap();
    older.serial = 4;
    assert!(matches!(b.write("default", &older), Err(BackendError::OlderSerial { existing: 5, new: 4 })));
    let other = state_with("other");
    assert!(matches!(b.write("default", &other), Err(BackendError::LineageMismatch { .. })));

    // Two writers that read the same snapshot: the second is refused.
    let mut c = same_place(&a);
    let mut from_b = b.read("default").unwrap().unwrap();
    let mut from_c = c.read("default").unwrap().unwrap();
    from_b.bump_serial();
    from_c.bump_serial();
    from_c.outputs.clear();
    b.write("default", &from_b).unwrap();
    from_c.lineage = from_b.lineage.clone();
    let mut changed = state_with("changed by c");
    changed.lineage = from_c.lineage.clone();
    changed.serial = from_c.serial;
    let err = c.write("default", &changed).unwrap_err().to_string();
    assert!(err.contains("changed by another writer"), "{err}");
    assert_eq!(a.read("default").unwrap().unwrap().serial, 6);
}

#[test]
fn workspaces_use_terraforms_key_layout() {
    if !moto() {
        return;
    }
    let mut a = backend(true, false);
    a.write("prod", &State::new()).unwrap();
    a.write("dev", &State::new()).unwrap();
    assert!(raw(&a, "env:/dev/app/terraform.tfstate").is_some());
    assert_eq!(a.workspaces().unwrap(), ["default", "dev", "prod"]);
    let id = a.lock("dev", LockInfo::new("OperationTypeApply"), Duration::ZERO).unwrap();
    assert!(raw(&a, "env:/dev/app/terraform.tfstate.tflock").is_some());
    a.unlock("dev", &id).unwrap();
    a.delete_workspace("dev", false).unwrap();
    assert_eq!(a.workspaces().unwrap(), ["default", "prod"]);
    assert!(matches!(a.delete_workspace("default", false), Err(BackendError::DeleteDefault)));
}

#[test]
fn works_from_inside_a_tokio_runtime() {
    if !moto() {
        return;
    }
    let mut a = backend(true, false);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let s = state_with("in runtime");
    let got = rt.block_on(async move {
        a.write("default", &s).unwrap();
        tokio::task::spawn_blocking(move || a.read("default").unwrap()).await.unwrap()
    });
    assert_eq!(got.unwrap().serial, 1);
}

#[test]
fn encrypted_state_has_no_plaintext_and_needs_the_passphrase() {
    if !moto() {
        return;
    }
    let enc = |pass: &str| {
        let mut c = EncryptionConfig::default();
        let mut p = Pbkdf2::new(pass);
        p.iterations = 200_000;
        c.key_providers.insert("key_provider.pbkdf2.k".into(), p);
        c.methods.insert("method.aes_gcm.m".into(), Method::AesGcm { keys: "key_provider.pbkdf2.k".into(), aad: vec![] });
        c.state = Some(Target { method: Some("method.aes_gcm.m".into()), fallback: None });
        Some(Arc::new(c.state().unwrap().unwrap()))
    };
    let a = backend(true, false);
    let mut a = a.with_encryption(enc("a passphrase of some length"));
    a.write("default", &state_with("top-secret-value")).unwrap();
    let body = raw(&a, "app/terraform.tfstate").unwrap();
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains("top-secret-value") && text.contains("encrypted_data"), "{text}");

    let mut same = same_place(&a).with_encryption(enc("a passphrase of some length"));
    assert_eq!(same.read("default").unwrap().unwrap().serial, 1);
    let mut wrong = same_place(&a).with_encryption(enc("another passphrase, wrong"));
    let err = wrong.read("default").unwrap_err().to_string();
    assert!(err.contains("passphrase or key is probably wrong"), "{err}");
    let mut none = same_place(&a);
    let err = none.read("default").unwrap_err().to_string();
    assert!(err.contains("encrypted, but no encryption is configured"), "{err}");
}
