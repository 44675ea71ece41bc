//! Date and time functions: formatdate, timeadd, timecmp, timestamp,
//! plantimestamp. Timestamps are RFC 3339, parsed and reported exactly as Go's
//! `time.Parse` (and go-cty's stricter wrapper around it) does.

use std::cmp::Ordering;

use plinth_value::go::{parse_duration, time_quote};
use plinth_value::{Type, Value};

use super::encoding::go_quote;
use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    let st = fixed_type!(Type::String);
    r.add("formatdate", Function::new(vec![Param::new("format", Type::String), Param::new("time", Type::String)], st, formatdate));
    r.add("timeadd", Function::new(vec![Param::new("timestamp", Type::String), Param::new("duration", Type::String)], st, timeadd));
    r.add(
        "timecmp",
        Function::new(
            vec![Param::new("timestamp_a", Type::String), Param::new("timestamp_b", Type::String)],
            fixed_type!(Type::Number),
            timecmp,
        ),
    );
    r.add("timestamp", Function::new(vec![], st, timestamp).impure());
    // Known during plan: the time the run started, the same on every call.
    r.add("plantimestamp", Function::new(vec![], st, plantimestamp));
}

// ---- time values ------------------------------------------------------------------

/// An instant with the UTC offset it was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Time {
    /// Seconds since the Unix epoch (UTC).
    secs: i64,
    nanos: u32,
    /// Offset from UTC in seconds.
    offset: i32,
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Local calendar fields of a time.
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    weekday: usize,
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

impl Time {
    fn fields(&self) -> Fields {
        let local = self.secs + self.offset as i64;
        let days = local.div_euclid(86400);
        let rem = local.rem_euclid(86400);
        let (year, month, day) = civil_from_days(days);
        Fields { year, month, day, hour: rem / 3600, minute: rem / 60 % 60, second: rem % 60, weekday: (days + 4).rem_euclid(7) as usize }
    }

    fn cmp_instant(&self, o: &Time) -> Ordering {
        (self.secs, self.nanos).cmp(&(o.secs, o.nanos))
    }

    fn add_nanos(&self, d: i64) -> Time {
        let total = self.secs as i128 * 1_000_000_000 + self.nanos as i128 + d as i128;
        Time { secs: total.div_euclid(1_000_000_000) as i64, nanos: total.rem_euclid(1_000_000_000) as u32, offset: self.offset }
    }

    /// Go's `Format` of the zone with layout `Z07:00` (colon) or `-0700`.
    fn zone(&self, z_for_utc: bool, colon: bool) -> String {
        if z_for_utc && self.offset == 0 {
            return "Z".into();
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let off = self.offset.abs() / 60;
        if colon {
            format!("{sign}{:02}:{:02}", off / 60, off % 60)
        } else {
            format!("{sign}{:02}{:02}", off / 60, off % 60)
        }
    }

    /// `time.RFC3339` formatting (no fractional seconds).
    pub(super) fn rfc3339(&self) -> String {
        let f = self.fields();
        format!("{}-{:02}-{:02}T{:02}:{:02}:{:02}{}", go_year(f.year), f.month, f.day, f.hour, f.minute, f.second, self.zone(true, true))
    }
}

fn go_year(y: i64) -> String {
    if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

// ---- parsing ----------------------------------------------------------------------

/// Go's `time.ParseError` fields that the messages are made from.
#[derive(Debug, PartialEq)]
struct ParseError {
    layout_elem: &'static str,
    value_elem: String,
    message: String,
}

fn perr(layout_elem: &'static str, value_elem: &str, message: &str) -> ParseError {
    ParseError { layout_elem, value_elem: value_elem.to_string(), message: message.to_string() }
}

fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    if !is_digit(b, 1) {
        if fixed {
            return None;
        }
        return Some(((b[0] - b'0') as i64, &s[1..]));
    }
    Some((((b[0] - b'0') * 10 + (b[1] - b'0')) as i64, &s[2..]))
}

/// Go's `time.Parse(time.RFC3339, s)` (the general, lenient parser).
fn go_parse_rfc3339(input: &str) -> Result<Time, ParseError> {
    let mut value = input;
    let skip = |value: &mut &str, prefix: &'static str| -> Result<(), ParseError> {
        if let Some(rest) = value.strip_prefix(prefix) {
            *value = rest;
            Ok(())
        } else {
            Err(perr(prefix, value, ""))
        }
    };

    // 2006
    let hold = value;
    let b = value.as_bytes();
    if b.len() < 4 || !is_digit(b, 0) || !b[..4].iter().all(u8::is_ascii_digit) {
        return Err(perr("2006", hold, ""));
    }
    let year: i64 = value[..4].parse().unwrap();
    value = &value[4..];
    // -01
    skip(&mut value, "-")?;
    let hold = value;
    let (month, rest) = getnum(value, true).ok_or_else(|| perr("01", hold, ""))?;
    value = rest;
    if !(1..=12).contains(&month) {
        return Err(perr("01", value, ": month out of range"));
    }
    // -02
    skip(&mut value, "-")?;
    let hold = value;
    let (day, rest) = getnum(value, true).ok_or_else(|| perr("02", hold, ""))?;
    value = rest;
    // T15
    skip(&mut value, "T")?;
    let hold = value;
    let (hour, rest) = getnum(value, false).ok_or_else(|| perr("15", hold, ""))?;
    value = rest;
    if hour >= 24 {
        return Err(perr("15", value, ": hour out of range"));
    }
    // :04
    skip(&mut value, ":")?;
    let hold = value;
    let (minute, rest) = getnum(value, true).ok_or_else(|| perr("04", hold, ""))?;
    value = rest;
    if minute >= 60 {
        return Err(perr("04", value, ": minute out of range"));
    }
    // :05 with optional fraction
    skip(&mut value, ":")?;
    let hold = value;
    let (second, rest) = getnum(value, true).ok_or_else(|| perr("05", hold, ""))?;
    value = rest;
    if second >= 60 {
        return Err(perr("05", value, ": second out of range"));
    }
    let mut nanos = 0u32;
    let vb = value.as_bytes();
    if vb.len() >= 2 && (vb[0] == b'.' || vb[0] == b',') && is_digit(vb, 1) {
        let mut n = 2;
        while is_digit(vb, n) {
            n += 1;
        }
        let digits = &value[1..n.min(10)];
        let mut ns: u32 = digits.parse().unwrap();
        for _ in digits.len()..9 {
            ns *= 10;
        }
        nanos = ns;
        value = &value[n..];
    }
    // Z07:00
    let hold = value;
    let offset: i32;
    if let Some(rest) = value.strip_prefix('Z') {
        value = rest;
        offset = 0;
    } else {
        let vb = value.as_bytes();
        if vb.len() < 6 || vb[3] != b':' {
            return Err(perr("Z07:00", hold, ""));
        }
        let (sign, hh, mm) = (vb[0], &value[1..3], &value[4..6]);
        value = &value[6..];
        let hr = getnum(hh, true).map(|x| x.0);
        let mn = hr.and_then(|_| getnum(mm, true).map(|x| x.0));
        let (Some(hr), Some(mn)) = (hr, mn) else { return Err(perr("Z07:00", hold, "")) };
        let mut range = None;
        if hr > 24 {
            range = Some("time zone offset hour");
        }
        if mn > 60 {
            range = Some("time zone offset minute");
        }
        if let Some(what) = range {
            return Err(perr("Z07:00", value, &format!(": {what} out of range")));
        }
        let secs = ((hr * 60 + mn) * 60) as i32;
        offset = match sign {
            b'+' => secs,
            b'-' => -secs,
            _ => return Err(perr("Z07:00", hold, "")),
        };
    }
    if !value.is_empty() {
        return Err(perr("", value, &format!(": extra text: {}", time_quote(value))));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(perr("", "", ": day out of range"));
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86400 + hour * 3600 + minute * 60 + second - offset as i64;
    Ok(Time { secs, nanos, offset })
}

/// go-cty's `parseStrictRFC3339`: `time.Parse` plus RFC 3339's stricter
/// rules (two-digit hour, `.` before fractions, offsets within range).
fn strict_parse_rfc3339(s: &str) -> Result<Time, ParseError> {
    let t = go_parse_rfc3339(s)?;
    let b = s.as_bytes();
    if b[12] == b':' {
        return Err(ParseError { layout_elem: "15", value_elem: s[11..12].into(), message: ": hour must have two digits".into() });
    }
    if b[19] == b',' {
        return Err(ParseError { layout_elem: ".", value_elem: ",".into(), message: ": sub-second separator must be a period".into() });
    }
    if b[b.len() - 1] != b'Z' {
        let num2 = |x: &[u8]| (x[0] - b'0') as u32 * 10 + (x[1] - b'0') as u32;
        let tz = &s[s.len() - 6..];
        if num2(&b[b.len() - 5..]) >= 24 {
            return Err(ParseError { layout_elem: "Z07:00", value_elem: tz.into(), message: ": timezone hour out of range".into() });
        }
        if num2(&b[b.len() - 2..]) >= 60 {
            return Err(ParseError { layout_elem: "Z07:00", value_elem: tz.into(), message: ": timezone minute out of range".into() });
        }
    }
    Ok(t)
}

/// Turns a parse error into the message Terraform/go-cty report. `cty` adds
/// go-cty's extra explanations for hour and minute problems.
fn parse_error_message(e: &ParseError, cty: bool) -> String {
    const P: &str = "not a valid RFC3339 timestamp";
    if e.layout_elem.is_empty() && e.value_elem.is_empty() && !e.message.is_empty() {
        return format!("{P}{}", e.message);
    }
    let what = match e.layout_elem {
        "2006" => "year",
        "01" => "month",
        "02" => "day of month",
        "15" => "hour",
        "04" => "minute",
        "05" => "second",
        "Z07:00" => "UTC offset",
        "T" => return format!("{P}: missing required time introducer 'T'"),
        ":" | "-" => {
            return if e.value_elem.is_empty() {
                format!("{P}: end of string where {} is expected", go_quote(e.layout_elem))
            } else {
                format!("{P}: found {} where {} is expected", go_quote(&e.value_elem), go_quote(e.layout_elem))
            }
        }
        _ => "timestamp segment",
    };
    if e.value_elem.is_empty() {
        return format!("{P}: end of string before {what}");
    }
    if cty {
        if what == "hour" && e.value_elem.contains(':') {
            return format!("{P}: hour must be between 0 and 23 inclusive");
        }
        if what == "hour" && e.value_elem.len() != 2 {
            return format!("{P}: hour must have exactly two digits");
        }
        if what == "minute" && e.value_elem.len() != 2 {
            return format!("{P}: minute must have exactly two digits");
        }
    }
    format!("{P}: cannot use {} as {what}", go_quote(&e.value_elem))
}

/// go-cty's `parseTimestamp` (formatdate, timeadd).
fn parse_cty(s: &str) -> Result<Time, String> {
    strict_parse_rfc3339(s).map_err(|e| parse_error_message(&e, true))
}

/// Terraform's own `parseTimestamp` (timecmp).
fn parse_tf(s: &str) -> Result<Time, String> {
    go_parse_rfc3339(s).map_err(|e| parse_error_message(&e, false))
}

// ---- functions -------------------------------------------------------------------

fn str_arg(args: &[Value], i: usize) -> &str {
    args[i].as_str().expect("converted to string")
}

fn timestamp(_: &CallCtx, _: &[Value]) -> FuncResult {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| FuncError::call(e.to_string()))?;
    Ok(Value::string(Time { secs: now.as_secs() as i64, nanos: 0, offset: 0 }.rfc3339()))
}

/// The plan's timestamp: fixed at the first call in this process, so every
/// `plantimestamp()` of a run (plan, and apply after it) agrees.
fn plantimestamp(_: &CallCtx, _: &[Value]) -> FuncResult {
    static PLAN_TIME: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let secs = *PLAN_TIME.get_or_init(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    Ok(Value::string(Time { secs: secs as i64, nanos: 0, offset: 0 }.rfc3339()))
}

fn timeadd(_: &CallCtx, args: &[Value]) -> FuncResult {
    let t = parse_cty(str_arg(args, 0)).map_err(FuncError::call)?;
    let d = parse_duration(str_arg(args, 1)).map_err(FuncError::call)?;
    Ok(Value::string(t.add_nanos(d).rfc3339()))
}

fn timecmp(_: &CallCtx, args: &[Value]) -> FuncResult {
    let a = parse_tf(str_arg(args, 0)).map_err(|e| FuncError::arg(0, e))?;
    let b = parse_tf(str_arg(args, 1)).map_err(|e| FuncError::arg(1, e))?;
    Ok(Value::int(match a.cmp_instant(&b) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

fn is_verb_start(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

/// Splits a formatdate spec into tokens: quoted literals, runs of one
/// letter, and runs of other characters.
fn split_format(spec: &str) -> Vec<&str> {
    let b = spec.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                i += 1;
                loop {
                    if i >= b.len() {
                        break;
                    }
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
        } else if is_verb_start(b[i]) {
            let rep = b[i];
            while i < b.len() && b[i] == rep {
                i += 1;
            }
        } else {
            i += 1;
            while i < b.len() && b[i] != b'\'' && !is_verb_start(b[i]) {
                i += 1;
            }
        }
        out.push(&spec[start..i]);
    }
    out
}

fn formatdate(_: &CallCtx, args: &[Value]) -> FuncResult {
    let spec = str_arg(args, 0);
    let t = parse_cty(str_arg(args, 1)).map_err(|e| FuncError::arg(1, e))?;
    let f = t.fields();
    let mut out = String::new();
    let bad = |tok: &str, why: &str| {
        let q = go_quote(tok);
        Err(FuncError::arg(
            0,
            if why.is_empty() { format!("invalid date format verb {q}") } else { format!("invalid date format verb {q}: {why}") },
        ))
    };
    for tok in split_format(spec) {
        let b = tok.as_bytes();
        let n = b.len();
        if b[0] == b'\'' {
            if b[n - 1] != b'\'' || n == 1 {
                return Err(FuncError::arg(0, "unterminated literal '"));
            }
            if n == 2 {
                out.push('\'');
            } else {
                out.push_str(&tok[1..n - 1].replace("''", "'"));
            }
            continue;
        }
        if !is_verb_start(b[0]) {
            out.push_str(tok);
            continue;
        }
        match (b[0], n) {
            (b'Y', 2) => out.push_str(&format!("{:02}", f.year % 100)),
            (b'Y', 4) => out.push_str(&format!("{:04}", f.year)),
            (b'Y', _) => return bad(tok, "year must either be \"YY\" or \"YYYY\""),
            (b'M', 1) => out.push_str(&f.month.to_string()),
            (b'M', 2) => out.push_str(&format!("{:02}", f.month)),
            (b'M', 3) => out.push_str(&MONTHS[f.month as usize - 1][..3]),
            (b'M', 4) => out.push_str(MONTHS[f.month as usize - 1]),
            (b'M', _) => return bad(tok, "month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""),
            (b'D', 1) => out.push_str(&f.day.to_string()),
            (b'D', 2) => out.push_str(&format!("{:02}", f.day)),
            (b'D', _) => return bad(tok, "day of month must either be \"D\" or \"DD\""),
            (b'E', 3) => out.push_str(&DAYS[f.weekday][..3]),
            (b'E', 4) => out.push_str(DAYS[f.weekday]),
            (b'E', _) => return bad(tok, "day of week must either be \"EEE\" or \"EEEE\""),
            (b'h', 1) => out.push_str(&f.hour.to_string()),
            (b'h', 2) => out.push_str(&format!("{:02}", f.hour)),
            (b'h', _) => return bad(tok, "24-hour must either be \"h\" or \"hh\""),
            (b'H', _) => {
                let h = if f.hour % 12 == 0 { 12 } else { f.hour % 12 };
                match n {
                    1 => out.push_str(&h.to_string()),
                    2 => out.push_str(&format!("{h:02}")),
                    _ => return bad(tok, "12-hour must either be \"H\" or \"HH\""),
                }
            }
            (b'A' | b'a', _) => {
                if n != 2 {
                    let c = b[0] as char;
                    return bad(tok, &format!("must be \"{c}{c}\""));
                }
                let pm = f.hour >= 12;
                out.push_str(match (b[0] == b'A', pm) {
                    (true, false) => "AM",
                    (true, true) => "PM",
                    (false, false) => "am",
                    (false, true) => "pm",
                });
            }
            (b'm', 1) => out.push_str(&f.minute.to_string()),
            (b'm', 2) => out.push_str(&format!("{:02}", f.minute)),
            (b'm', _) => return bad(tok, "minute must either be \"m\" or \"mm\""),
            (b's', 1) => out.push_str(&f.second.to_string()),
            (b's', 2) => out.push_str(&format!("{:02}", f.second)),
            (b's', _) => return bad(tok, "second must either be \"s\" or \"ss\""),
            (b'Z', 1) => out.push_str(&t.zone(true, true)),
            (b'Z', 3) => {
                let z = t.zone(false, false);
                out.push_str(if z == "+0000" { "UTC" } else { &z });
            }
            (b'Z', 4) => out.push_str(&t.zone(false, false)),
            (b'Z', 5) => out.push_str(&t.zone(false, true)),
            (b'Z', _) => return bad(tok, "timezone must be Z, ZZZZ, or ZZZZZ"),
            _ => return bad(tok, ""),
        }
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::super::{call, registry, CallCtx, CallError};
    use super::*;

    fn run(name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call(registry().get(name).unwrap(), &CallCtx::default(), args)
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn ok(name: &str, a: &str, b: &str) -> String {
        run(name, vec![s(a), s(b)]).unwrap().as_str().unwrap().to_string()
    }
    fn err(name: &str, a: &str, b: &str) -> FuncError {
        match run(name, vec![s(a), s(b)]) {
            Err(CallError::Func(e)) => e,
            other => panic!("expected error, got {other:?}"),
        }
    }
    const P: &str = "not a valid RFC3339 timestamp";

    #[test]
    fn formatdate() {
        assert_eq!(ok("formatdate", "EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"), "Tuesday, 02-Jan-18 23:12:01 -0800");
        assert_eq!(ok("formatdate", "YYYY-MM-DD'T'hh:mm:ssZ", "2018-01-02T23:12:01Z"), "2018-01-02T23:12:01Z");
        assert_eq!(ok("formatdate", "h:mm aa AA", "2018-01-02T23:12:01Z"), "23:12 pm PM");
        assert_eq!(ok("formatdate", "'quoted'''", "2018-01-02T23:12:01Z"), "quoted'");
        assert_eq!(ok("formatdate", "DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"), "02 Jan 2018 23:12 UTC");
        assert_eq!(ok("formatdate", "EEE, MMMM D, H:mmaa ZZZZZ", "2017-03-05T00:05:09+05:30"), "Sun, March 5, 12:05am +05:30");
        assert_eq!(ok("formatdate", "M/D/YY Z ZZZZ", "2000-12-31T01:00:00.5+00:00"), "12/31/00 Z +0000");
        assert_eq!(ok("formatdate", "'it''s' h 'o''clock'", "2018-01-02T03:12:01Z"), "it's 3 o'clock");
        assert_eq!(err("formatdate", "YYYY", "2018-01-02"), FuncError::arg(1, format!("{P}: missing required time introducer 'T'")));
        assert_eq!(
            err("formatdate", "YYYY", "2018-13-02T23:12:01Z"),
            FuncError::arg(1, format!("{P}: cannot use \"-02T23:12:01Z\" as month"))
        );
        assert_eq!(
            err("formatdate", "YYY", "2018-01-02T23:12:01Z"),
            FuncError::arg(0, "invalid date format verb \"YYY\": year must either be \"YY\" or \"YYYY\"")
        );
        assert_eq!(err("formatdate", "q", "2018-01-02T23:12:01Z"), FuncError::arg(0, "invalid date format verb \"q\""));
        assert_eq!(err("formatdate", "'abc", "2018-01-02T23:12:01Z"), FuncError::arg(0, "unterminated literal '"));
        assert_eq!(err("formatdate", "a", "2018-01-02T23:12:01Z"), FuncError::arg(0, "invalid date format verb \"a\": must be \"aa\""));
    }

    #[test]
    fn rfc3339_errors() {
        let e = |s: &str| parse_cty(s).unwrap_err();
        assert_eq!(e("2017"), format!("{P}: end of string where \"-\" is expected"));
        assert_eq!(e("2017-11-22T00:00:00z"), format!("{P}: cannot use \"z\" as UTC offset"));
        assert_eq!(e("2017-02-30T00:00:00Z"), format!("{P}: day out of range"));
        assert_eq!(e("2017-11-22T1:00:00Z"), format!("{P}: hour must have exactly two digits"));
        assert_eq!(e("2017-11-22T25:00:00Z"), format!("{P}: hour must be between 0 and 23 inclusive"));
        assert_eq!(e("2017-11-22T10:00:00Zx"), format!("{P}: cannot use \"x\" as timestamp segment"));
        assert_eq!(e("2017-11-22T10:00:00,5Z"), format!("{P}: cannot use \",\" as timestamp segment"));
        assert_eq!(e("2017-11-22T10:00:00+24:00"), format!("{P}: cannot use \"+24:00\" as UTC offset"));
        assert_eq!(e("17-11-22T10:00:00Z"), format!("{P}: cannot use \"17-11-22T10:00:00Z\" as year"));
        assert_eq!(e("2017/11"), format!("{P}: found \"/11\" where \"-\" is expected"));
        assert_eq!(e("2017-11-22T10"), format!("{P}: end of string where \":\" is expected"));
        assert_eq!(e("2017-11-22T10:00:00"), format!("{P}: end of string before UTC offset"));
        assert_eq!(parse_tf("2017-11-22T1:00:00Z").unwrap().rfc3339(), "2017-11-22T01:00:00Z");
    }

    #[test]
    fn timeadd() {
        assert_eq!(ok("timeadd", "2017-11-22T00:00:00Z", "10m"), "2017-11-22T00:10:00Z");
        assert_eq!(ok("timeadd", "2017-11-22T00:00:00+05:00", "24h"), "2017-11-23T00:00:00+05:00");
        assert_eq!(ok("timeadd", "2017-11-22T00:00:00Z", "1.5h"), "2017-11-22T01:30:00Z");
        assert_eq!(ok("timeadd", "2017-11-22T00:00:00.123Z", "1ms"), "2017-11-22T00:00:00Z");
        assert_eq!(ok("timeadd", "2017-11-22T00:00:00Z", "-1h30m"), "2017-11-21T22:30:00Z");
        assert_eq!(ok("timeadd", "2016-02-28T23:00:00-00:00", "2h"), "2016-02-29T01:00:00Z");
        assert_eq!(ok("timeadd", "2017-11-22T00:00:00.9Z", "100ms"), "2017-11-22T00:00:01Z");
        assert_eq!(err("timeadd", "2017-11-22", "1h"), FuncError::call(format!("{P}: missing required time introducer 'T'")));
        assert_eq!(err("timeadd", "2017-11-22T00:00:00Z", "1x"), FuncError::call("time: unknown unit \"x\" in duration \"1x\""));
        assert_eq!(err("timeadd", "2017-11-22T00:00:00Z", "10"), FuncError::call("time: missing unit in duration \"10\""));
        assert_eq!(err("timeadd", "2017-11-22T00:00:00Z", ""), FuncError::call("time: invalid duration \"\""));
        assert!(matches!(run("timeadd", vec![s("2017-11-22T00:00:00Z")]), Err(CallError::TooFew { missing: "duration", .. })));
    }

    #[test]
    fn timecmp() {
        let n = |a: &str, b: &str| run("timecmp", vec![s(a), s(b)]).unwrap().as_number().unwrap().to_i64().unwrap();
        assert_eq!(n("2017-11-22T01:00:00+01:00", "2017-11-22T00:00:00Z"), 0);
        assert_eq!(n("2017-11-22T00:00:00Z", "2017-11-21T00:00:00Z"), 1);
        assert_eq!(n("2017-11-22T00:00:00Z", "2017-11-22T00:00:00.001Z"), -1);
        assert_eq!(
            err("timecmp", "2017-11-22T00:00:00z", "2017-11-22T00:00:00Z"),
            FuncError::arg(0, format!("{P}: cannot use \"z\" as UTC offset"))
        );
        assert_eq!(
            err("timecmp", "2017", "2017-11-22T00:00:00Z"),
            FuncError::arg(0, format!("{P}: end of string where \"-\" is expected"))
        );
        assert_eq!(err("timecmp", "2017-11-22T00:00:00Z", "x"), FuncError::arg(1, format!("{P}: cannot use \"x\" as year")));
    }

    #[test]
    fn timestamps() {
        let t = run("timestamp", vec![]).unwrap();
        let t = t.as_str().unwrap();
        assert_eq!(t.len(), 20);
        assert!(parse_cty(t).is_ok());
        let planning = CallCtx { planning: true, ..CallCtx::default() };
        assert!(call(registry().get("timestamp").unwrap(), &planning, vec![]).unwrap().is_unknown());
        let p1 = call(registry().get("plantimestamp").unwrap(), &planning, vec![]).unwrap();
        assert!(!p1.is_unknown());
        let p2 = call(registry().get("plantimestamp").unwrap(), &CallCtx::default(), vec![]).unwrap();
        assert_eq!(p1.as_str(), p2.as_str());
    }
}
