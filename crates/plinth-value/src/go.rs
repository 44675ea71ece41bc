//! Go standard-library rules that Terraform's behaviour depends on, written
//! once for every crate: `time.ParseDuration` (the CLI's `-lock-timeout`,
//! `timeadd`, provider `timeouts` blocks) and the time package's quoting of
//! strings in its error messages; `strconv.Quote` lives in `display.rs`
//! (`go_quote`), `encoding/json`'s HTML-safe escapes here. Hand-written: no crate implements Go's exact
//! grammar (no unit-less numbers but `0`, `µs`/`μs`, fractions per unit,
//! overflow at 2^63 ns).

use std::time::Duration;

/// What Go's `encoding/json` escapes beyond JSON's own rules (it is
/// HTML-safe): `<`, `>`, `&`, U+2028 and U+2029. The state file's writer
/// and `write_json_string` share it.
pub fn json_html_escape(c: char) -> Option<&'static str> {
    match c {
        '<' => Some("\\u003c"),
        '>' => Some("\\u003e"),
        '&' => Some("\\u0026"),
        '\u{2028}' => Some("\\u2028"),
        '\u{2029}' => Some("\\u2029"),
        _ => None,
    }
}

/// The `quote` of Go's time package: non-ASCII and control bytes as `\xNN`.
pub fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || (c as u32) < 0x20 {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut d: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // leading integer
        let mut v: u64 = 0;
        let mut i = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + (b[i] - b'0') as u64;
            if v > LIMIT {
                return Err(invalid());
            }
            i += 1;
        }
        let pre = i > 0;
        s = &s[i..];
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if let Some(rest) = s.strip_prefix('.') {
            s = rest;
            let b = s.as_bytes();
            let mut i = 0;
            let mut overflow = false;
            while i < b.len() && b[i].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + (b[i] - b'0') as u64;
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            post = i > 0;
            s = &s[i..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", time_quote(orig)));
        }
        let u = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match u {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("time: unknown unit {} in duration {}", time_quote(u), time_quote(orig))),
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        d += v;
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(d as i64)
}

/// [`parse_duration`] as a [`Duration`]: a negative duration (which Go's
/// timers treat as already expired) is zero.
pub fn parse_duration_std(s: &str) -> Result<Duration, String> {
    parse_duration(s).map(|ns| Duration::from_nanos(u64::try_from(ns).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    /// Each case as Go 1.x's `time.ParseDuration` answers it (checked with
    /// `go run`: nanoseconds, or the error text).
    #[test]
    fn parse_duration_matches_go() {
        let cases: &[(&str, Result<i64, &str>)] = &[
            ("10", Err("time: missing unit in duration \"10\"")),
            ("0", Ok(0)),
            ("-0", Ok(0)),
            ("+0", Ok(0)),
            ("1h30m", Ok(5_400_000_000_000)),
            ("500ms", Ok(500_000_000)),
            ("1.5s", Ok(1_500_000_000)),
            ("-1s", Ok(-1_000_000_000)),
            ("", Err("time: invalid duration \"\"")),
            ("banana", Err("time: invalid duration \"banana\"")),
            ("1h2m3.5s", Ok(3_723_500_000_000)),
            ("+5us", Ok(5_000)),
            ("1µs", Ok(1_000)),
            ("1μs", Ok(1_000)),
            (".5s", Ok(500_000_000)),
            (".s", Err("time: invalid duration \".s\"")),
            ("9999999999h", Err("time: invalid duration \"9999999999h\"")),
            ("1.s", Ok(1_000_000_000)),
            ("5.", Err("time: missing unit in duration \"5.\"")),
            ("1e3s", Err("time: unknown unit \"e\" in duration \"1e3s\"")),
            ("1s1", Err("time: missing unit in duration \"1s1\"")),
            ("2562047h", Ok(9_223_369_200_000_000_000)),
            ("2562048h", Err("time: invalid duration \"2562048h\"")),
            ("9223372036854775807ns", Ok(i64::MAX)),
            ("9223372036854775808ns", Err("time: invalid duration \"9223372036854775808ns\"")),
            ("-9223372036854775808ns", Ok(i64::MIN)),
            ("0.0000000001s", Ok(0)),
            ("1.0000000001s", Ok(1_000_000_000)),
            ("3m-2s", Err("time: unknown unit \"m-\" in duration \"3m-2s\"")),
            (" 1s", Err("time: invalid duration \" 1s\"")),
            ("1S", Err("time: unknown unit \"S\" in duration \"1S\"")),
            ("00", Err("time: missing unit in duration \"00\"")),
            ("01s", Ok(1_000_000_000)),
        ];
        for (input, want) in cases {
            let got = parse_duration(input);
            assert_eq!(got.as_ref().map_err(String::as_str), want.as_ref().map_err(|e| *e), "{input:?}");
        }
    }
}
