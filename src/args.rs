//! Command-line flags in Terraform's syntax: Go's `flag` package style
//! (`-name`, `-name=value`, `-name value`, `--name` too), flags before
//! positional arguments. clap cannot parse single-dash long flags, and a
//! Terraform user's muscle memory (`-auto-approve`, `-var 'a=b'`) must work,
//! so this small parser is hand-written.

#[derive(Debug, Default)]
pub struct Args {
    /// Flags in order, as (name, value); boolean flags have value "true".
    pub flags: Vec<(String, String)>,
    pub positional: Vec<String>,
}

/// Flags that take a value and may give it as the next argument.
const VALUED: &[&str] = &[
    "var",
    "var-file",
    "chdir",
    "out",
    "target",
    "exclude",
    "replace",
    "parallelism",
    "lock-timeout",
    "state",
    "state-out",
    "backup",
    "backend-config",
    "plan",
    "format",
    "type",
    "module-depth",
    "from-module",
    "json-into",
];

impl Args {
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let mut out = Args::default();
        let mut i = 0;
        while i < argv.len() {
            let a = &argv[i];
            if a == "--" {
                out.positional.extend(argv[i + 1..].iter().cloned());
                break;
            }
            if a.len() > 1 && a.starts_with('-') {
                let body = a.trim_start_matches('-');
                let (name, value) = match body.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (body.to_string(), None),
                };
                let value = match value {
                    Some(v) => v,
                    None if VALUED.contains(&name.as_str()) => {
                        i += 1;
                        argv.get(i).cloned().ok_or_else(|| format!("flag needs an argument: -{name}"))?
                    }
                    None => "true".to_string(),
                };
                out.flags.push((name, value));
            } else {
                out.positional.push(a.clone());
            }
            i += 1;
        }
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

    /// `-var` and `-var-file` in the order given.
    pub fn var_sources(&self) -> Vec<(bool, String)> {
        self.flags.iter().filter(|(n, _)| n == "var" || n == "var-file").map(|(n, v)| (n == "var-file", v.clone())).collect()
    }
}
