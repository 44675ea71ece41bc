//! Command-line flags in Terraform's syntax, Go's `flag` package rules:
//! `-name`, `-name=value`, `-name value` (not for booleans), `--name` too;
//! flags end at the first argument that is not one (or at `--`). Each command
//! declares its flags in one table ([`flags_for`]); an undeclared flag or a
//! malformed value is an error worded as Go's `flag` package words it, which
//! Terraform shows under "Failed to parse command-line flags". clap cannot
//! parse single-dash long flags with Go's rules, so this parser is hand-written.

#[derive(Debug, Default)]
pub struct Args {
    /// Flags in order, as (name, value); booleans have value "true" or "false".
    pub flags: Vec<(String, String)>,
    pub positional: Vec<String>,
}

/// What a flag's value is, and how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `-x`, `-x=true|false|1|0|t|f|…` (Go's `strconv.ParseBool`).
    Bool,
    /// A Go `int` (`strconv.ParseInt(s, 0, 64)`).
    Int,
    /// A Go duration (`time.ParseDuration`).
    Duration,
    /// Any string; repeatable flags (`-var`, `-target`) are strings given more than once.
    Str,
    /// A Terraform flag plinth does not implement and must not ignore (it
    /// would act on another state file than the user means): refused.
    Unsupported,
}

pub type Table = &'static [(&'static str, Kind)];

use Kind::{Bool, Duration as Dur, Int, Str, Unsupported};

/// The variables and the lock, shared by most commands.
const VARS: Table = &[("var", Str), ("var-file", Str)];
const LOCKING: Table = &[("lock", Bool), ("lock-timeout", Dur)];
const LEGACY_STATE: Table = &[("state", Unsupported), ("state-out", Unsupported), ("backup", Unsupported)];

/// `plan`, `apply`, `destroy`, `refresh` and `drift`.
const RUN: Table = &[
    ("target", Str),
    ("exclude", Str),
    ("replace", Str),
    ("parallelism", Int),
    ("no-color", Bool),
    ("json", Bool),
    ("input", Bool),
    ("compact-warnings", Bool),
    ("refresh", Bool),
    ("refresh-only", Bool),
    ("destroy", Bool),
];

/// The flag tables of a command (`sub` for `state` and `workspace`); `None`
/// when the command has no such subcommand (the command reports that).
pub fn flags_for(cmd: &str, sub: Option<&str>) -> Option<Vec<Table>> {
    let t: Vec<Table> = match (cmd, sub) {
        ("plan", _) => {
            vec![RUN, VARS, LOCKING, LEGACY_STATE, &[("out", Str), ("detailed-exitcode", Bool), ("generate-config-out", Unsupported)]]
        }
        ("apply" | "destroy", _) => vec![RUN, VARS, LOCKING, LEGACY_STATE, &[("auto-approve", Bool)]],
        ("refresh" | "drift", _) => vec![RUN, VARS, LOCKING, LEGACY_STATE],
        ("validate", _) => vec![VARS, &[("json", Bool), ("no-color", Bool), ("no-tests", Bool), ("test-directory", Str), ("query", Bool)]],
        ("init", _) => vec![
            VARS,
            LOCKING,
            &[
                ("backend", Bool),
                ("backend-config", Str),
                ("force-copy", Bool),
                ("from-module", Str),
                ("get", Bool),
                ("input", Bool),
                ("no-color", Bool),
                ("json", Bool),
                ("plugin-dir", Str),
                ("reconfigure", Bool),
                ("migrate-state", Bool),
                ("upgrade", Bool),
                ("lockfile", Str),
                ("ignore-remote-version", Bool),
                ("test-directory", Str),
            ],
        ],
        ("output", _) => vec![&[("state", Unsupported), ("no-color", Bool), ("json", Bool), ("raw", Bool)]],
        ("show", _) => vec![&[("no-color", Bool), ("json", Bool)]],
        ("graph", _) => {
            vec![VARS, &[("plan", Str), ("draw-cycles", Bool), ("type", Str), ("module-depth", Int), ("format", Str), ("no-color", Bool)]]
        }
        ("import", _) => vec![
            VARS,
            LOCKING,
            LEGACY_STATE,
            &[("config", Str), ("input", Bool), ("no-color", Bool), ("ignore-remote-version", Bool), ("parallelism", Int)],
        ],
        // `terraform test`'s flags; runs execute one at a time, so
        // -run-parallelism is accepted and has no effect.
        ("test", _) => vec![
            VARS,
            &[
                ("filter", Str),
                ("json", Bool),
                ("junit-xml", Str),
                ("no-color", Bool),
                ("parallelism", Int),
                ("run-parallelism", Int),
                ("test-directory", Str),
                ("verbose", Bool),
                ("compact-warnings", Bool),
                ("cloud-run", Unsupported),
                ("repair", Unsupported),
            ],
        ],
        ("force-unlock", _) => vec![&[("force", Bool), ("no-color", Bool)]],
        ("console", _) => vec![VARS, &[("state", Unsupported), ("plan", Bool), ("no-color", Bool)]],
        ("fmt", _) => vec![&[("list", Bool), ("write", Bool), ("diff", Bool), ("check", Bool), ("no-color", Bool), ("recursive", Bool)]],
        ("state", Some("list")) => vec![&[("state", Unsupported), ("id", Str), ("no-color", Bool)]],
        ("state", Some("show")) => vec![&[("state", Unsupported), ("no-color", Bool)]],
        ("state", Some("mv")) => vec![
            VARS,
            LOCKING,
            LEGACY_STATE,
            &[("dry-run", Bool), ("ignore-remote-version", Bool), ("backup-out", Unsupported), ("no-color", Bool)],
        ],
        ("state", Some("rm")) => {
            vec![VARS, LOCKING, LEGACY_STATE, &[("dry-run", Bool), ("ignore-remote-version", Bool), ("no-color", Bool)]]
        }
        ("state", Some("replace-provider")) => {
            vec![VARS, LOCKING, LEGACY_STATE, &[("auto-approve", Bool), ("ignore-remote-version", Bool), ("no-color", Bool)]]
        }
        ("taint" | "untaint", _) => {
            vec![VARS, LOCKING, LEGACY_STATE, &[("allow-missing", Bool), ("ignore-remote-version", Bool), ("no-color", Bool)]]
        }
        ("state", Some("pull")) => vec![VARS],
        ("state", Some("push")) => vec![VARS, LOCKING, &[("force", Bool), ("ignore-remote-version", Bool)]],
        ("workspace" | "env", Some("new")) => vec![LOCKING, &[("state", Unsupported), ("no-color", Bool)]],
        ("workspace" | "env", Some("select")) => vec![&[("or-create", Bool), ("no-color", Bool)]],
        ("workspace" | "env", Some("delete")) => vec![LOCKING, &[("force", Bool), ("no-color", Bool)]],
        ("workspace" | "env", Some("list" | "show")) => vec![&[("no-color", Bool)]],
        ("providers", Some("schema")) => vec![&[("json", Bool)]],
        ("state" | "workspace" | "env" | "providers", _) => return None,
        _ => vec![],
    };
    Some(t)
}

/// Why a command line could not be parsed, in Go's `flag` package words.
#[derive(Debug, PartialEq, Eq)]
pub enum FlagError {
    /// `-h` / `-help`: the caller prints the command's usage (exit 0).
    Help,
    Invalid(String),
}

impl Args {
    /// Parses `argv` against `tables`.
    pub fn parse(argv: &[String], tables: &[Table]) -> Result<Args, FlagError> {
        let lookup = |name: &str| tables.iter().flat_map(|t| t.iter()).find(|(n, _)| *n == name).map(|(_, k)| *k);
        let mut out = Args::default();
        let mut i = 0;
        while i < argv.len() {
            let a = &argv[i];
            if a.len() < 2 || !a.starts_with('-') {
                break;
            }
            i += 1;
            let mut body = &a[1..];
            if let Some(rest) = body.strip_prefix('-') {
                if rest.is_empty() {
                    // `--` ends the flags.
                    break;
                }
                body = rest;
            }
            if body.is_empty() || body.starts_with('-') || body.starts_with('=') {
                return Err(FlagError::Invalid(format!("bad flag syntax: {a}")));
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let Some(kind) = lookup(name) else {
                if name == "help" || name == "h" {
                    return Err(FlagError::Help);
                }
                return Err(FlagError::Invalid(format!("flag provided but not defined: -{name}")));
            };
            let value = match (kind, value) {
                (Bool, None) => "true".to_string(),
                (Bool, Some(v)) => match parse_bool(v) {
                    Some(b) => b.to_string(),
                    None => return Err(FlagError::Invalid(format!("invalid boolean value {} for -{name}: parse error", go_quote(v)))),
                },
                (_, Some(v)) => v.to_string(),
                (_, None) => {
                    let Some(v) = argv.get(i) else {
                        return Err(FlagError::Invalid(format!("flag needs an argument: -{name}")));
                    };
                    i += 1;
                    v.clone()
                }
            };
            let bad = |why: &str| FlagError::Invalid(format!("invalid value {} for flag -{name}: {why}", go_quote(&value)));
            match kind {
                Int => {
                    parse_int(&value).map_err(bad)?;
                }
                Dur => {
                    plinth_value::go::parse_duration(&value).map_err(|_| bad("parse error"))?;
                }
                Unsupported => return Err(FlagError::Invalid(unsupported(name))),
                Bool | Str => {}
            }
            out.flags.push((name.to_string(), value));
        }
        out.positional.extend(argv[i..].iter().cloned());
        Ok(out)
    }

    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.flags.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn bool(&self, name: &str) -> bool {
        matches!(self.flag(name), Some("true") | Some("1") | Some(""))
    }

    /// `-input=false` style booleans defaulting to `default`.
    pub fn bool_or(&self, name: &str, default: bool) -> bool {
        match self.flag(name) {
            Some(v) => !matches!(v, "false" | "0"),
            None => default,
        }
    }

    /// An integer flag (checked when parsed), or `default`.
    pub fn int_or(&self, name: &str, default: i64) -> i64 {
        self.flag(name).and_then(|v| parse_int(v).ok()).unwrap_or(default)
    }

    /// A duration flag (checked when parsed; a negative one is zero), or zero.
    pub fn duration(&self, name: &str) -> std::time::Duration {
        self.flag(name).and_then(|v| plinth_value::go::parse_duration_std(v).ok()).unwrap_or_default()
    }

    /// `-var` and `-var-file` in the order given.
    pub fn var_sources(&self) -> Vec<(bool, String)> {
        self.flags.iter().filter(|(n, _)| n == "var" || n == "var-file").map(|(n, v)| (n == "var-file", v.clone())).collect()
    }
}

/// Why plinth refuses a Terraform flag it does not implement.
fn unsupported(name: &str) -> String {
    match name {
        "cloud-run" => "the -cloud-run option is not supported by plinth: it runs tests locally only, not in HCP Terraform".to_string(),
        "generate-config-out" => {
            "the -generate-config-out option is not supported by plinth: write the configuration of imported resources yourself".to_string()
        }
        "repair" => "the -repair option is only valid for the 'test cleanup' command, which plinth does not have".to_string(),
        _ => format!("the -{name} option is not supported by plinth: configure the state's location in the backend block instead"),
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` as the `flag` package reports it:
/// `parse error` or `value out of range`. Base prefixes `0x`, `0o`, `0b` and
/// a leading `0` (octal) and `_` digit separators as Go reads them.
fn parse_int(s: &str) -> Result<i64, &'static str> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    // Go's `underscoreOK`: a `_` separates digits (or follows the base prefix).
    let underscores_ok = !digits.ends_with('_') && !digits.contains("__") && (prefixed || !digits.starts_with('_'));
    if !underscores_ok {
        return Err("parse error");
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err("parse error");
    }
    let magnitude = u128::from_str_radix(&digits, radix).map_err(|_| "value out of range")?;
    let v = if neg { -(magnitude as i128) } else { magnitude as i128 };
    i64::try_from(v).map_err(|_| "value out of range")
}

/// Go's `%q` for the flag package's messages.
fn go_quote(s: &str) -> String {
    plinth_value::go_quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(cmd: &str, argv: &[&str]) -> Result<Args, FlagError> {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        Args::parse(&argv, &flags_for(cmd, None).unwrap())
    }

    fn err(cmd: &str, argv: &[&str]) -> String {
        match parse(cmd, argv) {
            Err(FlagError::Invalid(e)) => e,
            other => panic!("{argv:?}: expected an error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_flags_are_refused() {
        assert_eq!(err("apply", &["-auto-approve", "-tagret=terraform_data.a"]), "flag provided but not defined: -tagret");
        assert_eq!(err("plan", &["-auto-approve"]), "flag provided but not defined: -auto-approve");
        assert_eq!(err("plan", &["---x"]), "bad flag syntax: ---x");
    }

    #[test]
    fn malformed_values_are_refused_in_gos_words() {
        assert_eq!(err("plan", &["-parallelism=abc"]), "invalid value \"abc\" for flag -parallelism: parse error");
        assert_eq!(
            err("plan", &["-parallelism=99999999999999999999"]),
            "invalid value \"99999999999999999999\" for flag -parallelism: value out of range"
        );
        assert_eq!(err("plan", &["-lock-timeout=banana"]), "invalid value \"banana\" for flag -lock-timeout: parse error");
        assert_eq!(err("plan", &["-lock-timeout=10"]), "invalid value \"10\" for flag -lock-timeout: parse error");
        assert_eq!(err("plan", &["-lock=maybe"]), "invalid boolean value \"maybe\" for -lock: parse error");
        assert_eq!(err("plan", &["-var"]), "flag needs an argument: -var");
        assert!(err("apply", &["-state=other.tfstate"]).contains("not supported by plinth"));
        assert_eq!(err("test", &["-auto-approve"]), "flag provided but not defined: -auto-approve");
        assert_eq!(err("test", &["-parallelism=x"]), "invalid value \"x\" for flag -parallelism: parse error");
        assert!(err("test", &["-cloud-run=app.terraform.io/org/mod/aws"]).contains("runs tests locally only"), "cloud-run is refused");
        let a = parse("test", &["-filter=tests/a.tftest.hcl", "-filter", "b.tftest.hcl", "-verbose", "-junit-xml=out.xml", "-var", "x=1"])
            .unwrap();
        assert_eq!(a.all("filter"), ["tests/a.tftest.hcl", "b.tftest.hcl"]);
        assert!(a.bool("verbose"));
        assert_eq!(a.flag("junit-xml"), Some("out.xml"));
    }

    #[test]
    fn go_flag_rules() {
        let a = parse("plan", &["-var", "a=-b", "--lock=false", "-parallelism=0x10", "-lock-timeout=1m30s", "dir", "-x"]).unwrap();
        assert_eq!(a.all("var"), ["a=-b"]);
        assert!(!a.bool_or("lock", true));
        assert_eq!(a.int_or("parallelism", 10), 16);
        assert_eq!(a.duration("lock-timeout"), std::time::Duration::from_secs(90));
        // Flags end at the first positional argument.
        assert_eq!(a.positional, ["dir", "-x"]);
        assert_eq!(parse("fmt", &["-", "-check"]).unwrap().positional, ["-", "-check"]);
        assert_eq!(parse("plan", &["--", "-x"]).unwrap().positional, ["-x"]);
        assert_eq!(parse("plan", &["-help"]).unwrap_err(), FlagError::Help);
        assert_eq!(parse_int("-5"), Ok(-5));
        assert_eq!(parse_int("017"), Ok(15));
        assert_eq!(parse_int("0b1_01"), Ok(5));
        assert_eq!(parse_int("1_0"), Ok(10));
        assert_eq!(parse_int("0x_1"), Ok(1));
        assert_eq!(parse_int("_1"), Err("parse error"));
        assert_eq!(parse_int("1__0"), Err("parse error"));
        assert_eq!(parse_int("08"), Err("parse error"));
        assert_eq!(parse_int("0x"), Err("parse error"));
        assert_eq!(parse_int("00"), Ok(0));
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_int("9223372036854775808"), Err("value out of range"));
    }
}
