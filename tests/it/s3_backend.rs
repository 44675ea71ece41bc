//! Remote state: the s3 backend against moto's server (started by
//! `scripts/test.sh`), locks, no clobbering, migrations, workspaces,
//! `terraform_remote_state`, and encrypted state (local and S3).
//!
//! Tests that need moto print a notice and pass when `AWS_ENDPOINT_URL` is
//! unset, and fail when `PLINTH_MOTO=1` says moto should be there.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::{Dir, Run};

pub(crate) fn endpoint() -> Option<String> {
    let url = std::env::var("AWS_ENDPOINT_URL").ok().filter(|u| !u.is_empty());
    let required = std::env::var("PLINTH_MOTO").is_ok_and(|v| v == "1");
    let hostport = url.as_deref().map(|u| u.trim_start_matches("http://").trim_end_matches('/').to_string());
    let up = hostport.as_deref().is_some_and(|h| TcpStream::connect(h).is_ok());
    if !up {
        assert!(!required, "PLINTH_MOTO=1 but moto is not reachable at AWS_ENDPOINT_URL={url:?}");
        eprintln!("notice: skipping an s3 backend test: moto is not running (run scripts/test.sh)");
        return None;
    }
    hostport
}

/// One HTTP request to moto (it doesn't check signatures); returns the
/// status and body.
fn http(hostport: &str, method: &str, path: &str, service: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(hostport).expect("connect to moto");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Length: {}\r\nConnection: close\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let head_end = resp.windows(4).position(|w| w == b"\r\n\r\n").expect("http response");
    let head = String::from_utf8_lossy(&resp[..head_end]).to_string();
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, resp[head_end + 4..].to_vec())
}

pub(crate) fn new_bucket(hp: &str) -> String {
    let name = format!("plinth-it-{}", uuid_like());
    let (code, body) = http(hp, "PUT", &format!("/{name}"), "s3", &[], b"");
    assert_eq!(code, 200, "create bucket: {}", String::from_utf8_lossy(&body));
    name
}

fn new_table(hp: &str, name: &str) {
    let body = format!(
        r#"{{"TableName":"{name}","AttributeDefinitions":[{{"AttributeName":"LockID","AttributeType":"S"}}],"KeySchema":[{{"AttributeName":"LockID","KeyType":"HASH"}}],"BillingMode":"PAY_PER_REQUEST"}}"#
    );
    let (code, out) = http(
        hp,
        "POST",
        "/",
        "dynamodb",
        &[("X-Amz-Target", "DynamoDB_20120810.CreateTable"), ("Content-Type", "application/x-amz-json-1.0")],
        body.as_bytes(),
    );
    assert_eq!(code, 200, "create table: {}", String::from_utf8_lossy(&out));
}

pub(crate) fn get_object(hp: &str, bucket: &str, key: &str) -> Option<String> {
    let (code, body) = http(hp, "GET", &format!("/{bucket}/{key}"), "s3", &[], b"");
    (code == 200).then(|| String::from_utf8_lossy(&body).into_owned())
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}", n, std::process::id())
}

pub(crate) fn backend_block(bucket: &str, extra: &str) -> String {
    format!("terraform {{\n  backend \"s3\" {{\n    bucket = \"{bucket}\"\n    key = \"app/terraform.tfstate\"\n    region = \"us-east-1\"\n    use_path_style = true\n{extra}  }}\n}}\n")
}

const RESOURCES: &str = r#"
resource "terraform_data" "a" {
  input = "alpha"
}
resource "terraform_data" "b" {
  input = terraform_data.a.output
}
output "b" {
  value = terraform_data.b.output
}
output "ws" {
  value = terraform.workspace
}
"#;

/// Starts `plinth <args>` holding its lock for `hold`, and waits until
/// it holds it.
fn spawn_holding(d: &Dir, args: &[&str], hold: &str) -> Child {
    let mut child = d
        .command(args)
        .env("PLINTH_TEST_HOLD_LOCK", hold)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn plinth");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    loop {
        line.clear();
        if err.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("plinth exited before taking the lock");
        }
        if line.contains("holding the state lock") {
            break;
        }
    }
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut err, &mut std::io::sink());
    });
    child
}

pub(crate) fn lock_id(r: &Run) -> String {
    let line = r.stderr.lines().find(|l| l.trim_start().starts_with("ID:")).unwrap_or_else(|| panic!("no lock ID in:\n{}", r.stderr));
    line.trim_start().trim_start_matches("ID:").trim().to_string()
}

#[test]
fn s3_two_applies_at_once_one_gets_the_lock() {
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    let d = Dir::with(&[("main.tf", &format!("{}{RESOURCES}", backend_block(&bucket, "    use_lockfile = true\n")))]);
    d.run(&["init"]).ok();
    let mut first = spawn_holding(&d, &["apply", "-auto-approve"], "3s");
    let lock = get_object(&hp, &bucket, "app/terraform.tfstate.tflock").expect("lock object while held");
    assert!(lock.contains("\"Operation\":\"OperationTypeApply\""), "{lock}");
    let second = d.run(&["apply", "-auto-approve"]);
    assert_eq!(second.code, 1, "{second:?}");
    assert!(second.stderr.contains("Error acquiring the state lock"), "{}", second.stderr);
    assert!(
        second.stderr.contains("OperationTypeApply") && second.stderr.contains(&format!("Path:      {bucket}/app/terraform.tfstate")),
        "{}",
        second.stderr
    );
    // Waiting within -lock-timeout succeeds once the first is done.
    let third = d.run(&["apply", "-auto-approve", "-lock-timeout=30s"]).ok();
    assert!(third.stdout.contains("Apply complete!"), "{}", third.stdout);
    assert!(first.wait().unwrap().success());
    assert!(get_object(&hp, &bucket, "app/terraform.tfstate.tflock").is_none(), "lock released");
    let state = get_object(&hp, &bucket, "app/terraform.tfstate").expect("state object");
    assert!(state.contains("\"alpha\""), "{state}");
}

#[test]
fn s3_lock_of_a_killed_process_is_shown_and_force_unlocked() {
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    new_table(&hp, &bucket);
    let d = Dir::with(&[("main.tf", &format!("{}{RESOURCES}", backend_block(&bucket, &format!("    dynamodb_table = \"{bucket}\"\n"))))]);
    d.run(&["init"]).ok();
    let mut holder = spawn_holding(&d, &["apply", "-auto-approve"], "60s");
    holder.kill().unwrap();
    holder.wait().unwrap();
    let plan = d.run(&["plan"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.stderr.contains("Error acquiring the state lock"), "{}", plan.stderr);
    let id = lock_id(&plan);
    let wrong = d.run(&["force-unlock", "not-the-lock-id"]);
    assert_eq!(wrong.code, 1, "{wrong:?}");
    let unlocked = d.run(&["force-unlock", &id]).ok();
    assert!(unlocked.stdout.contains("successfully unlocked"), "{}", unlocked.stdout);
    let apply = d.run(&["apply", "-auto-approve"]).ok();
    assert!(apply.stdout.contains("2 added"), "{}", apply.stdout);
}

#[cfg(unix)]
#[test]
fn s3_ctrl_c_releases_the_lock() {
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    let d = Dir::with(&[("main.tf", &format!("{}{RESOURCES}", backend_block(&bucket, "    use_lockfile = true\n")))]);
    d.run(&["init"]).ok();
    let mut holder = spawn_holding(&d, &["apply", "-auto-approve"], "60s");
    assert!(get_object(&hp, &bucket, "app/terraform.tfstate.tflock").is_some());
    let status = std::process::Command::new("kill").args(["-INT", &holder.id().to_string()]).status().unwrap();
    assert!(status.success());
    let code = holder.wait().unwrap().code();
    assert_eq!(code, Some(1));
    assert!(get_object(&hp, &bucket, "app/terraform.tfstate.tflock").is_none(), "lock left behind");
    d.run(&["plan"]).ok();
}

#[test]
fn s3_refuses_a_stale_copy_and_another_lineage() {
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    let d = Dir::with(&[("main.tf", &format!("{}{RESOURCES}", backend_block(&bucket, "    use_lockfile = true\n")))]);
    d.run(&["init"]).ok();
    d.run(&["apply", "-auto-approve"]).ok();
    let old = d.run(&["state", "pull"]).ok().stdout;
    d.write("old.tfstate", &old);
    d.write("main.tf", &format!("{}{}", backend_block(&bucket, "    use_lockfile = true\n"), RESOURCES.replace("alpha", "beta")));
    d.run(&["apply", "-auto-approve"]).ok();
    let stale = d.run(&["state", "push", "old.tfstate"]);
    assert_eq!(stale.code, 1, "{stale:?}");
    assert!(stale.stderr.contains("cannot import state with serial"), "{}", stale.stderr);
    let lineage = old.lines().find(|l| l.contains("\"lineage\"")).unwrap().to_string();
    let other =
        old.replace(&lineage, "  \"lineage\": \"00000000-0000-0000-0000-000000000000\",").replace("\"serial\": ", "\"serial\": 1000");
    d.write("other.tfstate", &other);
    let foreign = d.run(&["state", "push", "other.tfstate"]);
    assert_eq!(foreign.code, 1, "{foreign:?}");
    assert!(foreign.stderr.contains("lineage"), "{}", foreign.stderr);
    assert!(get_object(&hp, &bucket, "app/terraform.tfstate").unwrap().contains("\"beta\""));
}

#[test]
fn s3_migration_from_local_and_back_keeps_every_resource() {
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    let d = Dir::with(&[("main.tf", RESOURCES)]);
    d.run(&["apply", "-auto-approve"]).ok();
    d.run(&["workspace", "new", "dev"]).ok();
    d.run(&["apply", "-auto-approve"]).ok();
    d.run(&["workspace", "select", "default"]).ok();

    d.write("main.tf", &format!("{}{RESOURCES}", backend_block(&bucket, "    use_lockfile = true\n")));
    let plan = d.run(&["plan"]);
    assert!(plan.stderr.contains("Backend initialization required"), "{}", plan.stderr);
    let refused = d.run(&["init"]);
    assert!(refused.stderr.contains("-migrate-state"), "{}", refused.stderr);
    d.run(&["init", "-migrate-state"]).ok();
    assert!(get_object(&hp, &bucket, "app/terraform.tfstate").unwrap().contains("\"alpha\""));
    assert!(get_object(&hp, &bucket, "env:/dev/app/terraform.tfstate").unwrap().contains("\"alpha\""));
    assert_eq!(d.run(&["state", "list"]).ok().stdout, "terraform_data.a\nterraform_data.b\n");
    let ws = d.run(&["workspace", "list"]).ok().stdout;
    assert_eq!(ws, "* default\n  dev\n");
    d.run(&["workspace", "select", "dev"]).ok();
    let out = d.run(&["output", "-raw", "ws"]).ok();
    assert_eq!(out.stdout, "dev");
    let noop = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(noop.code, 0, "{noop:?}");
    // A change made in S3, then back to local.
    d.write(
        "main.tf",
        &format!("{}{RESOURCES}resource \"terraform_data\" \"c\" {{}}\n", backend_block(&bucket, "    use_lockfile = true\n")),
    );
    d.run(&["apply", "-auto-approve"]).ok();
    d.write("main.tf", &format!("{RESOURCES}resource \"terraform_data\" \"c\" {{}}\n"));
    d.run(&["init", "-migrate-state"]).ok();
    assert!(!d.path().join(".terraform/terraform.tfstate").exists());
    assert_eq!(d.run(&["state", "list"]).ok().stdout, "terraform_data.a\nterraform_data.b\nterraform_data.c\n");
    d.run(&["workspace", "select", "default"]).ok();
    assert_eq!(d.run(&["state", "list"]).ok().stdout, "terraform_data.a\nterraform_data.b\n");
    let noop = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(noop.code, 2, "c is new in default: {noop:?}");
}

#[test]
fn s3_partial_configuration_and_remote_state() {
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    let d = Dir::with(&[
        ("main.tf", &format!("terraform {{\n  backend \"s3\" {{\n    key = \"net/terraform.tfstate\"\n  }}\n}}\n{RESOURCES}")),
        ("backend.hcl", "region = \"us-east-1\"\nuse_path_style = true\nuse_lockfile = true\n"),
    ]);
    d.run(&["init", &format!("-backend-config=bucket={bucket}"), "-backend-config=backend.hcl"]).ok();
    let saved = std::fs::read_to_string(d.path().join(".terraform/terraform.tfstate")).unwrap();
    assert!(saved.contains(&format!("\"bucket\": \"{bucket}\"")) && saved.contains("\"type\": \"s3\""), "{saved}");
    d.run(&["apply", "-auto-approve"]).ok();
    assert!(get_object(&hp, &bucket, "net/terraform.tfstate").unwrap().contains("\"alpha\""));

    let reader = Dir::with(&[(
        "main.tf",
        &format!(
            "data \"terraform_remote_state\" \"net\" {{\n  backend = \"s3\"\n  config = {{\n    bucket = \"{bucket}\"\n    key = \"net/terraform.tfstate\"\n    region = \"us-east-1\"\n    use_path_style = true\n  }}\n}}\noutput \"b\" {{\n  value = data.terraform_remote_state.net.outputs.b\n}}\n"
        ),
    )]);
    let r = reader.run(&["apply", "-auto-approve"]).ok();
    assert!(r.stdout.contains("b = \"alpha\""), "{}", r.stdout);
}

const ENCRYPTION: &str = r#"
variable "passphrase" {
  type      = string
  sensitive = true
}
terraform {
  encryption {
    key_provider "pbkdf2" "k" {
      passphrase = var.passphrase
    }
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }
    method "unencrypted" "migration" {}
    state {
      method   = method.aes_gcm.m
      enforced = true
    }
  }
}
resource "terraform_data" "secret" {
  input = "hunter2-plaintext-marker"
}
output "secret" {
  value = terraform_data.secret.output
}
"#;

fn encrypted_round_trip(d: &Dir, read_raw: &dyn Fn() -> String) {
    let good = [("TF_VAR_passphrase", "correct horse battery staple")];
    d.run_env(&["init"], &good).ok();
    d.run_env(&["apply", "-auto-approve"], &good).ok();
    let raw = read_raw();
    assert!(raw.contains("\"encrypted_data\"") && raw.contains("\"key_provider.pbkdf2.k\""), "{raw}");
    assert!(!raw.contains("hunter2-plaintext-marker"), "plaintext in the stored state: {raw}");
    let out = d.run_env(&["output", "-raw", "secret"], &good).ok();
    assert_eq!(out.stdout, "hunter2-plaintext-marker");
    let noop = d.run_env(&["plan", "-detailed-exitcode"], &good);
    assert_eq!(noop.code, 0, "{noop:?}");
    let wrong = d.run_env(&["plan"], &[("TF_VAR_passphrase", "the wrong passphrase, sorry")]);
    assert_eq!(wrong.code, 1, "{wrong:?}");
    assert!(wrong.stderr.contains("passphrase or key is probably wrong"), "{}", wrong.stderr);
    assert!(!wrong.stderr.contains("panicked"), "{}", wrong.stderr);
}

#[test]
fn local_encrypted_state_round_trips() {
    let d = Dir::with(&[("main.tf", ENCRYPTION)]);
    let path = d.path().join("terraform.tfstate");
    encrypted_round_trip(&d, &|| std::fs::read_to_string(&path).unwrap());
    // TF_ENCRYPTION alone, and a fallback to read the old plain state.
    let p = Dir::with(&[("main.tf", "resource \"terraform_data\" \"x\" {\n  input = \"plain-marker\"\n}\n")]);
    p.run(&["apply", "-auto-approve"]).ok();
    let env = r#"key_provider "pbkdf2" "k" { passphrase = "correct horse battery staple" }
method "aes_gcm" "m" { keys = key_provider.pbkdf2.k }
method "unencrypted" "u" {}
state {
  method = method.aes_gcm.m
  fallback { method = method.unencrypted.u }
}"#;
    let strict = env.replace("  fallback { method = method.unencrypted.u }\n", "");
    let refused = p.run_env(&["plan"], &[("TF_ENCRYPTION", &strict)]);
    assert!(refused.stderr.contains("not encrypted"), "{refused:?}");
    p.write("main.tf", "resource \"terraform_data\" \"x\" {\n  input = \"plain-marker2\"\n}\n");
    p.run_env(&["apply", "-auto-approve"], &[("TF_ENCRYPTION", env)]).ok();
    let raw = std::fs::read_to_string(p.path().join("terraform.tfstate")).unwrap();
    assert!(raw.contains("encrypted_data") && !raw.contains("plain-marker"), "{raw}");
    p.run_env(&["plan"], &[("TF_ENCRYPTION", &strict)]).ok();
}

#[test]
fn s3_encrypted_state_round_trips() {
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    let d = Dir::with(&[("main.tf", &format!("{}{ENCRYPTION}", backend_block(&bucket, "    use_lockfile = true\n    encrypt = true\n")))]);
    encrypted_round_trip(&d, &|| get_object(&hp, &bucket, "app/terraform.tfstate").expect("state object"));
}

#[test]
fn s3_backend_errors_are_clear() {
    let d = Dir::with(&[("main.tf", "terraform {\n  backend \"s3\" {\n    bucket = \"b\"\n  }\n}\n")]);
    let r = d.run(&["init"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("\"key\" is required"), "{}", r.stderr);
    let _ = Duration::ZERO;
}
