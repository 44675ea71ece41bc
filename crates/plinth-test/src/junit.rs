//! `-junit-xml=FILE`: the results as Terraform 1.15 writes them — one
//! `testsuite` per file, one `testcase` per run, `failure` for failed
//! assertions, `error` for errors, `skipped` with the run that caused it.
//! Written by hand: the document is a few fixed elements, and escaping is
//! the only rule (CDATA sections split where the text holds `]]>`).

use std::fmt::Write;
use std::time::SystemTime;

use crate::{Status, Summary};

fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#xA;"),
            '\t' => out.push_str("&#x9;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

fn cdata(s: &str) -> String {
    let clean: String = s.chars().filter(|&c| c == '\n' || c == '\t' || (c as u32) >= 0x20).collect();
    format!("<![CDATA[{}]]>", clean.replace("]]>", "]]]]><![CDATA[>"))
}

pub fn render(s: &Summary) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><testsuites>\n");
    let now = timestamp(SystemTime::now(), false);
    for f in &s.files {
        let count = |st: Status| f.runs.iter().filter(|r| r.status == st).count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" skipped=\"{}\" failures=\"{}\" errors=\"{}\">",
            attr(&f.name),
            f.runs.len(),
            count(Status::Skip),
            count(Status::Fail),
            count(Status::Error)
        );
        for r in &f.runs {
            let (errors, warnings): (Vec<_>, Vec<_>) = r.diags.iter().partition(|d| d.is_error());
            let text =
                |ds: &[&plinth_syntax::Diagnostic]| -> String { ds.iter().map(|d| format!("\n{}", d.render(&s.files_db))).collect() };
            if r.status == Status::Skip {
                let _ = writeln!(x, "    <testcase name=\"{}\" classname=\"{}\">", attr(&r.name), attr(&f.name));
                match &r.skipped_by {
                    Some(by) => {
                        let _ = writeln!(
                            x,
                            "      <skipped message=\"Testcase skipped due to a previous testcase error\">{}</skipped>",
                            cdata(&format!(
                                "Previous testcase {by:?} ended in error, which caused the remaining tests in the file to be skipped"
                            ))
                        );
                    }
                    None => x.push_str("      <skipped></skipped>\n"),
                }
                x.push_str("    </testcase>\n");
                continue;
            }
            let _ = writeln!(
                x,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\" timestamp=\"{now}\">",
                attr(&r.name),
                attr(&f.name),
                r.elapsed.as_secs_f64()
            );
            match r.status {
                Status::Fail => {
                    let first = errors.iter().find(|d| d.summary == "Test assertion failed").map(|d| d.detail.clone()).unwrap_or_default();
                    let msg = if r.asserts.1 > 0 {
                        format!("{} of {} assertions failed: {first}", r.asserts.1, r.asserts.0)
                    } else {
                        errors.first().map(|d| d.summary.clone()).unwrap_or_default()
                    };
                    let _ = writeln!(x, "      <failure message=\"{}\">{}</failure>", attr(&msg), cdata(&text(&errors)));
                }
                Status::Error => {
                    let _ = writeln!(x, "      <error message=\"Encountered an error\">{}</error>", cdata(&text(&errors)));
                }
                _ => {}
            }
            if !warnings.is_empty() {
                let _ = writeln!(x, "      <system-err>{}</system-err>", cdata(&text(&warnings)));
            }
            x.push_str("    </testcase>\n");
        }
        if !f.diags.is_empty() {
            let all: Vec<&plinth_syntax::Diagnostic> = f.diags.iter().collect();
            let body: String = all.iter().map(|d| format!("\n{}", d.render(&s.files_db))).collect();
            let _ = writeln!(x, "    <system-err>{}</system-err>", cdata(&body));
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>");
    x
}

/// RFC 3339 UTC (`2026-12-06T22:38:43Z`; with microseconds when `fine`).
pub fn timestamp(t: SystemTime, fine: bool) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if month <= 2 { y + 1 } else { y };
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if fine {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:06}Z", d.subsec_micros())
    } else {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_596_723);
        assert_eq!(super::timestamp(t, false), "2026-12-06T22:38:43Z");
    }

    #[test]
    fn cdata_never_ends_early() {
        assert_eq!(super::cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
    }
}
