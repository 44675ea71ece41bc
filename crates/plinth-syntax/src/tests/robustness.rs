use super::*;

/// Iterations per soup test; raise with PLINTH_FUZZ_ITERS for a longer run.
fn iters() -> usize {
    std::env::var("PLINTH_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000)
}

/// Tiny deterministic xorshift generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const TOKENS: &[&str] = &[
    "a", "b", "for", "in", "if", "endif", "else", "endfor", "true", "null", "1", "2.5e3", ".", ",", "=", ":", "::", "?", "=>", "...", "(",
    ")", "[", "]", "{", "}", "[*]", ".*", "+", "-", "*", "/", "%", "&&", "||", "!", "==", "<", ">=", "\"", "\\", "\\u", "${", "%{", "~",
    "}", "$${", " ", " ", "\n", "\n", "\t", "#", "//", "/*", "*/", "<<EOT\n", "<<-EOT\n", "EOT\n", "  EOT", "é", "😀", "'", ";", "&",
    "\r\n", "\"x\"", "f(", "0.", "resource", "\"l\"",
];

fn check_all(src: &str) {
    // Must not panic; every diagnostic subject must be on char boundaries.
    let (_, d1) = parse_file(F, src);
    let (_, d2) = parse_expr(F, src);
    let (_, d3) = parse_template(F, src);
    let (_, d4) = parse_json_file(F, src);
    for d in d1.iter().chain(&d2).chain(&d3).chain(&d4) {
        if let Some(s) = d.subject {
            assert!(s.start <= s.end && (s.end as usize) <= src.len(), "bad span {s:?} in {src:?}: {d:?}");
            assert!(src.is_char_boundary(s.start as usize) && src.is_char_boundary(s.end as usize), "{src:?} {d:?}");
        }
    }
}

#[test]
fn token_soup_never_panics() {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for _ in 0..iters() {
        let n = (rng.next() % 40) as usize;
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(rng.pick(TOKENS));
        }
        check_all(&s);
    }
}

#[test]
fn byte_soup_never_panics() {
    let mut rng = Rng(12345);
    let alphabet: Vec<char> = "ab01 \n\t\"\\${}%~[]().,*:=?<>!&|-+/#'é😀\r".chars().collect();
    for _ in 0..iters() {
        let n = (rng.next() % 30) as usize;
        let s: String = (0..n).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]).collect();
        check_all(&s);
    }
}

#[test]
fn json_soup_never_panics() {
    const J: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"a\"",
        "\"resource\"",
        "\"${x}\"",
        "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\q\"",
        "1",
        "-2.5e3",
        "01",
        "true",
        "nul",
        "null",
        " ",
        "\n",
        "\"",
        "\\",
        "é",
        "\"%{if a}\"",
        "\"${\"",
    ];
    let mut rng = Rng(777);
    for _ in 0..iters() {
        let n = (rng.next() % 30) as usize;
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(rng.pick(J));
        }
        check_all(&s);
        check_all(&format!("{{\"resource\": {{\"a\": {{\"b\": {s}}}}}}}"));
    }
}

#[test]
fn large_input_is_fast() {
    let block = "resource \"terraform_data\" \"x\" {\n  input = { a = [1, 2, \"${var.x}-${local.y[0]}\"], b = f(g(h(1))) }\n  count = var.n > 0 ? var.n * 2 : 0\n}\n";
    let src = block.repeat(5000);
    let t = std::time::Instant::now();
    let (b, d) = parse_file(F, &src);
    assert!(d.is_empty());
    assert_eq!(b.blocks.len(), 5000);
    assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
}

#[test]
fn deep_nesting_is_capped() {
    for open in ["(", "[", "{a=", "!", "-", "\"${", "f(", "a[", "[for x in ", "{for x in a : x => ", "%{if a}", "<<EOT\n${"] {
        let src = open.repeat(5000);
        check_all(&src);
        let (_, d) = parse_expr(F, &src);
        assert!(!d.is_empty());
    }
    let src = "<<EOT\n${".repeat(200) + "x" + &"}\nEOT\n".repeat(200);
    check_all(&src);
    let src = "b {\n".repeat(3000);
    check_all(&src);
    // long chains produce bounded tree height
    let src = "a".to_string() + &" + a".repeat(5000);
    check_all(&src);
    let src = "a".to_string() + &".b".repeat(5000);
    check_all(&src);
    // moderately deep nesting is fine
    let src = "(".repeat(100) + "1" + &")".repeat(100);
    ok(&src);
}

#[test]
fn conformance_corpus_parses() {
    let dir = std::path::Path::new("/work/shared/conformance/configs");
    if !dir.exists() {
        return;
    }
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "tf") {
                files.push(p);
            }
        }
    }
    assert!(!files.is_empty());
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        let (_, d) = parse_file(F, &src);
        if let Some(first) = d.first() {
            // Only intentionally broken cases may fail, with Terraform's summary.
            let expected = std::fs::read_to_string(f.parent().unwrap().join("expected.json")).unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(&expected).unwrap_or_default();
            assert_eq!(v["error_summary"].as_str(), Some(format!("Error: {}", first.summary).as_str()), "{}: {d:#?}", f.display());
        }
    }
    if let Ok(src) = std::fs::read_to_string("/work/shared/conformance/context.tf") {
        let (_, d) = parse_file(F, &src);
        assert!(d.is_empty(), "context.tf: {d:#?}");
    }
}

#[test]
fn conformance_expressions_parse() {
    let Ok(text) = std::fs::read_to_string("/work/shared/conformance/expressions.jsonl") else { return };
    // Parse errors Terraform reports for this corpus (everything else is an
    // evaluation-time error and must parse cleanly).
    let parse_errors = ["Unexpected endif directive", "Unclosed template interpolation sequence", "Invalid escape sequence"];
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let expr = v["expr"].as_str().unwrap();
        let summary = v["error_summary"].as_str().unwrap_or("").trim_start_matches("Error: ");
        let (_, d) = parse_expr(F, expr);
        if parse_errors.contains(&summary) {
            assert_eq!(d.first().map(|d| d.summary.as_str()), Some(summary), "{expr}");
        } else {
            assert!(d.is_empty(), "{}: {expr}: {d:#?}", v["id"]);
        }
        n += 1;
    }
    assert!(n > 100);
}

/// Every child expression's span lies within its parent's, and every span is
/// non-empty (except placeholders) and on char boundaries.
fn check_spans(src: &str, e: &Expr) {
    let (s, t) = (e.span.start as usize, e.span.end as usize);
    assert!(s < t && t <= src.len(), "bad span {s}..{t} for {:?} in {src:?}", e.kind);
    e.for_each_child(&mut |c| {
        assert!(c.span.start >= e.span.start && c.span.end <= e.span.end, "child {:?} outside parent {:?} in {src:?}", c.span, e.span);
        check_spans(src, c);
    });
}

fn check_body_spans(src: &str, b: &Body) {
    for a in &b.attributes {
        assert_eq!(&src[a.name.span.start as usize..a.name.span.end as usize], a.name.name);
        assert!(a.span.start <= a.expr.span.start && a.expr.span.end == a.span.end);
        check_spans(src, &a.expr);
    }
    for bl in &b.blocks {
        assert_eq!(&src[bl.kind.span.start as usize..bl.kind.span.end as usize], bl.kind.name);
        assert!(src[bl.span.start as usize..bl.span.end as usize].ends_with('}'));
        check_body_spans(src, &bl.body);
    }
}

#[test]
fn corpus_spans_are_nested() {
    if let Ok(text) = std::fs::read_to_string("/work/shared/conformance/expressions.jsonl") {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let expr = v["expr"].as_str().unwrap();
            let (e, d) = parse_expr(F, expr);
            if d.is_empty() {
                assert_eq!(e.span.start, 0);
                assert_eq!(e.span.end as usize, expr.trim_end().len(), "{expr}");
                check_spans(expr, &e);
            }
        }
    }
    for src in [
        "a[*].b[0].c",
        "a.*.b.c[1]",
        "-a.b",
        "f(x...)",
        "{a = 1, (b) = 2}",
        "[for x in y : x if x]",
        "\"a${b}%{if c}d%{endif}\"",
        "<<EOT\n${x}\nEOT",
    ] {
        check_spans(src, &ok(src));
    }
    let dir = std::path::Path::new("/work/shared/conformance/configs");
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for case in rd.flatten() {
        let p = case.path().join("main.tf");
        if let Ok(src) = std::fs::read_to_string(&p) {
            let (b, d) = parse_file(F, &src);
            if d.is_empty() {
                check_body_spans(&src, &b);
            }
        }
    }
}
