//! Random strings the way the Terraform random provider makes them: the
//! minimum counts of each class first, the rest from every enabled class,
//! then the whole shuffled.

use plinth_provider::{PathStep, ProviderError};
use rand::seq::SliceRandom;
use rand::Rng;

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC: &str = "0123456789";
const SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

#[derive(Clone, Debug, Default)]
pub struct StringSpec {
    pub length: usize,
    pub upper: bool,
    pub lower: bool,
    pub numeric: bool,
    pub special: bool,
    /// Replaces the default special characters when set and not empty.
    pub override_special: Option<String>,
    pub min_upper: usize,
    pub min_lower: usize,
    pub min_numeric: usize,
    pub min_special: usize,
}

pub fn generate_string(spec: &StringSpec, rng: &mut impl Rng) -> Result<String, ProviderError> {
    let special: Vec<char> = match spec.override_special.as_deref() {
        Some(s) if !s.is_empty() => s.chars().collect(),
        _ => SPECIAL.chars().collect(),
    };
    let classes: [(bool, Vec<char>, usize); 4] = [
        (spec.upper, UPPER.chars().collect(), spec.min_upper),
        (spec.lower, LOWER.chars().collect(), spec.min_lower),
        (spec.numeric, NUMERIC.chars().collect(), spec.min_numeric),
        (spec.special, special, spec.min_special),
    ];
    let mut out: Vec<char> = Vec::with_capacity(spec.length);
    for (_, set, min) in &classes {
        out.extend((0..*min).map(|_| set[rng.gen_range(0..set.len())]));
    }
    let all: Vec<char> = classes.iter().filter(|(on, _, _)| *on).flat_map(|(_, set, _)| set.iter().copied()).collect();
    let rest = spec.length.saturating_sub(out.len());
    if rest > 0 && all.is_empty() {
        return Err(ProviderError::new(
            "No characters to choose from",
            "At least one of upper, lower, numeric and special must be true to fill the rest of the string.",
        )
        .at(vec![PathStep::Attr("length".into())]));
    }
    out.extend((0..rest).map(|_| all[rng.gen_range(0..all.len())]));
    out.shuffle(rng);
    Ok(out.into_iter().collect())
}
