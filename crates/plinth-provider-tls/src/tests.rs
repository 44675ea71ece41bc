use std::collections::BTreeMap;

use plinth_provider::{ApplyRequest, PathStep, PlanRequest, Provider};
use plinth_value::{Type, Value};
use x509_parser::prelude::*;

use crate::keys::{pem_decode, Algorithm, Curve, PrivateKey};
use crate::TlsProvider;

fn config(p: &TlsProvider, type_name: &str, set: &[(&str, Value)]) -> Value {
    let block = &p.schema().resources[type_name].block;
    let mut m: BTreeMap<String, Value> = block.attributes.iter().map(|(k, a)| (k.clone(), Value::null(a.ty.clone()))).collect();
    for (k, b) in &block.blocks {
        m.insert(k.clone(), Value::list(b.block.implied_type(), Vec::new()));
    }
    for (k, v) in set {
        m.insert((*k).into(), v.clone());
    }
    Value::object(m)
}

fn get<'a>(v: &'a Value, k: &str) -> &'a str {
    v.as_entries().expect("object")[k].as_str().unwrap_or_else(|| panic!("{k} is not a string"))
}

fn strs(items: &[&str]) -> Value {
    Value::list(Type::String, items.iter().map(|s| Value::string(*s)).collect())
}

fn subject(cn: &str) -> Value {
    let mut m = BTreeMap::new();
    for f in crate::certs::SUBJECT_FIELDS {
        let ty = if f == "street_address" { Type::list(Type::String) } else { Type::String };
        m.insert(f.to_string(), Value::null(ty));
    }
    m.insert("common_name".into(), Value::string(cn));
    m.insert("organization".into(), Value::string("plinth"));
    let v = Value::object(m);
    Value::list(v.ty(), vec![v])
}

fn create(p: &TlsProvider, type_name: &str, cfg: &Value) -> Value {
    let plan = p.plan_resource(PlanRequest { type_name, prior: None, proposed: cfg, config: cfg }).expect("plan");
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    rt.block_on(p.apply_resource(ApplyRequest {
        type_name,
        prior: None,
        planned: Some(&plan.planned),
        config: Some(cfg),
        operation_token: "t",
    }))
    .expect("apply")
}

fn key(p: &TlsProvider, alg: &str, curve: Option<&str>) -> Value {
    let mut set = vec![("algorithm", Value::string(alg))];
    if let Some(c) = curve {
        set.push(("ecdsa_curve", Value::string(c)));
    }
    create(p, "tls_private_key", &config(p, "tls_private_key", &set))
}

#[test]
fn keys_in_every_encoding() {
    let p = TlsProvider::new();
    for (alg, curve, label, ssh) in [
        ("RSA", None, "RSA PRIVATE KEY", "ssh-rsa "),
        ("ECDSA", Some("P256"), "EC PRIVATE KEY", "ecdsa-sha2-nistp256 "),
        ("ECDSA", Some("P384"), "EC PRIVATE KEY", "ecdsa-sha2-nistp384 "),
        ("ED25519", None, "PRIVATE KEY", "ssh-ed25519 "),
    ] {
        let k = key(&p, alg, curve);
        let (l, _) = pem_decode(get(&k, "private_key_pem")).expect("pem");
        assert_eq!(l, label, "{alg}");
        assert!(get(&k, "private_key_pem_pkcs8").starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(get(&k, "private_key_openssh").starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        assert!(get(&k, "public_key_pem").starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(get(&k, "public_key_openssh").starts_with(ssh) && get(&k, "public_key_openssh").ends_with('\n'));
        assert_eq!(get(&k, "public_key_fingerprint_md5").split(':').count(), 16);
        assert!(get(&k, "public_key_fingerprint_sha256").starts_with("SHA256:"));
        assert_eq!(get(&k, "id").len(), 40);
        // Every private encoding reads back to the same public key.
        for enc in ["private_key_pem", "private_key_pem_pkcs8"] {
            let back = PrivateKey::from_pem(get(&k, enc)).expect("read back").encodings().expect("encodings");
            assert_eq!(back.public_key_pem, get(&k, "public_key_pem"), "{alg} {enc}");
        }
        // The public key PEM is a SubjectPublicKeyInfo x509-parser understands.
        let (_, spki) = pem_decode(get(&k, "public_key_pem")).expect("pem");
        SubjectPublicKeyInfo::from_der(&spki).expect("spki");
    }
    let block = &p.schema().resources["tls_private_key"].block;
    assert!(block.attributes["private_key_pem"].sensitive && block.attributes["private_key_openssh"].sensitive);
    assert!(!block.attributes["public_key_pem"].sensitive);
}

#[test]
fn unsupported_curves_are_reported_at_validate() {
    let p = TlsProvider::new();
    let cfg = config(&p, "tls_private_key", &[("algorithm", Value::string("ECDSA"))]);
    let errs = p.validate_resource("tls_private_key", &cfg);
    assert_eq!(errs.len(), 1, "the default curve P224 is not available");
    assert!(errs[0].detail.contains("P256"), "{}", errs[0].detail);
    let bad = config(&p, "tls_private_key", &[("algorithm", Value::string("DSA"))]);
    assert_eq!(p.validate_resource("tls_private_key", &bad).len(), 1);
}

#[test]
fn ca_signs_a_certificate_that_verifies() {
    let p = TlsProvider::new();
    let ca_key = key(&p, "ECDSA", Some("P256"));
    let ca = create(
        &p,
        "tls_self_signed_cert",
        &config(
            &p,
            "tls_self_signed_cert",
            &[
                ("private_key_pem", Value::string(get(&ca_key, "private_key_pem"))),
                ("subject", subject("plinth-ca")),
                ("validity_period_hours", Value::int(24)),
                ("allowed_uses", strs(&["cert_signing", "crl_signing", "digital_signature"])),
                ("is_ca_certificate", Value::bool(true)),
            ],
        ),
    );
    assert_eq!(get(&ca, "key_algorithm"), "ECDSA");
    let leaf_key = key(&p, "RSA", None);
    let csr = create(
        &p,
        "tls_cert_request",
        &config(
            &p,
            "tls_cert_request",
            &[
                ("private_key_pem", Value::string(get(&leaf_key, "private_key_pem"))),
                ("subject", subject("kube-apiserver")),
                ("dns_names", strs(&["kubernetes", "kubernetes.default.svc"])),
                ("ip_addresses", strs(&["10.96.0.1"])),
            ],
        ),
    );
    assert!(get(&csr, "cert_request_pem").starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert_eq!(get(&csr, "key_algorithm"), "RSA");
    let leaf = create(
        &p,
        "tls_locally_signed_cert",
        &config(
            &p,
            "tls_locally_signed_cert",
            &[
                ("cert_request_pem", Value::string(get(&csr, "cert_request_pem"))),
                ("ca_private_key_pem", Value::string(get(&ca_key, "private_key_pem"))),
                ("ca_cert_pem", Value::string(get(&ca, "cert_pem"))),
                ("validity_period_hours", Value::int(12)),
                ("allowed_uses", strs(&["key_encipherment", "digital_signature", "server_auth"])),
            ],
        ),
    );
    assert_eq!(get(&leaf, "ca_key_algorithm"), "ECDSA");

    let (_, ca_der) = pem_decode(get(&ca, "cert_pem")).expect("pem");
    let (_, ca_cert) = X509Certificate::from_der(&ca_der).expect("ca cert");
    let (_, leaf_der) = pem_decode(get(&leaf, "cert_pem")).expect("pem");
    let (_, leaf_cert) = X509Certificate::from_der(&leaf_der).expect("leaf cert");
    ca_cert.verify_signature(None).expect("the CA is self-signed");
    leaf_cert.verify_signature(Some(ca_cert.public_key())).expect("the leaf is signed by the CA");
    assert!(ca_cert.is_ca());
    assert!(!leaf_cert.is_ca());
    assert_eq!(leaf_cert.issuer(), ca_cert.subject());
    assert_eq!(leaf_cert.subject().iter_common_name().next().and_then(|c| c.as_str().ok()), Some("kube-apiserver"));
    let san = leaf_cert.subject_alternative_name().expect("san").expect("present");
    assert_eq!(san.value.general_names.len(), 3);
    let eku = leaf_cert.extended_key_usage().expect("eku").expect("present");
    assert!(eku.value.server_auth && !eku.value.client_auth);
    let serial = num_bigint::BigUint::from_bytes_be(leaf_cert.raw_serial());
    assert_eq!(get(&leaf, "id"), serial.to_string());
    let hours = (leaf_cert.validity().not_after.timestamp() - leaf_cert.validity().not_before.timestamp()) / 3600;
    assert_eq!(hours, 12);
    assert_eq!(
        crate::certs::parse_rfc3339(get(&leaf, "validity_end_time")).expect("rfc3339").unix_timestamp(),
        leaf_cert.validity().not_after.timestamp()
    );
}

#[test]
fn unchanged_certificates_plan_no_change_until_due() {
    let p = TlsProvider::new();
    let k = key(&p, "ED25519", None);
    let cfg = config(
        &p,
        "tls_self_signed_cert",
        &[
            ("private_key_pem", Value::string(get(&k, "private_key_pem"))),
            ("subject", subject("x")),
            ("validity_period_hours", Value::int(10)),
            ("early_renewal_hours", Value::int(5)),
            ("allowed_uses", strs(&["server_auth"])),
        ],
    );
    let cert = create(&p, "tls_self_signed_cert", &cfg);
    let again =
        p.plan_resource(PlanRequest { type_name: "tls_self_signed_cert", prior: Some(&cert), proposed: &cfg, config: &cfg }).expect("plan");
    assert!(again.planned.raw_equal(&cert));

    // Within early_renewal_hours of the end: ready_for_renewal forces a new certificate.
    let mut m = cert.as_entries().expect("object").clone();
    let soon = crate::certs::now() + ::time::Duration::hours(2);
    m.insert("validity_end_time".into(), Value::string(crate::certs::rfc3339(soon)));
    let due = Value::object(m);
    let renew =
        p.plan_resource(PlanRequest { type_name: "tls_self_signed_cert", prior: Some(&due), proposed: &cfg, config: &cfg }).expect("plan");
    assert_eq!(renew.requires_replace, vec![vec![PathStep::Attr("ready_for_renewal".into())]]);
    assert!(renew.planned.as_entries().expect("object")["cert_pem"].is_unknown());

    let changed = config(
        &p,
        "tls_self_signed_cert",
        &[
            ("private_key_pem", Value::string(get(&k, "private_key_pem"))),
            ("subject", subject("y")),
            ("validity_period_hours", Value::int(10)),
            ("early_renewal_hours", Value::int(5)),
            ("allowed_uses", strs(&["server_auth"])),
        ],
    );
    let replace = p
        .plan_resource(PlanRequest { type_name: "tls_self_signed_cert", prior: Some(&cert), proposed: &changed, config: &changed })
        .expect("plan");
    assert_eq!(replace.requires_replace, vec![vec![PathStep::Attr("subject".into())]]);
}

#[test]
fn sec1_and_pkcs1_keys_are_read() {
    let p = TlsProvider::new();
    let ec = key(&p, "ECDSA", Some("P384"));
    let read = PrivateKey::from_pem(get(&ec, "private_key_pem")).expect("sec1");
    assert_eq!(read.algorithm, Algorithm::Ecdsa(Curve::P384));
    read.key_pair().expect("ring accepts the re-wrapped key");
    assert!(PrivateKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err());
}

#[test]
fn public_key_data_source() {
    let p = TlsProvider::new();
    let k = key(&p, "ED25519", None);
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let cfg = {
        let block = &p.schema().data_sources["tls_public_key"].block;
        let mut m: BTreeMap<String, Value> = block.attributes.iter().map(|(k, a)| (k.clone(), Value::null(a.ty.clone()))).collect();
        m.insert("private_key_pem".into(), Value::string(get(&k, "private_key_pem")));
        Value::object(m)
    };
    let d = rt.block_on(p.read_data_source("tls_public_key", &cfg)).expect("read");
    assert_eq!(get(&d, "public_key_openssh"), get(&k, "public_key_openssh"));
    assert_eq!(get(&d, "algorithm"), "ED25519");
}
