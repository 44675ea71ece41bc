//! The built-in tls and random providers end to end: a CA and a certificate
//! it signs, checked with `openssl verify`, and a second plan with no changes.

use crate::support::Dir;

const PKI: &str = r#"
terraform {
  required_providers {
    tls    = { source = "hashicorp/tls" }
    random = { source = "hashicorp/random" }
  }
}

resource "random_id" "cluster" {
  byte_length = 4
  prefix      = "k8s-"
}

resource "random_password" "token" {
  length  = 32
  special = false
  keepers = { cluster = random_id.cluster.hex }
}

resource "tls_private_key" "ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem = tls_private_key.ca.private_key_pem
  subject {
    common_name  = "kubernetes-ca"
    organization = random_id.cluster.hex
  }
  validity_period_hours = 87600
  is_ca_certificate     = true
  allowed_uses          = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]
}

resource "tls_private_key" "apiserver" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_cert_request" "apiserver" {
  private_key_pem = tls_private_key.apiserver.private_key_pem
  subject {
    common_name = "kube-apiserver"
  }
  dns_names    = ["kubernetes", "kubernetes.default", "api.${random_id.cluster.hex}.example"]
  ip_addresses = ["10.96.0.1", "127.0.0.1"]
}

resource "tls_locally_signed_cert" "apiserver" {
  cert_request_pem      = tls_cert_request.apiserver.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = 8760
  allowed_uses          = ["key_encipherment", "digital_signature", "server_auth"]
}

output "ca_pem" {
  value = tls_self_signed_cert.ca.cert_pem
}
output "apiserver_pem" {
  value = tls_locally_signed_cert.apiserver.cert_pem
}
output "apiserver_key" {
  value     = tls_private_key.apiserver.private_key_pem
  sensitive = true
}
output "token" {
  value     = random_password.token.result
  sensitive = true
}
"#;

fn openssl() -> bool {
    std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn ca_and_signed_certificate_verify_and_replan_empty() {
    let d = Dir::with(&[("main.tf", PKI)]);
    d.run(&["init"]).ok();
    let apply = d.run(&["apply", "-auto-approve"]).ok();
    assert!(apply.stdout.contains("Apply complete! Resources: 7 added, 0 changed, 0 destroyed."), "{}", apply.stdout);
    assert!(
        !apply.stdout.contains("BEGIN EC PRIVATE KEY") && !apply.stdout.contains("BEGIN RSA PRIVATE KEY"),
        "keys are never printed:\n{}",
        apply.stdout
    );

    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "second plan is empty:\n{}{}", plan.stdout, plan.stderr);

    let ca = d.run(&["output", "-raw", "ca_pem"]).ok().stdout;
    let leaf = d.run(&["output", "-raw", "apiserver_pem"]).ok().stdout;
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----") && leaf.starts_with("-----BEGIN CERTIFICATE-----"));
    let token = d.run(&["output", "-raw", "token"]).ok().stdout;
    assert_eq!(token.len(), 32);
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()), "{token}");
    let shown = d.run(&["output"]).ok().stdout;
    assert!(shown.contains("sensitive") && !shown.contains(&token), "{shown}");

    if openssl() {
        d.write("ca.pem", &ca);
        d.write("leaf.pem", &leaf);
        d.write("key.pem", &d.run(&["output", "-raw", "apiserver_key"]).ok().stdout);
        let verify = std::process::Command::new("openssl")
            .args(["verify", "-CAfile", "ca.pem", "leaf.pem"])
            .current_dir(d.path())
            .output()
            .expect("openssl");
        assert!(
            verify.status.success(),
            "openssl verify: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
        let text = std::process::Command::new("openssl")
            .args(["x509", "-in", "leaf.pem", "-noout", "-text"])
            .current_dir(d.path())
            .output()
            .expect("openssl");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("DNS:kubernetes.default") && text.contains("IP Address:10.96.0.1"), "{text}");
        assert!(text.contains("TLS Web Server Authentication"), "{text}");
        // The certificate's public key is the request's key.
        let modulus = |args: &[&str]| {
            let o = std::process::Command::new("openssl").args(args).current_dir(d.path()).output().expect("openssl");
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        assert_eq!(modulus(&["x509", "-in", "leaf.pem", "-noout", "-modulus"]), modulus(&["rsa", "-in", "key.pem", "-noout", "-modulus"]));
    } else {
        eprintln!("openssl not installed: the chain is verified by the tls provider's unit tests only");
    }

    // New keepers replace the password and nothing else.
    d.write("main.tf", &PKI.replace("keepers = { cluster = random_id.cluster.hex }", "keepers = { cluster = \"rotated\" }"));
    let rotate = d.run(&["apply", "-auto-approve"]).ok();
    assert!(rotate.stdout.contains("Resources: 1 added, 0 changed, 1 destroyed."), "{}", rotate.stdout);
    assert_ne!(d.run(&["output", "-raw", "token"]).ok().stdout, token);
    d.run(&["destroy", "-auto-approve"]).ok();
}

/// `dynamic` blocks: the iterator (named by `iterator`, or the block's label)
/// is not taken for a resource reference when the graph is built.
#[test]
fn dynamic_blocks_bind_their_iterator() {
    let d = Dir::with(&[(
        "main.tf",
        r#"
resource "tls_private_key" "k" {
  algorithm = "ED25519"
}
resource "tls_self_signed_cert" "labelled" {
  private_key_pem       = tls_private_key.k.private_key_pem
  validity_period_hours = 1
  allowed_uses          = ["server_auth"]
  dynamic "subject" {
    for_each = { a = "by-label" }
    content {
      common_name = subject.value
    }
  }
}
resource "tls_self_signed_cert" "iterated" {
  private_key_pem       = tls_private_key.k.private_key_pem
  validity_period_hours = 1
  allowed_uses          = ["server_auth"]
  dynamic "subject" {
    for_each = ["by-iterator"]
    iterator = s
    content {
      common_name = s.value
    }
  }
}
output "pems" {
  value = [tls_self_signed_cert.labelled.cert_pem, tls_self_signed_cert.iterated.cert_pem]
}
"#,
    )]);
    d.run(&["validate"]).ok();
    d.run(&["apply", "-auto-approve"]).ok();
    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    let shown = d.run(&["state", "show", "tls_self_signed_cert.iterated"]).ok().stdout;
    assert!(shown.contains("by-iterator"), "{shown}");
}
