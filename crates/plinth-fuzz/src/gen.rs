//! Input generation: random expression trees from the grammar, and mutations
//! of seed expressions.

/// SplitMix64: small, fast, reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next_u64() % 1000 < per_mille
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

pub const BUILTIN_SEEDS: &[&str] = &[
    "range(1024)",
    "range(0, 1e300, 1e297)",
    "pow(10, 1e6)",
    "pow(2, 1e9)",
    "1e999999999",
    "-1e-999999999",
    "1e999999999 + 1",
    "tostring(1e99999999)",
    "format(\"%1000000000s\", \"x\")",
    "format(\"%.1000000000f\", 1)",
    "format(\"%[1000000000]s\", 1)",
    "cidrsubnets(\"10.0.0.0/8\", 24, 24, 24, 24)",
    "cidrsubnets(\"::/0\", 128, 128)",
    "cidrsubnet(\"::/0\", 128, 340282366920938463463374607431768211455)",
    "cidrhost(\"::/0\", 1e40)",
    "indent(1000000000, \"a\\nb\")",
    "substr(\"abc\", 1e300, -1e300)",
    "chunklist([1, 2], 1e300)",
    "element([1], 1e300)",
    "slice([1, 2], 0, 1e300)",
    "length(setproduct(range(1024), range(1024), range(1024)))",
    "parseint(\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\", 36)",
    "timeadd(\"2017-11-22T00:00:00Z\", \"9999999999999999999h\")",
    "formatdate(\"YYYYYYYYYYYYYYYYYYYYYYYY\", \"9999-12-31T23:59:59Z\")",
    "jsondecode(\"1e999999999\")",
    "yamldecode(\"1e999999999\")",
    "yamldecode(\"&a [*a, *a]\")",
    "log(1e-999999999, 10)",
    "ceil(1e999999999)",
    "floor(-1e999999999 / 3)",
    "1e999999999 % 7",
    "jsonencode(1e99999999)",
    "yamlencode(1e99999999)",
    "toset([1e400, 1e-400, [1e999]])",
    "\"${1e999999}\"",
    "regex(\"(a*)*b\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac\")",
    "regex(\"a{1000}{1000}\", \"a\")",
    "replace(\"aaaa\", \"/a{0,1000}{0,1000}/\", \"b\")",
    "length([for i in range(1024) : [for j in range(64) : i * j]])",
    "length(flatten([for i in range(256) : range(256)]))",
    "<<-EOT\n  %{ for x in [1, 2] ~}\n  ${x}\n  %{ endfor ~}\n  EOT",
    "\"%{ if true ~} a %{~ else } b %{ endif }\"",
    "local.servers[*].tags[*]",
    "{ for k, v in local.env_map : v => k... }",
    "templatestring(local.tmpl_for, { items = range(3) })",
    "try(local.maybe.x, can(var.region[0]))",
    "sensitive(local.servers)[0].name",
    "textdecodebase64(\"//79/w==\", \"UTF-16\")",
    "base64decode(\"////\")",
    "urlencode(\"\\U0010FFFF\")",
    "strrev(\"\\u0301\\u0301a\")",
    "title(\"ǆǆ\")",
];

const IDENTS: &[&str] = &["x", "k", "v", "a", "b", "local", "var", "each", "count", "path", "self", "null", "true", "for", "in"];

const LITERALS: &[&str] = &[
    "0",
    "1",
    "-1",
    "1.5",
    "1e21",
    "1e-7",
    "12345678901234567890",
    "1e300",
    "1e-300",
    "0.1",
    "-0",
    "2",
    "3",
    "10",
    "255",
    "\"\"",
    "\"a\"",
    "\"é\"",
    "\"a\\nb\"",
    "\"🤔\"",
    "\"1\"",
    "\"true\"",
    "\"10.0.0.0/8\"",
    "\"2017-11-22T00:00:00Z\"",
    "\"%s\"",
    "\"%d\"",
    "\"[a-z]+\"",
    "\"1h\"",
    "\"dns\"",
    "\"UTF-8\"",
    "\"a,b\\n1,2\"",
    "\"{}\"",
    "\"a: 1\"",
    "true",
    "false",
    "null",
    "local.servers",
    "local.env_map",
    "local.numbers",
    "local.maybe",
    "var.region",
    "var.counts",
    "local.tmpl_hello",
    "local.tmpl_for",
    "local.tmpl_if",
    "local.tmpl_bad",
    "x",
    "k",
    "v",
];

const BINOPS: &[&str] = &["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"];

/// Produces fuzz inputs.
pub struct Generator {
    rng: Rng,
    seeds: Vec<String>,
    funcs: Vec<&'static str>,
    /// Recently generated inputs that evaluated: reused as mutation bases.
    pool: Vec<String>,
}

impl Generator {
    pub fn new(seed: u64, seeds: Vec<String>) -> Generator {
        // bcrypt is slow by design (cost 16 takes seconds, 31 days), as in
        // Terraform; it would only trip the hang detector.
        let mut funcs: Vec<&'static str> = plinth_lang::functions::registry().names().filter(|n| *n != "bcrypt").collect();
        funcs.extend(["try", "can", "templatestring", "templatefile", "type", "core::upper", "nope"]);
        funcs.sort_unstable();
        Generator { rng: Rng::new(seed), seeds, funcs, pool: Vec::new() }
    }

    pub fn next_input(&mut self) -> String {
        let out = match self.rng.below(10) {
            0..=4 => self.expr(0),
            5..=7 if !self.seeds.is_empty() => {
                let s = self.rng.pick(&self.seeds).clone();
                self.mutate(s)
            }
            8 if !self.pool.is_empty() => {
                let s = self.rng.pick(&self.pool).clone();
                self.mutate(s)
            }
            _ => {
                // splice a generated subexpression into a seed
                let s = if self.seeds.is_empty() { self.expr(0) } else { self.rng.pick(&self.seeds).clone() };
                let sub = self.expr(2);
                self.splice(s, &sub)
            }
        };
        if self.pool.len() < 4096 {
            self.pool.push(out.clone());
        } else {
            let i = self.rng.below(self.pool.len());
            self.pool[i] = out.clone();
        }
        out
    }

    fn expr(&mut self, depth: usize) -> String {
        if depth > 5 || self.rng.chance(250) {
            return self.rng.pick(LITERALS).to_string();
        }
        match self.rng.below(16) {
            0 | 1 => {
                let f = *self.rng.pick(&self.funcs);
                let n = self.rng.below(4);
                let args: Vec<String> = (0..n).map(|_| self.expr(depth + 1)).collect();
                let expand = if n > 0 && self.rng.chance(100) { "..." } else { "" };
                format!("{f}({}{expand})", args.join(", "))
            }
            2 => {
                let op = *self.rng.pick(BINOPS);
                format!("{} {op} {}", self.expr(depth + 1), self.expr(depth + 1))
            }
            3 => format!("{}{}", self.rng.pick(&["-", "!", "(", "- -"]), self.paren(depth)),
            4 => {
                let n = self.rng.below(4);
                let items: Vec<String> = (0..n).map(|_| self.expr(depth + 1)).collect();
                format!("[{}]", items.join(", "))
            }
            5 => {
                let n = self.rng.below(4);
                let items: Vec<String> = (0..n)
                    .map(|_| {
                        let k = match self.rng.below(3) {
                            0 => self.rng.pick(IDENTS).to_string(),
                            1 => format!("\"{}\"", self.rng.pick(IDENTS)),
                            _ => format!("({})", self.expr(depth + 1)),
                        };
                        format!("{k} = {}", self.expr(depth + 1))
                    })
                    .collect();
                format!("{{ {} }}", items.join(", "))
            }
            6 => format!("{} ? {} : {}", self.expr(depth + 1), self.expr(depth + 1), self.expr(depth + 1)),
            7 => {
                let coll = self.expr(depth + 1);
                let cond = if self.rng.chance(400) { format!(" if {}", self.expr(depth + 1)) } else { String::new() };
                if self.rng.chance(500) {
                    format!("[for k, v in {coll} : {}{cond}]", self.expr(depth + 1))
                } else {
                    let group = if self.rng.chance(300) { "..." } else { "" };
                    format!("{{ for k, v in {coll} : {} => {}{group}{cond} }}", self.expr(depth + 1), self.expr(depth + 1))
                }
            }
            8 => {
                let tail = *self.rng.pick(&["[*]", "[*].a", ".*", "[*].name", "[0]", ".a", "[\"a\"]", "[*][0]", ".0", "[-1]", "[k]"]);
                format!("{}{tail}", self.paren(depth))
            }
            9 => format!("{}[{}]", self.paren(depth), self.expr(depth + 1)),
            10 | 11 => self.template(depth),
            12 => self.heredoc(depth),
            13 => format!("sensitive({})", self.expr(depth + 1)),
            14 => format!("{}({})", self.rng.pick(&["tolist", "toset", "tomap", "tostring", "tonumber", "tobool"]), self.expr(depth + 1)),
            _ => self.rng.pick(LITERALS).to_string(),
        }
    }

    fn paren(&mut self, depth: usize) -> String {
        let e = self.expr(depth + 1);
        if e.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '_') {
            e
        } else {
            format!("({e})")
        }
    }

    fn template_body(&mut self, depth: usize, heredoc: bool) -> String {
        let mut s = String::new();
        for _ in 0..self.rng.below(5) {
            let strip_l = if self.rng.chance(300) { "~" } else { "" };
            let strip_r = if self.rng.chance(300) { "~" } else { "" };
            match self.rng.below(7) {
                0 => s.push_str(self.rng.pick::<&str>(&["lit", " ", "é", "$$", "%%", "$${x}", "%%{x}", "$", "%", "\\\"", "a b"])),
                1 => s.push_str(if heredoc { "\n  " } else { "\\n" }),
                2 | 3 => s.push_str(&format!("${{{strip_l}{}{strip_r}}}", self.expr(depth + 1))),
                4 => {
                    let c = self.expr(depth + 1);
                    let t = self.template_body(depth + 2, heredoc);
                    let e = self.template_body(depth + 2, heredoc);
                    s.push_str(&format!("%{{{strip_l} if {c} {strip_r}}}{t}%{{ else }}{e}%{{{strip_l} endif {strip_r}}}"));
                }
                5 => {
                    let c = self.expr(depth + 1);
                    let t = self.template_body(depth + 2, heredoc);
                    s.push_str(&format!("%{{{strip_l} for k, v in {c} {strip_r}}}{t}%{{{strip_l} endfor {strip_r}}}"));
                }
                _ => s.push_str(self.rng.pick::<&str>(&["%{ endif }", "%{ else }", "${", "%{", "}", "%{ for }", "${}"])),
            }
        }
        s
    }

    fn template(&mut self, depth: usize) -> String {
        let body = self.template_body(depth, false).replace('\n', "\\n");
        format!("\"{body}\"")
    }

    fn heredoc(&mut self, depth: usize) -> String {
        let body = self.template_body(depth, true);
        let dash = if self.rng.chance(500) { "-" } else { "" };
        format!("<<{dash}EOT\n  {body}\n  EOT\n")
    }

    fn splice(&mut self, s: String, sub: &str) -> String {
        let bytes: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        if bytes.is_empty() {
            return sub.to_string();
        }
        let a = *self.rng.pick(&bytes);
        let b = *self.rng.pick(&bytes);
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        format!("{}{sub}{}", &s[..a], &s[b..])
    }

    fn mutate(&mut self, s: String) -> String {
        let mut s = s;
        for _ in 0..1 + self.rng.below(3) {
            s = self.mutate_once(s);
        }
        s
    }

    fn mutate_once(&mut self, s: String) -> String {
        let idx: Vec<usize> = s.char_indices().map(|(i, _)| i).chain(std::iter::once(s.len())).collect();
        let at = *self.rng.pick(&idx);
        match self.rng.below(9) {
            0 => {
                // delete a run of characters
                let end = idx.iter().copied().filter(|&i| i >= at).nth(1 + self.rng.below(4)).unwrap_or(s.len());
                format!("{}{}", &s[..at], &s[end..])
            }
            1 => {
                // insert a token
                let tok = *self.rng.pick(&[
                    "(",
                    ")",
                    "[",
                    "]",
                    "{",
                    "}",
                    "\"",
                    ",",
                    "...",
                    "?",
                    ":",
                    "=>",
                    "${",
                    "%{",
                    "~",
                    "*",
                    ".",
                    "!",
                    "-",
                    "<<EOT\n",
                    "\n",
                    "#",
                    "/*",
                    "1e999999999",
                    "null",
                    "sensitive(",
                    "[*]",
                    "\\",
                    "\\u",
                    "é",
                    "\u{0}",
                    "9999999999",
                ]);
                format!("{}{tok}{}", &s[..at], &s[at..])
            }
            2 => {
                // duplicate a slice
                let end = idx.iter().copied().filter(|&i| i >= at).nth(1 + self.rng.below(8)).unwrap_or(s.len());
                format!("{}{}{}", &s[..end], &s[at..end], &s[end..])
            }
            3 => {
                // replace a number with an extreme one
                let ext = *self.rng.pick(&[
                    "1e300",
                    "-1e300",
                    "1e-300",
                    "0",
                    "-0",
                    "1e999",
                    "4294967296",
                    "18446744073709551616",
                    "0.5",
                    "-1",
                    "1024",
                ]);
                match s.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect::<Vec<_>>() {
                    ds if !ds.is_empty() => {
                        let i = *self.rng.pick(&ds);
                        let end = s[i..].find(|c: char| !c.is_ascii_digit() && c != '.').map_or(s.len(), |e| i + e);
                        format!("{}{ext}{}", &s[..i], &s[end..])
                    }
                    _ => s,
                }
            }
            4 => {
                // swap a function name
                match s.find('(') {
                    Some(p) if p > 0 && s[..p].chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':') => {
                        let f = *self.rng.pick(&self.funcs);
                        format!("{f}{}", &s[p..])
                    }
                    _ => s,
                }
            }
            5 => {
                // wrap
                let w = *self.rng.pick(&[
                    "[{}]",
                    "sensitive({})",
                    "try({}, 1)",
                    "tolist([{}])",
                    "toset([{}])",
                    "\"${{{}}}\"",
                    "({})",
                    "[{}][0]",
                    "{{ a = {} }}.a",
                    "jsonencode({})",
                    "length({})",
                    "{}[*]",
                ]);
                w.replacen("{}", &s, 1)
            }
            6 => {
                // flip a byte to a random ASCII character (keeping UTF-8 valid)
                let c = (32 + self.rng.below(95)) as u8 as char;
                let end = idx.iter().copied().find(|&i| i > at).unwrap_or(s.len());
                format!("{}{c}{}", &s[..at], &s[end..])
            }
            7 => {
                // nest deeply
                let n = 1 + self.rng.below(200);
                let (o, c) = *self.rng.pick(&[("[", "]"), ("(", ")"), ("{a=", "}"), ("\"${", "}\""), ("-", ""), ("!", "")]);
                format!("{}{s}{}", o.repeat(n), c.repeat(n))
            }
            _ => {
                let sub = self.expr(3);
                self.splice(s, &sub)
            }
        }
    }
}
