//! Helpers: a scratch working directory with files, and running the binary in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_plinth"))
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    /// A temporary directory holding `files` (path, contents).
    pub fn with(files: &[(&str, &str)]) -> Dir {
        let tmp = tempfile::tempdir().expect("temp dir");
        for (p, text) in files {
            let full = tmp.path().join(p);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }
        Dir { tmp }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn write(&self, p: &str, text: &str) {
        std::fs::write(self.path().join(p), text).expect("write");
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, "")
    }

    /// The command `plinth <args>` in this directory, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args).current_dir(self.path()).env("NO_COLOR", "1");
        c
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = self.command(args).envs(env.iter().copied()).stdin(std::process::Stdio::null()).output().expect("run plinth");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn plinth");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
        let out: Output = child.wait_with_output().expect("wait");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "exit {}\nstdout:\n{}\nstderr:\n{}", self.code, self.stdout, self.stderr);
        self
    }
}

/// The `shellcheck` binary: `PLINTH_SHELLCHECK`, else the one on `PATH`.
/// `None` (and a notice) when there is none, unless `scripts/test.sh` runs
/// the tests (`PLINTH_REQUIRE_SHELLCHECK=1`), where that is a failure.
pub fn shellcheck() -> Option<PathBuf> {
    let found = std::env::var_os("PLINTH_SHELLCHECK")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("shellcheck")).find(|c| c.is_file())));
    if found.is_none() {
        assert_ne!(std::env::var("PLINTH_REQUIRE_SHELLCHECK").as_deref(), Ok("1"), "shellcheck is required but not found");
        eprintln!("notice: shellcheck not found: user data is checked with bash -n only");
    }
    found
}

/// The real kube-apiserver `scripts/test.sh` starts (`scripts/kube-apiserver.sh`).
pub struct KubeApiserver {
    pub url: String,
    pub token: String,
    pub ca_pem: String,
}

/// The real kube-apiserver from the environment; `None` (with a notice) when
/// there is none, a failure when `PLINTH_REQUIRE_KUBE_APISERVER=1`.
pub fn kube_apiserver(test: &str) -> Option<KubeApiserver> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (var("PLINTH_KUBE_APISERVER_URL"), var("PLINTH_KUBE_APISERVER_TOKEN"), var("PLINTH_KUBE_APISERVER_CA")) {
        (Some(url), Some(token), Some(ca)) => {
            let ca_pem = std::fs::read_to_string(&ca).unwrap_or_else(|e| panic!("reading {ca}: {e}"));
            Some(KubeApiserver { url, token, ca_pem })
        }
        _ => {
            assert_ne!(std::env::var("PLINTH_REQUIRE_KUBE_APISERVER").as_deref(), Ok("1"), "{test}: a kube-apiserver is required");
            eprintln!("notice: {test}: no kube-apiserver (scripts/test.sh starts one): not run");
            None
        }
    }
}
