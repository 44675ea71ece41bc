//! Reliability: `plinth apply` of `examples/network` killed with SIGKILL at a
//! seeded moment, then run again, must leave every object in moto exactly
//! once and in state (issue 9). Needs moto (`scripts/test.sh`); without
//! `PLINTH_MOTO=1` the moto tests print a notice and pass.
//!
//! `PLINTH_KILL_SEEDS` sets how many seeds the kill-test runs (default 20);
//! `PLINTH_KILL_SEED_START` the first one, to re-run a single failing seed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, repo_root, Run};

/// splitmix64: a small seeded PRNG, enough to spread kill moments and faults.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub struct Moto {
    pub endpoint: String,
    pub region: &'static str,
}

pub fn moto(region: &'static str) -> Option<Moto> {
    if std::env::var("PLINTH_MOTO").as_deref() != Ok("1") {
        eprintln!("notice: skipping reliability test: PLINTH_MOTO is not set (./scripts/test.sh starts moto and sets it)");
        return None;
    }
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("PLINTH_MOTO=1 but AWS_ENDPOINT_URL is not set");
    Some(Moto { endpoint, region })
}

fn python() -> PathBuf {
    let venv = std::env::var("PLINTH_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/plinth-venv"));
    venv.join("bin/python")
}

/// Every object of the kinds `examples/network` makes, beyond moto's
/// defaults, by plinth resource type: a JSON object of type -> [ids].
const INVENTORY: &str = "default_vpcs = [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if v.get('IsDefault')]\n\
out = {}\n\
out['aws_vpc'] = [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if not v.get('IsDefault')]\n\
out['aws_subnet'] = [s['SubnetId'] for s in ec2.describe_subnets()['Subnets'] if s['VpcId'] not in default_vpcs]\n\
out['aws_internet_gateway'] = [g['InternetGatewayId'] for g in ec2.describe_internet_gateways()['InternetGateways'] if not any(a.get('VpcId') in default_vpcs for a in g.get('Attachments', []))]\n\
out['aws_nat_gateway'] = [n['NatGatewayId'] for n in ec2.describe_nat_gateways()['NatGateways'] if n['State'] in ('available', 'pending')]\n\
out['aws_eip'] = [a['AllocationId'] for a in ec2.describe_addresses()['Addresses']]\n\
out['aws_route_table'] = [r['RouteTableId'] for r in ec2.describe_route_tables()['RouteTables'] if r['VpcId'] not in default_vpcs and not any(a.get('Main') for a in r.get('Associations', []))]\n\
out['aws_security_group'] = [g['GroupId'] for g in ec2.describe_security_groups()['SecurityGroups'] if g['GroupName'] != 'default']\n\
print(json.dumps(out))";

/// How many objects of each kind `examples/network` makes.
const EXPECTED: &[(&str, usize)] = &[
    ("aws_vpc", 1),
    ("aws_subnet", 6),
    ("aws_internet_gateway", 1),
    ("aws_nat_gateway", 3),
    ("aws_eip", 3),
    ("aws_route_table", 4),
    ("aws_security_group", 2),
];

/// One of moto's built-in images (Canonical's, root device /dev/sda1).
pub const MOTO_AMI: &str = "ami-785db401";

impl Moto {
    pub fn env(&self, c: &mut Command) {
        c.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", self.region)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            // The examples look up Ubuntu 24.04 by default, which moto does
            // not have: one of moto's built-in Canonical images instead.
            .env("TF_VAR_ami_id", MOTO_AMI)
            .env("NO_COLOR", "1");
    }

    pub fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args).current_dir(dir).stdin(Stdio::null());
        self.env(&mut c);
        c
    }

    pub fn plinth(&self, dir: &Path, args: &[&str]) -> Run {
        let out = self.command(dir, args).output().expect("run plinth");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs Python with a boto3 `ec2` client for this region (always against
    /// moto itself, never a proxy); the code prints one JSON value.
    pub fn py(&self, code: &str) -> serde_json::Value {
        let prelude = format!(
            "import json, boto3\nkw = dict(region_name={:?}, endpoint_url={:?}, aws_access_key_id='testing', aws_secret_access_key='testing')\nec2 = boto3.client('ec2', **kw)\n",
            self.region, self.endpoint
        );
        let mut c = Command::new(python());
        c.arg("-c").arg(format!("{prelude}{code}"));
        self.env(&mut c);
        let out = c.output().expect("run python");
        assert!(out.status.success(), "python failed:\n{code}\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("python printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Type -> sorted ids of every object in moto (beyond its defaults).
    pub fn inventory(&self) -> BTreeMap<String, Vec<String>> {
        let v: BTreeMap<String, Vec<String>> = serde_json::from_value(self.py(INVENTORY)).expect("inventory");
        v.into_iter()
            .map(|(k, mut ids)| {
                (k, {
                    ids.sort();
                    ids
                })
            })
            .collect()
    }
}

/// A copy of `examples/network` in a temp dir, with its state beside it.
pub fn network_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = std::fs::read_to_string(repo_root().join("examples/network/main.tf")).expect("examples/network/main.tf");
    assert!(src.contains("../../state/network.tfstate"), "the example's backend block changed");
    std::fs::write(tmp.path().join("main.tf"), src.replace("../../state/network.tfstate", "terraform.tfstate")).expect("write");
    tmp
}

/// Type -> sorted ids of the managed resources in plinth's state.
pub fn state_ids(m: &Moto, d: &Path) -> BTreeMap<String, Vec<String>> {
    let r = m.plinth(d, &["state", "pull"]);
    assert_eq!(r.code, 0, "state pull\n{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("state pull JSON");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for res in v["resources"].as_array().cloned().unwrap_or_default() {
        if res["mode"] != "managed" {
            continue;
        }
        let ty = res["type"].as_str().unwrap_or_default().to_string();
        for inst in res["instances"].as_array().cloned().unwrap_or_default() {
            let id = inst["attributes"]["id"].as_str().unwrap_or_default().to_string();
            out.entry(ty.clone()).or_default().push(id);
        }
    }
    for ids in out.values_mut() {
        ids.sort();
    }
    out
}

/// Every object in moto exactly once, each in state, nothing unknown to it.
pub fn check_exactly_once(m: &Moto, d: &Path, what: &str) {
    let live = m.inventory();
    let state = state_ids(m, d);
    for (ty, n) in EXPECTED {
        let l = live.get(*ty).cloned().unwrap_or_default();
        let s = state.get(*ty).cloned().unwrap_or_default();
        assert_eq!(l.len(), *n, "{what}: {n} {ty} expected in moto, found {l:?} (state has {s:?})");
        assert_eq!(l, s, "{what}: {ty} in moto vs in state");
    }
}

fn assert_region_empty(m: &Moto, what: &str) {
    let live = m.inventory();
    let left: Vec<_> = live.iter().filter(|(_, ids)| !ids.is_empty()).collect();
    assert!(left.is_empty(), "{what}: objects left in moto region {}: {left:?}", m.region);
}

#[track_caller]
fn ok(r: Run, what: &str) -> Run {
    assert_eq!(r.code, 0, "{what} failed\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    r
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map(|v| v.parse().unwrap_or_else(|_| panic!("{name} must be a number"))).unwrap_or(default)
}

#[test]
fn kill_test_apply_killed_at_a_seeded_moment_then_rerun() {
    let Some(m) = moto("ap-northeast-1") else { return };
    let seeds = env_u64("PLINTH_KILL_SEEDS", 20);
    let first = env_u64("PLINTH_KILL_SEED_START", 0);
    assert_region_empty(&m, "before the kill-test");

    // Measure one uninterrupted apply: the kill moments spread over it.
    let d = network_copy();
    ok(m.plinth(d.path(), &["init"]), "init");
    let t = Instant::now();
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]), "apply");
    let full = t.elapsed();
    check_exactly_once(&m, d.path(), "uninterrupted apply");
    ok(m.plinth(d.path(), &["destroy", "-auto-approve"]), "destroy");
    assert_region_empty(&m, "after the measured apply");
    // Process start-up is part of the window, plus a margin past the end.
    let window = full.as_millis() as u64 * 11 / 10 + 50;
    eprintln!("kill-test: a full apply takes {full:?}; killing within {window} ms; seeds {first}..{}", first + seeds);

    let mut recovered = 0;
    let mut finished_before_kill = 0;
    for seed in first..first + seeds {
        let mut rng = Rng::new(seed);
        let delay = Duration::from_millis(rng.below(window));
        let what = format!("seed {seed} (kill after {delay:?})");
        let d = network_copy();
        ok(m.plinth(d.path(), &["init"]), "init");
        let log = std::fs::File::create(d.path().join("killed.log")).expect("log");
        let mut child = m
            .command(d.path(), &["apply", "-auto-approve"])
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn plinth");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().expect("wait");
        if status.success() {
            finished_before_kill += 1;
        }
        let again = ok(m.plinth(d.path(), &["apply", "-auto-approve"]), &format!("{what}: second apply"));
        if again.stdout.contains("Recovered an interrupted run") {
            recovered += 1;
        }
        check_exactly_once(&m, d.path(), &what);
        let plan = m.plinth(d.path(), &["plan", "-detailed-exitcode"]);
        assert_eq!(
            plan.code,
            0,
            "{what}: second plan not empty\nfirst run:\n{}\nsecond apply:\n{}\nplan:\n{}\n{}",
            std::fs::read_to_string(d.path().join("killed.log")).unwrap_or_default(),
            again.stdout,
            plan.stdout,
            plan.stderr
        );
        ok(m.plinth(d.path(), &["destroy", "-auto-approve"]), &format!("{what}: destroy"));
        assert_region_empty(&m, &format!("{what}: after destroy"));
    }
    eprintln!("kill-test: {seeds} seeds passed; {recovered} recovered a journal, {finished_before_kill} finished before the kill");
}

/// A journal whose interrupted create went through a provider the
/// configuration no longer uses (the resource block was removed after the
/// kill) is still resolved: recovery configures that provider from the
/// environment to look for the object, rather than failing forever.
#[test]
fn recovery_configures_providers_the_config_no_longer_uses() {
    let Some(m) = moto("ap-southeast-3") else { return };
    let d = tempfile::tempdir().expect("temp dir");
    std::fs::write(d.path().join("main.tf"), "resource \"terraform_data\" \"a\" {}\n").expect("write");
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]), "apply");
    let journal = concat!(
        r#"{"op":"intent","token":"recovery-test-token","addr":"aws_vpc.gone","action":"create","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]"}"#,
        "\n"
    );
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path().join("terraform.tfstate")).expect("state")).expect("state");
    let begin = serde_json::json!({"op": "begin", "lineage": s["lineage"], "serial": s["serial"]});
    std::fs::write(d.path().join("terraform.tfstate.journal"), format!("{begin}\n{journal}")).expect("write journal");
    let plan = ok(m.plinth(d.path(), &["plan"]), "plan after the kill");
    assert!(plan.stdout.contains("aws_vpc.gone: the interrupted create made no object"), "{}", plan.stdout);
    assert!(!d.path().join("terraform.tfstate.journal").exists(), "the resolved journal is removed");
}

/// Issue 18: an apply killed on working copy A leaves its journal there
/// (`.terraform/`, the s3 backend keeps none beside the state); the lock is
/// released and working copy B applies everything, writing newer state. A's
/// next `plan` must not replay its stale records onto B's state: the journal
/// is set aside and the state is unchanged, byte for byte.
#[test]
fn kill_test_a_stale_journal_from_another_working_copy_is_never_replayed() {
    use crate::s3_backend::{backend_block, endpoint, get_object, lock_id, new_bucket};
    use crate::support::Dir;
    let Some(hp) = endpoint() else { return };
    let bucket = new_bucket(&hp);
    let mut config = backend_block(&bucket, "    use_lockfile = true\n");
    config += "resource \"terraform_data\" \"r\" {\n  count = 3000\n  input = \"value ${count.index}\"\n}\n";
    let a = Dir::with(&[("main.tf", &config)]);
    let b = Dir::with(&[("main.tf", &config)]);
    a.run(&["init"]).ok();
    b.run(&["init"]).ok();
    let journal = a.path().join(".terraform/journal-default.jsonl");
    // Kill A's apply once its journal holds results.
    let mut killed = false;
    for _attempt in 0..3 {
        let mut child = a.command(&["apply", "-auto-approve"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn plinth");
        let started = Instant::now();
        loop {
            let records = std::fs::read(&journal).map(|j| j.iter().filter(|&&c| c == b'\n').count()).unwrap_or(0);
            if records > 200 {
                let _ = child.kill();
                let _ = child.wait();
                killed = true;
                break;
            }
            if child.try_wait().expect("wait").is_some() || started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if killed {
            break;
        }
        // It finished first: start over from no state.
        a.run(&["destroy", "-auto-approve"]).ok();
    }
    assert!(killed, "the apply always finished before it could be killed");
    assert!(journal.exists(), "the killed apply left its journal");
    // B: the killed run's lock is still there; release it and apply.
    let locked = b.run(&["apply", "-auto-approve"]);
    assert_eq!(locked.code, 1, "B applied under A's lock\n{}\n{}", locked.stdout, locked.stderr);
    b.run(&["force-unlock", &lock_id(&locked)]).ok();
    let applied = b.run(&["apply", "-auto-approve"]).ok();
    assert!(applied.stdout.contains("Apply complete!"), "{}", applied.stdout);
    let newer = get_object(&hp, &bucket, "app/terraform.tfstate").expect("B's state");
    // A plans: the journal is stale, kept aside, and nothing is written.
    let plan = a.run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code, 0, "A's plan of B's state\n{}\n{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("Stale intent journal set aside"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("Recovered an interrupted run"), "{}", plan.stdout);
    assert_eq!(get_object(&hp, &bucket, "app/terraform.tfstate").expect("state"), newer, "A's plan changed B's state");
    assert!(!journal.exists() && a.path().join(".terraform/journal-default.jsonl.stale-1").exists());
}
