//! ARCHITECTURE.md stays accurate: every crate is in its code map, and the
//! SDK invariant it states holds for every crate's manifest.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates/ is readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_crate_is_in_the_architecture_code_map() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable");
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| `")).collect();
    let missing: Vec<String> = crates().into_iter().filter(|c| !rows.iter().any(|r| r.starts_with(&format!("| `crates/{c}` |")))).collect();
    assert!(missing.is_empty(), "crates missing from ARCHITECTURE.md's code map: {missing:?}");
    let mut seen = std::collections::BTreeSet::new();
    let twice: Vec<&&str> = rows.iter().filter(|r| !seen.insert(r.split('|').nth(1).unwrap_or(""))).collect();
    assert!(twice.is_empty(), "code map rows named twice: {twice:?}");
}

#[test]
fn only_the_s3_backend_and_the_aws_provider_depend_on_the_aws_sdk() {
    let mut with_sdk = Vec::new();
    for c in crates() {
        let manifest = std::fs::read_to_string(root().join("crates").join(&c).join("Cargo.toml")).expect("manifest is readable");
        if manifest.lines().any(|l| l.trim_start().starts_with("aws-sdk-") || l.trim_start().starts_with("aws-config")) {
            with_sdk.push(c);
        }
    }
    assert_eq!(with_sdk, ["plinth-backend-s3", "plinth-provider-aws"], "ARCHITECTURE.md's invariant names these crates");
}
