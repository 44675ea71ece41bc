//! Version constraints as Terraform writes them (`required_version`,
//! `required_providers` versions): comma-separated `OP VERSION` terms with
//! `=`, `!=`, `>`, `>=`, `<`, `<=` and `~>` (pessimistic).
//!
//! Hand-written rather than the `semver` crate's `VersionReq`: Terraform's
//! constraints follow HashiCorp's go-version, whose semantics differ (`~>`
//! does not exist in semver; `= 1.2` means exactly 1.2.0, not 1.2.x; a version
//! may have any number of segments, padded with zeros when compared).

use std::cmp::Ordering;

use plinth_syntax::ast::ExprKind;
use plinth_syntax::Diagnostic;

use crate::Module;

/// Checks a module's `terraform { required_version }` against `version`
/// (the Terraform version this build is compatible with), as Terraform does
/// before anything else: `call` is `Some(("module.m", "./m"))` for a child
/// module. The caller reports only these diagnostics when there are any,
/// since the rest of a configuration written for another version may not
/// make sense to this one.
pub fn check_core_version(module: &Module, version: &str, call: Option<(&str, &str)>) -> Vec<Diagnostic> {
    let Some(e) = &module.terraform.required_version else { return Vec::new() };
    let text = match &e.kind {
        ExprKind::Number(n) => Some(n.clone()),
        _ => crate::literal_string(e),
    };
    let Some(text) = text else {
        return vec![Diagnostic::error("Invalid version constraint", "A string value is required for required_version.")
            .with_subject(e.span)
            .with_context("terraform")];
    };
    let Some(constraint) = Constraint::parse(&text) else {
        return vec![Diagnostic::error("Invalid version constraint", "This string does not use correct version constraint syntax.")
            .with_subject(e.span)
            .with_context("terraform")];
    };
    let current = Version::parse(version).expect("the build's own version parses");
    if constraint.allows(&current) {
        return Vec::new();
    }
    let who = match call {
        None => "This configuration".to_string(),
        Some((addr, source)) => format!("Module {addr} (from {source})"),
    };
    vec![Diagnostic::error(
        "Unsupported Terraform Core version",
        format!("{who} does not support Terraform version {version}. To proceed, either choose another supported Terraform version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior."),
    )
    .with_subject(e.span)
    .with_context("terraform")]
}

/// A parsed version: numeric segments, and the pre-release label if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    segments: Vec<u64>,
    /// How many segments were written (`1.2` has 2, padded to three).
    specified: usize,
    pre: Option<String>,
}

impl Version {
    /// Parses `1`, `1.2`, `v1.2.3`, `1.2.3-beta1`, `1.2.3+meta`.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let s = s.split('+').next()?;
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) if !p.is_empty() => (c, Some(p.to_string())),
            Some(_) => return None,
            None => (s, None),
        };
        let mut segments = Vec::new();
        for part in core.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            segments.push(part.parse().ok()?);
        }
        let specified = segments.len();
        while segments.len() < 3 {
            segments.push(0);
        }
        Some(Version { segments, specified, pre })
    }

    fn cmp_to(&self, other: &Version) -> Ordering {
        let n = self.segments.len().max(other.segments.len());
        for i in 0..n {
            let (a, b) = (self.segments.get(i).copied().unwrap_or(0), other.segments.get(i).copied().unwrap_or(0));
            match a.cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => a.cmp(b),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

/// One `OP VERSION` term.
#[derive(Clone, Debug)]
struct Term {
    op: Op,
    version: Version,
}

/// A constraint: every term must hold.
#[derive(Clone, Debug)]
pub struct Constraint {
    terms: Vec<Term>,
}

impl Constraint {
    /// Parses `">= 1.2, < 2.0"`; `None` when any term is malformed.
    pub fn parse(s: &str) -> Option<Constraint> {
        let mut terms = Vec::new();
        for raw in s.split(',') {
            let t = raw.trim();
            let (op, rest) =
                [("~>", Op::Pessimistic), (">=", Op::Ge), ("<=", Op::Le), ("!=", Op::Ne), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)]
                    .iter()
                    .find_map(|(p, op)| t.strip_prefix(p).map(|r| (*op, r)))
                    .unwrap_or((Op::Eq, t));
            terms.push(Term { op, version: Version::parse(rest.trim())? });
        }
        Some(Constraint { terms })
    }

    pub fn allows(&self, v: &Version) -> bool {
        self.terms.iter().all(|t| t.allows(v))
    }
}

impl Term {
    fn allows(&self, v: &Version) -> bool {
        let c = &self.version;
        // A pre-release version only satisfies a constraint naming a
        // pre-release of the same release.
        match (v.pre.is_some(), c.pre.is_some()) {
            (true, true) if v.segments != c.segments => return false,
            (true, false) => return false,
            _ => {}
        }
        let ord = v.cmp_to(c);
        match self.op {
            Op::Eq => ord == Ordering::Equal,
            Op::Ne => ord != Ordering::Equal,
            Op::Gt => ord == Ordering::Greater,
            Op::Ge => ord != Ordering::Less,
            Op::Lt => ord == Ordering::Less,
            Op::Le => ord != Ordering::Greater,
            Op::Pessimistic => {
                if ord == Ordering::Less {
                    return false;
                }
                // All but the last written segment must match; the last may grow.
                let n = c.specified.max(1);
                (0..n - 1).all(|i| v.segments.get(i) == c.segments.get(i))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(c: &str, v: &str) -> bool {
        Constraint::parse(c).expect("constraint").allows(&Version::parse(v).expect("version"))
    }

    #[test]
    fn operators() {
        assert!(ok(">= 1.0", "1.15.5"));
        assert!(!ok(">= 2.0", "1.15.5"));
        assert!(ok("1.15.5", "1.15.5"));
        assert!(!ok("= 1.15", "1.15.5"));
        assert!(ok("!= 1.14.0", "1.15.5"));
        assert!(ok("> 1.15.4, < 1.16", "1.15.5"));
        assert!(!ok("< 1.15.5", "1.15.5"));
        assert!(ok("<= 1.15.5", "1.15.5"));
    }

    #[test]
    fn pessimistic() {
        assert!(ok("~> 1.15", "1.15.5"));
        assert!(ok("~> 1.2", "1.15.5"));
        assert!(!ok("~> 1.15.6", "1.15.5"));
        assert!(ok("~> 1.15.0", "1.15.5"));
        assert!(!ok("~> 1.14.0", "1.15.5"));
        assert!(!ok("~> 0.12", "1.15.5"));
        assert!(ok("~> 1", "1.15.5"));
    }

    #[test]
    fn prereleases() {
        assert!(ok(">= 1.15.0-beta1", "1.15.5"));
        assert!(!ok(">= 1.0", "1.16.0-alpha1"));
    }

    #[test]
    fn malformed() {
        assert!(Constraint::parse(">= banana").is_none());
        assert!(Constraint::parse("").is_none());
        assert!(Constraint::parse(">= 1.0,").is_none());
    }
}
