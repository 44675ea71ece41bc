//! Encoding functions: base64decode, base64encode, base64gzip, csvdecode,
//! jsondecode, jsonencode, textdecodebase64, textencodebase64, urlencode,
//! yamldecode, yamlencode.
//!
//! Also home to small Go-compatibility helpers shared with the other function
//! families (`go_quote`, Go's base64 decoder).

use std::collections::BTreeMap;

use base64::Engine as _;
use plinth_value::{value_to_json_string, Kind, Marks, Type, Value};

use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    let s = || Param::new("str", Type::String);
    r.add("base64decode", Function::new(vec![s().allow_marked()], fixed_type!(Type::String), base64decode));
    r.add("base64encode", Function::new(vec![s()], fixed_type!(Type::String), base64encode));
    r.add("base64gzip", Function::new(vec![s()], fixed_type!(Type::String), base64gzip));
    r.add("csvdecode", Function::new(vec![s()], csvdecode_type, csvdecode));
    r.add("jsondecode", Function::new(vec![s()], fixed_type!(Type::Dynamic), jsondecode));
    r.add("jsonencode", Function::new(vec![Param::new("val", Type::Dynamic).allow_null()], fixed_type!(Type::String), jsonencode));
    r.add(
        "textdecodebase64",
        Function::new(
            vec![Param::new("source", Type::String), Param::new("encoding", Type::String)],
            fixed_type!(Type::String),
            textdecodebase64,
        ),
    );
    r.add(
        "textencodebase64",
        Function::new(
            vec![Param::new("string", Type::String), Param::new("encoding", Type::String)],
            fixed_type!(Type::String),
            textencodebase64,
        ),
    );
    r.add("urlencode", Function::new(vec![s()], fixed_type!(Type::String), urlencode));
    r.add("yamldecode", Function::new(vec![Param::new("src", Type::String)], fixed_type!(Type::Dynamic), yamldecode));
    r.add("yamlencode", Function::new(vec![Param::new("value", Type::Dynamic).allow_null()], fixed_type!(Type::String), yamlencode));
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args[i].as_str().expect("converted to string")
}

// ---- Go compatibility helpers ------------------------------------------------

/// Go's `%q` (`strconv.Quote`) of a string: the one implementation, in
/// plinth-value.
pub(super) fn go_quote(s: &str) -> String {
    plinth_value::go_quote(s)
}

/// `(sensitive value)` when marked sensitive, else the Go-quoted string; as
/// Terraform's `redactIfSensitive`.
pub(super) fn redact(s: &str, marks: Marks) -> String {
    if marks.contains(Marks::SENSITIVE) {
        "(sensitive value)".into()
    } else {
        go_quote(s)
    }
}

/// Go's `base64.StdEncoding.DecodeString`: padding required, `\r` and `\n`
/// ignored, trailing bits not checked. The error is the byte offset Go's
/// `CorruptInputError` reports.
pub(super) fn go_base64_decode(src: &str) -> Result<Vec<u8>, usize> {
    fn val(c: u8) -> Option<u8> {
        match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let src = src.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    loop {
        let mut dbuf = [0u8; 4];
        let mut dlen = 4;
        let mut j = 0;
        let mut trailing_err = None;
        let mut end = false;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = val(c) {
                dbuf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != b'=' {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_err = Some(si);
            }
            dlen = j;
            end = true;
            break;
        }
        let v = (dbuf[0] as u32) << 18 | (dbuf[1] as u32) << 12 | (dbuf[2] as u32) << 6 | dbuf[3] as u32;
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..dlen - 1]);
        if let Some(e) = trailing_err {
            return Err(e);
        }
        if end {
            return Ok(out);
        }
    }
}

pub(super) fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

// ---- base64 ------------------------------------------------------------------

fn base64decode(_: &CallCtx, args: &[Value]) -> FuncResult {
    let (v, marks) = args[0].clone().unmark_deep();
    let s = v.as_str().expect("string");
    let decoded = go_base64_decode(s).map_err(|_| FuncError::call(format!("failed to decode base64 data {}", redact(s, marks))))?;
    let text = String::from_utf8(decoded).map_err(|_| FuncError::call("the result of decoding the provided string is not valid UTF-8"))?;
    Ok(Value::string(text).mark(marks))
}

fn base64encode(_: &CallCtx, args: &[Value]) -> FuncResult {
    Ok(Value::string(b64(str_arg(args, 0).as_bytes())))
}

fn base64gzip(_: &CallCtx, args: &[Value]) -> FuncResult {
    Ok(Value::string(b64(&gzip::gzip_go(str_arg(args, 0).as_bytes()))))
}

fn urlencode(_: &CallCtx, args: &[Value]) -> FuncResult {
    let mut out = String::new();
    for &b in str_arg(args, 0).as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::string(out))
}

// ---- text encodings ------------------------------------------------------------

#[derive(Clone, Copy)]
enum Codec {
    Utf8,
    Latin1,
    Ascii,
    Utf16 { big_endian: bool, bom: bool },
    Rs(&'static encoding_rs::Encoding),
}

/// IANA names and aliases (lower-cased) → (IANA name, codec), for the
/// encodings Terraform's `golang.org/x/text/encoding/ianaindex` supports.
fn iana_lookup(name: &str) -> Option<(&'static str, Codec)> {
    use encoding_rs as e;
    let n = name.to_ascii_lowercase();
    let table: &[(&[&str], &'static str, Codec)] = &[
        (&["utf-8", "csutf8"], "UTF-8", Codec::Utf8),
        (
            &["iso_8859-1:1987", "iso-ir-100", "iso_8859-1", "iso-8859-1", "latin1", "l1", "ibm819", "cp819", "csisolatin1"],
            "ISO_8859-1:1987",
            Codec::Latin1,
        ),
        (
            &[
                "us-ascii",
                "iso-ir-6",
                "ansi_x3.4-1968",
                "ansi_x3.4-1986",
                "iso_646.irv:1991",
                "iso646-us",
                "us",
                "ibm367",
                "cp367",
                "csascii",
            ],
            "US-ASCII",
            Codec::Ascii,
        ),
        (&["utf-16be", "csutf16be"], "UTF-16BE", Codec::Utf16 { big_endian: true, bom: false }),
        (&["utf-16le", "csutf16le"], "UTF-16LE", Codec::Utf16 { big_endian: false, bom: false }),
        (&["utf-16", "csutf16"], "UTF-16", Codec::Utf16 { big_endian: true, bom: true }),
        (&["shift_jis", "ms_kanji", "csshiftjis"], "Shift_JIS", Codec::Rs(e::SHIFT_JIS)),
        (&["windows-31j", "cswindows31j"], "Windows-31J", Codec::Rs(e::SHIFT_JIS)),
        (
            &["extended_unix_code_packed_format_for_japanese", "cseucpkdfmtjapanese", "euc-jp"],
            "Extended_UNIX_Code_Packed_Format_for_Japanese",
            Codec::Rs(e::EUC_JP),
        ),
        (&["iso-2022-jp", "csiso2022jp"], "ISO-2022-JP", Codec::Rs(e::ISO_2022_JP)),
        (&["euc-kr", "cseuckr"], "EUC-KR", Codec::Rs(e::EUC_KR)),
        (&["gbk", "cp936", "ms936", "windows-936", "csgbk"], "GBK", Codec::Rs(e::GBK)),
        (&["gb18030", "csgb18030"], "GB18030", Codec::Rs(e::GB18030)),
        (&["big5", "csbig5"], "Big5", Codec::Rs(e::BIG5)),
        (&["koi8-r", "cskoi8r"], "KOI8-R", Codec::Rs(e::KOI8_R)),
        (&["koi8-u", "cskoi8u"], "KOI8-U", Codec::Rs(e::KOI8_U)),
        (&["ibm866", "cp866", "866", "csibm866"], "IBM866", Codec::Rs(e::IBM866)),
        (&["macintosh", "mac", "csmacintosh"], "macintosh", Codec::Rs(e::MACINTOSH)),
        (&["windows-874", "cswindows874"], "windows-874", Codec::Rs(e::WINDOWS_874)),
        (&["windows-1250", "cswindows1250"], "windows-1250", Codec::Rs(e::WINDOWS_1250)),
        (&["windows-1251", "cswindows1251"], "windows-1251", Codec::Rs(e::WINDOWS_1251)),
        (&["windows-1252", "cswindows1252"], "windows-1252", Codec::Rs(e::WINDOWS_1252)),
        (&["windows-1253", "cswindows1253"], "windows-1253", Codec::Rs(e::WINDOWS_1253)),
        (&["windows-1254", "cswindows1254"], "windows-1254", Codec::Rs(e::WINDOWS_1254)),
        (&["windows-1255", "cswindows1255"], "windows-1255", Codec::Rs(e::WINDOWS_1255)),
        (&["windows-1256", "cswindows1256"], "windows-1256", Codec::Rs(e::WINDOWS_1256)),
        (&["windows-1257", "cswindows1257"], "windows-1257", Codec::Rs(e::WINDOWS_1257)),
        (&["windows-1258", "cswindows1258"], "windows-1258", Codec::Rs(e::WINDOWS_1258)),
        (
            &["iso_8859-2:1987", "iso-ir-101", "iso_8859-2", "iso-8859-2", "latin2", "l2", "csisolatin2"],
            "ISO_8859-2:1987",
            Codec::Rs(e::ISO_8859_2),
        ),
        (
            &["iso_8859-3:1988", "iso-ir-109", "iso_8859-3", "iso-8859-3", "latin3", "l3", "csisolatin3"],
            "ISO_8859-3:1988",
            Codec::Rs(e::ISO_8859_3),
        ),
        (
            &["iso_8859-4:1988", "iso-ir-110", "iso_8859-4", "iso-8859-4", "latin4", "l4", "csisolatin4"],
            "ISO_8859-4:1988",
            Codec::Rs(e::ISO_8859_4),
        ),
        (
            &["iso_8859-5:1988", "iso-ir-144", "iso_8859-5", "iso-8859-5", "cyrillic", "csisolatincyrillic"],
            "ISO_8859-5:1988",
            Codec::Rs(e::ISO_8859_5),
        ),
        (
            &["iso_8859-6:1987", "iso-ir-127", "iso_8859-6", "iso-8859-6", "ecma-114", "asmo-708", "arabic", "csisolatinarabic"],
            "ISO_8859-6:1987",
            Codec::Rs(e::ISO_8859_6),
        ),
        (
            &["iso_8859-7:1987", "iso-ir-126", "iso_8859-7", "iso-8859-7", "elot_928", "ecma-118", "greek", "greek8", "csisolatingreek"],
            "ISO_8859-7:1987",
            Codec::Rs(e::ISO_8859_7),
        ),
        (
            &["iso_8859-8:1988", "iso-ir-138", "iso_8859-8", "iso-8859-8", "hebrew", "csisolatinhebrew"],
            "ISO_8859-8:1988",
            Codec::Rs(e::ISO_8859_8),
        ),
        (&["iso-8859-10", "iso-ir-157", "l6", "iso_8859-10:1992", "csisolatin6", "latin6"], "ISO-8859-10", Codec::Rs(e::ISO_8859_10)),
        (&["iso-8859-13", "csiso885913"], "ISO-8859-13", Codec::Rs(e::ISO_8859_13)),
        (
            &["iso-8859-14", "iso-ir-199", "iso_8859-14:1998", "iso_8859-14", "latin8", "iso-celtic", "l8", "csiso885914"],
            "ISO-8859-14",
            Codec::Rs(e::ISO_8859_14),
        ),
        (&["iso-8859-15", "iso_8859-15", "latin-9", "csiso885915"], "ISO-8859-15", Codec::Rs(e::ISO_8859_15)),
        (
            &["iso-8859-16", "iso-ir-226", "iso_8859-16:2001", "iso_8859-16", "latin10", "l10", "csiso885916"],
            "ISO-8859-16",
            Codec::Rs(e::ISO_8859_16),
        ),
    ];
    table.iter().find(|(names, _, _)| names.contains(&n.as_str())).map(|(_, canon, c)| (*canon, *c))
}

fn unsupported_encoding(name: &str) -> FuncError {
    FuncError::arg(1, format!("{} is not a supported IANA encoding name or alias in this Terraform version", go_quote(name)))
}

fn encode_text(s: &str, codec: Codec) -> Option<Vec<u8>> {
    match codec {
        Codec::Utf8 => Some(s.as_bytes().to_vec()),
        Codec::Latin1 => s.chars().map(|c| u8::try_from(c as u32).ok()).collect(),
        Codec::Ascii => s.chars().map(|c| if c.is_ascii() { Some(c as u8) } else { None }).collect(),
        Codec::Utf16 { big_endian, bom } => {
            let mut out = Vec::new();
            let units = if bom { Some(0xfeffu16) } else { None }.into_iter().chain(s.encode_utf16());
            for u in units {
                out.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            Some(out)
        }
        Codec::Rs(enc) => {
            let (bytes, _, had_errors) = enc.encode(s);
            if had_errors {
                None
            } else {
                Some(bytes.into_owned())
            }
        }
    }
}

fn decode_text(b: &[u8], codec: Codec) -> String {
    match codec {
        Codec::Utf8 => String::from_utf8_lossy(b).into_owned(),
        Codec::Latin1 => b.iter().map(|&c| c as char).collect(),
        Codec::Ascii => b.iter().map(|&c| if c.is_ascii() { c as char } else { '\u{fffd}' }).collect(),
        Codec::Utf16 { big_endian, bom } => {
            let mut big_endian = big_endian;
            let mut b = b;
            if bom && b.len() >= 2 {
                match (b[0], b[1]) {
                    (0xfe, 0xff) => b = &b[2..],
                    (0xff, 0xfe) => {
                        big_endian = false;
                        b = &b[2..];
                    }
                    _ => {}
                }
            }
            let units: Vec<u16> = b
                .chunks(2)
                .map(|c| {
                    if c.len() == 2 {
                        if big_endian {
                            u16::from_be_bytes([c[0], c[1]])
                        } else {
                            u16::from_le_bytes([c[0], c[1]])
                        }
                    } else {
                        0xd800
                    }
                })
                .collect();
            char::decode_utf16(units).map(|r| r.unwrap_or('\u{fffd}')).collect()
        }
        Codec::Rs(enc) => enc.decode_without_bom_handling(b).0.into_owned(),
    }
}

fn textencodebase64(_: &CallCtx, args: &[Value]) -> FuncResult {
    let name = str_arg(args, 1);
    let (canon, codec) = iana_lookup(name).ok_or_else(|| unsupported_encoding(name))?;
    let bytes = encode_text(str_arg(args, 0), codec)
        .ok_or_else(|| FuncError::arg(0, format!("the given string contains characters that cannot be represented in {canon}")))?;
    Ok(Value::string(b64(&bytes)))
}

fn textdecodebase64(_: &CallCtx, args: &[Value]) -> FuncResult {
    let name = str_arg(args, 1);
    let (canon, codec) = iana_lookup(name).ok_or_else(|| unsupported_encoding(name))?;
    let bytes = go_base64_decode(str_arg(args, 0))
        .map_err(|off| FuncError::arg(0, format!("the given value is has an invalid base64 symbol at offset {off}")))?;
    let text = decode_text(&bytes, codec);
    if text.contains('\u{fffd}') {
        return Err(FuncError::arg(0, format!("the given string contains symbols that are not defined for {canon}")));
    }
    Ok(Value::string(text))
}

// ---- csvdecode -------------------------------------------------------------------

/// Go's `encoding/csv` reader with its default settings.
struct CsvReader<'a> {
    rest: &'a str,
    num_line: usize,
    fields_per_record: usize,
}

#[derive(Debug)]
enum CsvError {
    Eof,
    Parse { line: usize, msg: &'static str },
}

impl<'a> CsvReader<'a> {
    fn new(s: &'a str) -> CsvReader<'a> {
        CsvReader { rest: s, num_line: 0, fields_per_record: 0 }
    }

    /// One line with its newline normalised to `\n` (added when missing), or
    /// None at the end of input.
    fn read_line(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..=i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        self.num_line += 1;
        let mut line = line.to_string();
        if line.ends_with("\r\n") {
            line.truncate(line.len() - 2);
            line.push('\n');
        } else if !line.ends_with('\n') {
            line.push('\n');
        }
        Some(line)
    }

    fn read(&mut self) -> Result<Vec<String>, CsvError> {
        // Skip empty lines.
        let mut line = loop {
            match self.read_line() {
                None => return Err(CsvError::Eof),
                Some(l) if l == "\n" => continue,
                Some(l) => break l,
            }
        };
        let rec_line = self.num_line;
        let mut fields = Vec::new();
        let mut pos_line = self.num_line;
        'fields: loop {
            if !line.starts_with('"') {
                let (field, next) = match line.find(',') {
                    Some(i) => (&line[..i], Some(i)),
                    None => (&line[..line.len() - 1], None),
                };
                if field.contains('"') {
                    return Err(CsvError::Parse { line: self.num_line, msg: "bare \" in non-quoted-field" });
                }
                fields.push(field.to_string());
                match next {
                    Some(i) => {
                        line = line[i + 1..].to_string();
                        continue 'fields;
                    }
                    None => break 'fields,
                }
            }
            let mut field = String::new();
            let mut l = line[1..].to_string();
            loop {
                if let Some(i) = l.find('"') {
                    field.push_str(&l[..i]);
                    let after = &l[i + 1..];
                    if let Some(rest) = after.strip_prefix('"') {
                        field.push('"');
                        l = rest.to_string();
                    } else if let Some(rest) = after.strip_prefix(',') {
                        fields.push(field);
                        line = rest.to_string();
                        continue 'fields;
                    } else if after == "\n" {
                        fields.push(field);
                        break 'fields;
                    } else {
                        return Err(CsvError::Parse { line: self.num_line, msg: "extraneous or missing \" in quoted-field" });
                    }
                } else if !l.is_empty() {
                    field.push_str(&l);
                    l = match self.read_line() {
                        Some(next) => {
                            pos_line += 1;
                            next
                        }
                        None => String::new(),
                    };
                } else {
                    return Err(CsvError::Parse { line: pos_line, msg: "extraneous or missing \" in quoted-field" });
                }
            }
        }
        if self.fields_per_record > 0 && fields.len() != self.fields_per_record {
            return Err(CsvError::Parse { line: rec_line, msg: "wrong number of fields" });
        }
        Ok(fields)
    }
}

fn csv_error(e: CsvError) -> FuncError {
    match e {
        CsvError::Eof => FuncError::call("missing header line"),
        CsvError::Parse { line, msg } => FuncError::call(format!("CSV parse error on line {line}: {msg}")),
    }
}

fn csv_headers(s: &str) -> Result<(Vec<String>, CsvReader<'_>), FuncError> {
    let mut r = CsvReader::new(s);
    let headers = r.read().map_err(csv_error)?;
    let mut seen = std::collections::BTreeSet::new();
    for h in &headers {
        if !seen.insert(h.as_str()) {
            return Err(FuncError::call(format!("duplicate column name {}", go_quote(h))));
        }
    }
    r.fields_per_record = headers.len();
    Ok((headers, r))
}

fn csvdecode_type(args: &[Value]) -> Result<Type, FuncError> {
    match args[0].as_str() {
        Some(s) => {
            let (headers, _) = csv_headers(s)?;
            Ok(Type::list(Type::object(headers.into_iter().map(|h| (h, Type::String)).collect())))
        }
        None => Ok(Type::Dynamic),
    }
}

fn csvdecode(_: &CallCtx, args: &[Value]) -> FuncResult {
    let (headers, mut r) = csv_headers(str_arg(args, 0))?;
    let ety = Type::object(headers.iter().map(|h| (h.clone(), Type::String)).collect());
    let mut rows = Vec::new();
    loop {
        match r.read() {
            Ok(cols) => {
                let attrs: BTreeMap<String, Value> = headers.iter().cloned().zip(cols.into_iter().map(Value::string)).collect();
                rows.push(Value::object(attrs));
            }
            Err(CsvError::Eof) => break,
            Err(e) => return Err(csv_error(e)),
        }
    }
    Ok(Value::list(ety, rows))
}

// ---- JSON ------------------------------------------------------------------------

fn has_infinity(v: &Value) -> bool {
    plinth_value::deep(|| match &v.kind {
        Kind::Number(n) => n.is_infinite(),
        _ => {
            v.as_seq().map(|xs| xs.iter().any(has_infinity)).unwrap_or(false)
                || v.as_entries().map(|m| m.values().any(has_infinity)).unwrap_or(false)
        }
    })
}

fn jsonencode(_: &CallCtx, args: &[Value]) -> FuncResult {
    let v = &args[0];
    if v.is_null() {
        return Ok(Value::string("null"));
    }
    if has_infinity(v) {
        return Err(FuncError::call("cannot serialize infinity as JSON"));
    }
    Ok(Value::string(value_to_json_string(v)))
}

fn jsondecode(_: &CallCtx, args: &[Value]) -> FuncResult {
    go_json::decode(str_arg(args, 0)).map_err(FuncError::call)
}

/// A JSON reader that accepts and rejects exactly what go-cty's `jsondecode`
/// (Go's `encoding/json` Decoder token stream) does, with the same messages.
mod go_json {
    use std::collections::BTreeMap;

    use plinth_value::{Number, Value};

    #[derive(Clone, Copy, PartialEq)]
    enum State {
        TopValue,
        ArrayStart,
        ArrayValue,
        ArrayComma,
        ObjectStart,
        ObjectKey,
        ObjectColon,
        ObjectValue,
        ObjectComma,
    }

    enum Tok {
        Delim(u8),
        Str(String),
        Num(String),
        Bool(bool),
        Null,
    }

    struct Dec<'a> {
        b: &'a [u8],
        p: usize,
        state: State,
        stack: Vec<State>,
    }

    const EOF: &str = "EOF";
    const MAX_DEPTH: usize = 10_000;
    const UNEXPECTED_EOF: &str = "unexpected EOF";

    fn quote_char(c: u8) -> String {
        match c {
            b'\'' => "'\\''".into(),
            b'"' => "'\"'".into(),
            _ => {
                let q = super::go_quote(&char::from(c).to_string());
                format!("'{}'", &q[1..q.len() - 1])
            }
        }
    }

    fn is_space(c: u8) -> bool {
        matches!(c, b' ' | b'\t' | b'\r' | b'\n')
    }

    impl<'a> Dec<'a> {
        fn peek(&mut self) -> Option<u8> {
            while self.p < self.b.len() && is_space(self.b[self.p]) {
                self.p += 1;
            }
            self.b.get(self.p).copied()
        }

        fn value_allowed(&self) -> bool {
            matches!(self.state, State::TopValue | State::ArrayStart | State::ArrayValue | State::ObjectValue)
        }

        fn value_end(&mut self) {
            match self.state {
                State::ArrayStart | State::ArrayValue => self.state = State::ArrayComma,
                State::ObjectValue => self.state = State::ObjectComma,
                _ => {}
            }
        }

        fn token_error(&self, c: u8) -> String {
            let context = match self.state {
                State::TopValue | State::ArrayStart | State::ArrayValue | State::ObjectValue => " looking for beginning of value",
                State::ArrayComma => " after array element",
                State::ObjectStart | State::ObjectKey => " looking for beginning of object key string",
                State::ObjectColon => " after object key",
                State::ObjectComma => " after object key:value pair",
            };
            format!("invalid character {}{}", quote_char(c), context)
        }

        fn token(&mut self) -> Result<Tok, String> {
            loop {
                let c = self.peek().ok_or(EOF)?;
                match c {
                    b'[' | b'{' => {
                        if !self.value_allowed() {
                            return Err(self.token_error(c));
                        }
                        // Go's encoding/json stops at 10,000 levels (jsondecode
                        // reads 10,001); deeper input is an error, not a deeper
                        // recursion here.
                        if self.stack.len() > MAX_DEPTH {
                            let inner = match self.state {
                                State::ObjectStart | State::ObjectKey | State::ObjectColon | State::ObjectValue | State::ObjectComma => {
                                    "object"
                                }
                                _ => "tuple",
                            };
                            return Err(format!("failed to read {inner} value: invalid character {} exceeded max depth", quote_char(c)));
                        }
                        self.p += 1;
                        self.stack.push(self.state);
                        self.state = if c == b'[' { State::ArrayStart } else { State::ObjectStart };
                        return Ok(Tok::Delim(c));
                    }
                    b']' | b'}' => {
                        let ok = if c == b']' {
                            matches!(self.state, State::ArrayStart | State::ArrayComma)
                        } else {
                            matches!(self.state, State::ObjectStart | State::ObjectComma)
                        };
                        if !ok {
                            return Err(self.token_error(c));
                        }
                        self.p += 1;
                        self.state = self.stack.pop().unwrap_or(State::TopValue);
                        self.value_end();
                        return Ok(Tok::Delim(c));
                    }
                    b':' => {
                        if self.state != State::ObjectColon {
                            return Err(self.token_error(c));
                        }
                        self.p += 1;
                        self.state = State::ObjectValue;
                    }
                    b',' => {
                        if self.state == State::ArrayComma {
                            self.p += 1;
                            self.state = State::ArrayValue;
                        } else if self.state == State::ObjectComma {
                            self.p += 1;
                            self.state = State::ObjectKey;
                        } else {
                            return Err(self.token_error(c));
                        }
                    }
                    b'"' if matches!(self.state, State::ObjectStart | State::ObjectKey) => {
                        let s = self.scalar()?;
                        self.state = State::ObjectColon;
                        return Ok(s);
                    }
                    _ => {
                        if !self.value_allowed() {
                            return Err(self.token_error(c));
                        }
                        let t = self.scalar()?;
                        self.value_end();
                        return Ok(t);
                    }
                }
            }
        }

        fn bad(&self, c: u8, context: &str) -> String {
            format!("invalid character {} {}", quote_char(c), context)
        }

        /// Scans one scalar value starting at `self.p` (Go's scanner).
        fn scalar(&mut self) -> Result<Tok, String> {
            let b = self.b;
            let start = self.p;
            let c = b[start];
            match c {
                b'"' => {
                    let mut i = start + 1;
                    let mut out = String::new();
                    loop {
                        let Some(&c) = b.get(i) else { return Err(UNEXPECTED_EOF.into()) };
                        match c {
                            b'"' => {
                                self.p = i + 1;
                                return Ok(Tok::Str(out));
                            }
                            b'\\' => {
                                let Some(&e) = b.get(i + 1) else { return Err(UNEXPECTED_EOF.into()) };
                                i += 2;
                                match e {
                                    b'"' => out.push('"'),
                                    b'\\' => out.push('\\'),
                                    b'/' => out.push('/'),
                                    b'b' => out.push('\u{8}'),
                                    b'f' => out.push('\u{c}'),
                                    b'n' => out.push('\n'),
                                    b'r' => out.push('\r'),
                                    b't' => out.push('\t'),
                                    b'u' => {
                                        let mut unit = self.hex4(i)?;
                                        i += 4;
                                        let ch = if (0xd800..0xdc00).contains(&unit) {
                                            // A high surrogate: combine with a following low one if present.
                                            if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') {
                                                let low = self.hex4(i + 2)?;
                                                if (0xdc00..0xe000).contains(&low) {
                                                    i += 6;
                                                    unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                                                    char::from_u32(unit)
                                                } else {
                                                    None
                                                }
                                            } else {
                                                None
                                            }
                                        } else {
                                            char::from_u32(unit)
                                        };
                                        out.push(ch.unwrap_or('\u{fffd}'));
                                    }
                                    _ => return Err(self.bad(e, "in string escape code")),
                                }
                            }
                            c if c < 0x20 => return Err(self.bad(c, "in string literal")),
                            _ => {
                                // Copy one UTF-8 sequence.
                                let len = match c {
                                    0x00..=0x7f => 1,
                                    0xc0..=0xdf => 2,
                                    0xe0..=0xef => 3,
                                    _ => 4,
                                };
                                out.push_str(std::str::from_utf8(&b[i..i + len]).unwrap_or("\u{fffd}"));
                                i += len;
                            }
                        }
                    }
                }
                b't' | b'f' | b'n' => {
                    let word: &[u8] = match c {
                        b't' => b"true",
                        b'f' => b"false",
                        _ => b"null",
                    };
                    for (k, &want) in word.iter().enumerate().skip(1) {
                        match b.get(start + k) {
                            None => return Err(UNEXPECTED_EOF.into()),
                            Some(&got) if got != want => {
                                let lit = std::str::from_utf8(word).unwrap();
                                return Err(self.bad(got, &format!("in literal {lit} (expecting {})", quote_char(want))));
                            }
                            _ => {}
                        }
                    }
                    self.p = start + word.len();
                    Ok(match c {
                        b't' => Tok::Bool(true),
                        b'f' => Tok::Bool(false),
                        _ => Tok::Null,
                    })
                }
                b'-' | b'0'..=b'9' => {
                    let mut i = start;
                    if b[i] == b'-' {
                        i += 1;
                        match b.get(i) {
                            None => return Err(UNEXPECTED_EOF.into()),
                            Some(d) if d.is_ascii_digit() => {}
                            Some(&d) => return Err(self.bad(d, "in numeric literal")),
                        }
                    }
                    if b[i] == b'0' {
                        i += 1;
                    } else {
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                    if b.get(i) == Some(&b'.') {
                        i += 1;
                        match b.get(i) {
                            None => return Err(UNEXPECTED_EOF.into()),
                            Some(d) if d.is_ascii_digit() => {}
                            Some(&d) => return Err(self.bad(d, "after decimal point in numeric literal")),
                        }
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                    if matches!(b.get(i), Some(b'e') | Some(b'E')) {
                        i += 1;
                        if matches!(b.get(i), Some(b'+') | Some(b'-')) {
                            i += 1;
                        }
                        match b.get(i) {
                            None => return Err(UNEXPECTED_EOF.into()),
                            Some(d) if d.is_ascii_digit() => {}
                            Some(&d) => return Err(self.bad(d, "in exponent of numeric literal")),
                        }
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                    self.p = i;
                    Ok(Tok::Num(String::from_utf8_lossy(&b[start..i]).into_owned()))
                }
                _ => Err(self.bad(c, "looking for beginning of value")),
            }
        }

        fn hex4(&self, i: usize) -> Result<u32, String> {
            let mut v = 0u32;
            for k in 0..4 {
                let Some(&c) = self.b.get(i + k) else { return Err(UNEXPECTED_EOF.into()) };
                let d = (c as char).to_digit(16).ok_or_else(|| self.bad(c, "in \\u hexadecimal character escape"))?;
                v = v * 16 + d;
            }
            Ok(v)
        }

        fn value_for(&mut self, tok: Tok) -> Result<Value, String> {
            plinth_value::deep(|| self.value_for_inner(tok))
        }

        fn value_for_inner(&mut self, tok: Tok) -> Result<Value, String> {
            Ok(match tok {
                Tok::Null => Value::dynamic_null(),
                Tok::Bool(b) => Value::bool(b),
                Tok::Str(s) => Value::string(s),
                Tok::Num(n) => Value::number(Number::parse(&n).ok_or_else(|| format!("invalid number {n}"))?),
                Tok::Delim(b'[') => {
                    let mut items = Vec::new();
                    loop {
                        match self.token()? {
                            Tok::Delim(b']') => break,
                            t => items.push(self.value_for(t)?),
                        }
                    }
                    Value::tuple(items)
                }
                Tok::Delim(b'{') => {
                    let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
                    loop {
                        let key = match self.token()? {
                            Tok::Delim(_) => break,
                            Tok::Str(s) => s,
                            _ => unreachable!("the tokenizer only yields strings as keys"),
                        };
                        let t = self.token()?;
                        let v = self.value_for(t)?;
                        if let Some(existing) = attrs.get(&key) {
                            if existing.ty() != v.ty() {
                                return Err(format!("duplicate {} property in JSON object", super::go_quote(&key)));
                            }
                        }
                        attrs.insert(key, v);
                    }
                    Value::object(attrs)
                }
                Tok::Delim(d) => return Err(format!("unexpected token {}", quote_char(d))),
            })
        }
    }

    pub(super) fn decode(src: &str) -> Result<Value, String> {
        let mut d = Dec { b: src.as_bytes(), p: 0, state: State::TopValue, stack: Vec::new() };
        let t = d.token()?;
        let v = d.value_for(t)?;
        match d.peek() {
            None | Some(b']') | Some(b'}') => Ok(v),
            Some(_) => Err("extraneous data after JSON object".into()),
        }
    }
}

// ---- YAML --------------------------------------------------------------------------

fn yamldecode(_: &CallCtx, args: &[Value]) -> FuncResult {
    let src = str_arg(args, 0);
    // go-yaml accepts only `%YAML 1.1` directives.
    if let Some(first) = src.lines().next() {
        if let Some(version) = first.strip_prefix("%YAML") {
            if version.split_whitespace().next() != Some("1.1") {
                return Err(FuncError::call("found incompatible YAML document"));
            }
        }
    }
    yaml::decode(src).map_err(FuncError::call)
}

fn yamlencode(_: &CallCtx, args: &[Value]) -> FuncResult {
    yaml::encode(&args[0]).map(Value::string).map_err(FuncError::call)
}

/// YAML, as go-cty-yaml (a libyaml port) reads and writes it.
mod yaml {
    use std::collections::{BTreeMap, HashMap};

    use plinth_value::{Kind, Number, Value};
    use yaml_rust2::parser::{Event, Parser, Tag};
    use yaml_rust2::scanner::{Marker, TScalarStyle};

    use super::{go_base64_decode, go_quote};

    // ---- decoding ----------------------------------------------------------------

    const TAG_PREFIX: &str = "tag:yaml.org,2002:";

    struct Decoder<'a> {
        parser: Parser<std::str::Chars<'a>>,
        pending: HashMap<usize, usize>,
        anchors: HashMap<usize, Value>,
        /// Values the document stands for with every alias expanded, so far,
        /// and per anchor (where its definition started counting, then its
        /// size).
        expanded: u64,
        anchor_start: HashMap<usize, u64>,
        anchor_size: HashMap<usize, u64>,
    }

    /// The most values a document may expand to through aliases. An alias
    /// costs nothing to decode (values are shared), but everything after —
    /// types, conversion, rendering, state — walks the expansion: nine
    /// levels of nine aliases ("billion laughs") are 387 million values.
    /// go-cty-yaml (yaml.v2) has no bound, and Terraform 1.15 takes minutes
    /// and 16 GB on that document; yaml.v3 refuses "excessive aliasing", and
    /// so does plinth, past this many values.
    const MAX_EXPANDED: u64 = 10_000_000;

    /// go-cty-yaml's position prefix: the event's zero-based line (none on the
    /// first line) and one-based column.
    fn at(mark: &Marker, msg: String) -> String {
        let line = mark.line().saturating_sub(1);
        if line == 0 {
            msg
        } else {
            format!("on line {line}, column {}: {msg}", mark.col() + 1)
        }
    }

    impl<'a> Decoder<'a> {
        fn next(&mut self) -> Result<(Event, Marker), String> {
            self.parser.next_token().map_err(|e| {
                let m = e.marker();
                format!("on line {}, column {}: {}", m.line(), m.col() + 1, e.info())
            })
        }

        fn parse_value(&mut self) -> Result<Value, String> {
            let (ev, mark) = self.next()?;
            self.value_from(ev, mark)
        }

        fn value_from(&mut self, ev: Event, mark: Marker) -> Result<Value, String> {
            plinth_value::deep(|| match ev {
                Event::Scalar(src, style, anchor, tag) => {
                    self.begin(anchor);
                    if anchor > 0 {
                        *self.pending.entry(anchor).or_default() += 1;
                    }
                    let v = resolve_scalar(&tag_string(&tag), &src, style).map_err(|e| at(&mark, e))?;
                    self.complete(anchor, &v);
                    Ok(v)
                }
                Event::Alias(id) => {
                    if self.pending.contains_key(&id) {
                        return Err(at(&mark, "cannot refer to anchor from inside its own definition".into()));
                    }
                    self.expanded += self.anchor_size.get(&id).copied().unwrap_or(1);
                    if self.expanded > MAX_EXPANDED {
                        return Err(at(
                            &mark,
                            format!("document contains excessive aliasing (it expands to more than {MAX_EXPANDED} values)"),
                        ));
                    }
                    self.anchors.get(&id).cloned().ok_or_else(|| at(&mark, "reference to undefined anchor".into()))
                }
                Event::SequenceStart(anchor, tag) => {
                    let tag = tag_string(&tag);
                    if !tag.is_empty() && tag != format!("{TAG_PREFIX}seq") {
                        return Err(at(&mark, format!("can't interpret sequence as {tag}")));
                    }
                    self.begin(anchor);
                    if anchor > 0 {
                        *self.pending.entry(anchor).or_default() += 1;
                    }
                    let mut items = Vec::new();
                    loop {
                        let (ev, m) = self.next()?;
                        if matches!(ev, Event::SequenceEnd) {
                            break;
                        }
                        items.push(self.value_from(ev, m)?);
                    }
                    let v = Value::tuple(items);
                    self.complete(anchor, &v);
                    Ok(v)
                }
                Event::MappingStart(anchor, tag) => {
                    let tag = tag_string(&tag);
                    if !tag.is_empty() && tag != format!("{TAG_PREFIX}map") {
                        return Err(at(&mark, format!("can't interpret mapping as {tag}")));
                    }
                    self.begin(anchor);
                    if anchor > 0 {
                        *self.pending.entry(anchor).or_default() += 1;
                    }
                    let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
                    loop {
                        let (ev, m) = self.next()?;
                        match ev {
                            Event::MappingEnd => break,
                            Event::Scalar(ref src, style, _, ref tag)
                                if (tag.is_none() && src == "<<" && style == TScalarStyle::Plain)
                                    || tag_string(tag) == format!("{TAG_PREFIX}merge") =>
                            {
                                let merged = self.parse_value()?;
                                merge_into(&mut attrs, &merged).map_err(|e| at(&m, e))?;
                            }
                            Event::Scalar(src, style, _, tag) => {
                                let key = resolve_scalar(&tag_string(&tag), &src, style)?;
                                let key = match &key.kind {
                                    Kind::String(s) => s.to_string(),
                                    Kind::Bool(b) => b.to_string(),
                                    Kind::Number(n) => n.to_string(),
                                    Kind::Null(_) => return Err(at(&m, "mapping key cannot be null".into())),
                                    _ => return Err(at(&m, "only strings are allowed as mapping keys".into())),
                                };
                                let v = self.parse_value()?;
                                attrs.insert(key, v);
                            }
                            _ => return Err(at(&m, "only strings are allowed as mapping keys".into())),
                        }
                    }
                    let v = Value::object(attrs);
                    self.complete(anchor, &v);
                    Ok(v)
                }
                Event::DocumentStart => Err(at(&mark, "only a single document is allowed".into())),
                Event::StreamEnd => Err(at(&mark, "expecting value but found end of stream".into())),
                Event::MappingEnd => Err(at(&mark, "expecting value but found end of mapping".into())),
                Event::SequenceEnd => Err(at(&mark, "expecting value but found end of sequence".into())),
                other => Err(at(&mark, format!("unexpected parser event {other:?}"))),
            })
        }

        /// A value starts: one more in the expansion; an anchored one
        /// starts counting its own size.
        fn begin(&mut self, anchor: usize) {
            if anchor > 0 {
                self.anchor_start.insert(anchor, self.expanded);
            }
            self.expanded += 1;
        }

        fn complete(&mut self, anchor: usize, v: &Value) {
            if anchor == 0 {
                return;
            }
            if let Some(start) = self.anchor_start.remove(&anchor) {
                self.anchor_size.insert(anchor, self.expanded - start);
            }
            if let Some(n) = self.pending.get_mut(&anchor) {
                *n -= 1;
                if *n == 0 {
                    self.pending.remove(&anchor);
                }
            }
            self.anchors.insert(anchor, v.clone());
        }
    }

    fn merge_into(attrs: &mut BTreeMap<String, Value>, merged: &Value) -> Result<(), String> {
        match &merged.kind {
            Kind::Object(m) | Kind::Map(_, m) => {
                for (k, v) in m.iter() {
                    attrs.insert(k.clone(), v.clone());
                }
                Ok(())
            }
            Kind::Tuple(xs) | Kind::List(_, xs) => {
                for x in xs.iter() {
                    match x.as_entries() {
                        Some(m) => {
                            for (k, v) in m {
                                attrs.insert(k.clone(), v.clone());
                            }
                        }
                        None => return Err(format!("cannot merge {} (from sequence) into mapping", x.ty().friendly_name())),
                    }
                }
                Ok(())
            }
            _ => Err(format!("cannot merge {} into mapping", merged.ty().friendly_name())),
        }
    }

    fn tag_string(tag: &Option<Tag>) -> String {
        match tag {
            None => String::new(),
            Some(t) if t.handle.is_empty() && t.suffix == "!" => String::new(),
            Some(t) => format!("{}{}", t.handle, t.suffix),
        }
    }

    fn resolve_special(src: &str) -> Option<Value> {
        Some(match src {
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Value::bool(true),
            "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Value::bool(false),
            "" | "~" | "null" | "Null" | "NULL" => Value::dynamic_null(),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::number(Number::infinity(false)),
            "-.inf" | "-.Inf" | "-.INF" => Value::number(Number::infinity(true)),
            _ => return None,
        })
    }

    fn is_int_literal(s: &str) -> bool {
        let b = s.as_bytes();
        let digits = |x: &[u8], f: fn(&u8) -> bool| !x.is_empty() && x.iter().all(f);
        let unsigned = b.strip_prefix(b"+").or_else(|| b.strip_prefix(b"-")).unwrap_or(b);
        digits(unsigned, u8::is_ascii_digit)
            || b.strip_prefix(b"0o").is_some_and(|r| digits(r, |c| (b'0'..=b'7').contains(c)))
            || b.strip_prefix(b"0x").is_some_and(|r| digits(r, u8::is_ascii_hexdigit))
    }

    fn is_float_literal(s: &str) -> bool {
        let b = s.as_bytes();
        let mut i = 0;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = i - int_start;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let fs = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if int_digits == 0 && i == fs {
                return false;
            }
        } else if int_digits == 0 {
            return false;
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            let es = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == es {
                return false;
            }
        }
        i == b.len()
    }

    /// go-cty-yaml's `resolveScalar`.
    fn resolve_scalar(tag: &str, src: &str, style: TScalarStyle) -> Result<Value, String> {
        let short = tag.strip_prefix(TAG_PREFIX);
        let resolvable = tag.is_empty() || matches!(short, Some("str" | "bool" | "int" | "float" | "null" | "timestamp" | "binary"));
        if !resolvable {
            return Err(format!("unsupported tag {}", go_quote(tag)));
        }
        let hint = match src.as_bytes().first() {
            None => b'N',
            Some(b'+' | b'-') => b'S',
            Some(b'0'..=b'9') => b'D',
            Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
            Some(b'.') => b'.',
            Some(_) => 0,
        };
        let mut tag = short.unwrap_or("").to_string();
        if hint != 0 && tag != "str" && tag != "binary" {
            if matches!(style, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted) {
                return Ok(Value::string(src));
            }
            if let Some(v) = resolve_special(src) {
                return Ok(v);
            }
            if tag.is_empty() && matches!(src, ".nan" | ".NaN" | ".NAN") {
                return Err("floating point NaN is not supported".into());
            }
            match hint {
                b'.' => {
                    if let Some(n) = parse_cty_number(src) {
                        return Ok(Value::number(n));
                    }
                }
                b'D' | b'S' => {
                    if tag.is_empty() || tag == "timestamp" {
                        if let Some(t) = parse_yaml_timestamp(src) {
                            return Ok(Value::string(t));
                        }
                    }
                    if is_int_literal(src) {
                        tag = "int".into();
                    } else if is_float_literal(src) {
                        tag = "float".into();
                    }
                }
                _ => {}
            }
        }
        let full = || format!("{TAG_PREFIX}{tag}");
        match tag.as_str() {
            "str" | "" => Ok(Value::string(src)),
            "binary" => match go_base64_decode(src) {
                Ok(_) => Ok(Value::string(src)),
                Err(_) => Err(format!("cannot parse {} as {}: not valid base64", go_quote(src), full())),
            },
            "bool" => match resolve_special(src) {
                Some(v) if v.as_bool().is_some() => Ok(v),
                _ => Err(format!("cannot parse {} as {}", go_quote(src), full())),
            },
            "int" | "float" => {
                let plain = src.replace('_', "");
                if let Some(n) = parse_cty_number(&plain) {
                    return Ok(Value::number(n));
                }
                if let Some(n) = parse_go_int(&plain) {
                    return Ok(Value::number(n));
                }
                Err(format!("cannot parse {} as {}", go_quote(src), full()))
            }
            "timestamp" => {
                parse_yaml_timestamp(src).map(Value::string).ok_or_else(|| format!("cannot parse {} as {}", go_quote(src), full()))
            }
            "null" => Ok(Value::dynamic_null()),
            _ => Err(format!("unsupported tag {}", go_quote(&full()))),
        }
    }

    /// `cty.ParseNumberVal`: a decimal number (Go's `big.ParseFloat`, base 10).
    fn parse_cty_number(s: &str) -> Option<Number> {
        let b = s.as_bytes();
        let body = b.strip_prefix(b"+").or_else(|| b.strip_prefix(b"-")).unwrap_or(b);
        let ok = !body.is_empty()
            && body.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
            && body[0] != b'e'
            && body[0] != b'E';
        if !ok || !is_float_literal(s) && !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Number::parse(s)
    }

    /// `strconv.ParseInt(s, 0, 64)` then `ParseUint`: `0x`, `0o`, `0b` and
    /// leading-zero octal forms.
    fn parse_go_int(s: &str) -> Option<Number> {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let lower = body.to_ascii_lowercase();
        let (radix, digits) = if let Some(r) = lower.strip_prefix("0x") {
            (16, r)
        } else if let Some(r) = lower.strip_prefix("0o") {
            (8, r)
        } else if let Some(r) = lower.strip_prefix("0b") {
            (2, r)
        } else if lower.len() > 1 && lower.starts_with('0') {
            (8, &lower[1..])
        } else {
            (10, lower.as_str())
        };
        let digits = digits.strip_prefix('_').unwrap_or(digits);
        let v = u64::from_str_radix(digits, radix).ok()?;
        if neg {
            if v > 1u64 << 63 {
                return None;
            }
            Some(Number::from_i64((v as i64).wrapping_neg()))
        } else {
            Some(Number::from_u64(v))
        }
    }

    /// go-cty-yaml's `parseTimestamp`: the YAML timestamp forms, formatted as RFC 3339.
    fn parse_yaml_timestamp(s: &str) -> Option<String> {
        let b = s.as_bytes();
        let i = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if i != 4 || i == b.len() || b[i] != b'-' {
            return None;
        }
        let year: i64 = s[..4].parse().ok()?;
        let mut rest = &s[5..];
        fn num(s: &str, max_digits: usize) -> Option<(i64, &str)> {
            let n = s.bytes().take(max_digits).take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            Some((s[..n].parse().ok()?, &s[n..]))
        }
        let (month, r) = num(rest, 2)?;
        rest = r.strip_prefix('-')?;
        let (day, r) = num(rest, 2)?;
        rest = r;
        if !(1..=12).contains(&month) {
            return None;
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let dim = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day < 1 || day > dim {
            return None;
        }
        let (mut h, mut mi, mut sec, mut off) = (0, 0, 0, 0i64);
        if !rest.is_empty() {
            let needs_zone = rest.starts_with('T') || rest.starts_with('t');
            if !needs_zone && !rest.starts_with(' ') {
                return None;
            }
            rest = &rest[1..];
            let (x, r) = num(rest, 2)?;
            h = x;
            let (x, r) = num(r.strip_prefix(':')?, 2)?;
            mi = x;
            let (x, r) = num(r.strip_prefix(':')?, 2)?;
            sec = x;
            rest = r;
            if h >= 24 || mi >= 60 || sec >= 60 {
                return None;
            }
            if let Some(r) = rest.strip_prefix('.') {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 {
                    return None;
                }
                rest = &r[n..];
            }
            if needs_zone {
                if rest == "Z" {
                    rest = "";
                } else {
                    let rb = rest.as_bytes();
                    if rb.len() != 6 || rb[3] != b':' || !(rb[0] == b'+' || rb[0] == b'-') {
                        return None;
                    }
                    let hh: i64 = rest[1..3].parse().ok()?;
                    let mm: i64 = rest[4..6].parse().ok()?;
                    if hh > 24 || mm > 60 {
                        return None;
                    }
                    off = (hh * 60 + mm) * 60 * if rb[0] == b'-' { -1 } else { 1 };
                    rest = "";
                }
            }
            if !rest.is_empty() {
                return None;
            }
        }
        let zone = if off == 0 {
            "Z".to_string()
        } else {
            let a = off.abs() / 60;
            format!("{}{:02}:{:02}", if off < 0 { '-' } else { '+' }, a / 60, a % 60)
        };
        Some(format!("{year:04}-{month:02}-{day:02}T{h:02}:{mi:02}:{sec:02}{zone}"))
    }

    pub(super) fn decode(src: &str) -> Result<Value, String> {
        let src = if src.is_empty() { "\n" } else { src };
        let mut d = Decoder {
            parser: Parser::new_from_str(src),
            pending: HashMap::new(),
            anchors: HashMap::new(),
            expanded: 0,
            anchor_start: HashMap::new(),
            anchor_size: HashMap::new(),
        };
        let (ev, mark) = d.next()?;
        if !matches!(ev, Event::StreamStart) {
            return Err(at(&mark, "missing stream start token".into()));
        }
        let (ev, mark) = d.next()?;
        if !matches!(ev, Event::DocumentStart) {
            return Err(at(&mark, "missing start of document".into()));
        }
        let v = d.parse_value()?;
        let (ev, mark) = d.next()?;
        match ev {
            Event::DocumentStart => return Err(at(&mark, "only a single document is allowed".into())),
            Event::DocumentEnd => {}
            other => return Err(at(&mark, format!("unexpected extra content ({other:?}) after value"))),
        }
        let (ev, mark) = d.next()?;
        if !matches!(ev, Event::StreamEnd) {
            return Err(at(&mark, "unexpected extra content after value".into()));
        }
        Ok(v)
    }

    // ---- encoding ----------------------------------------------------------------

    /// The subset of libyaml's emitter (as ported in go-yaml v2) that
    /// go-cty-yaml's `Marshal` exercises, with its default settings.
    struct Emitter {
        out: String,
        column: i64,
        whitespace: bool,
        indention: bool,
        open_ended: bool,
        indent: i64,
        indents: Vec<i64>,
        flow_level: usize,
        root_context: bool,
        mapping_context: bool,
        simple_key_context: bool,
    }

    const BEST_INDENT: i64 = 2;
    const BEST_WIDTH: i64 = 80;

    #[derive(Clone, Copy, PartialEq)]
    enum Style {
        Plain,
        SingleQuoted,
        DoubleQuoted,
        Literal,
    }

    struct Analysis {
        multiline: bool,
        flow_plain_allowed: bool,
        block_plain_allowed: bool,
        single_quoted_allowed: bool,
        block_allowed: bool,
    }

    fn is_printable(c: char) -> bool {
        let u = c as u32;
        u == 0x0a || (0x20..=0x7e).contains(&u) || (0xa0..=0xd7ff).contains(&u) || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
    }
    fn is_break(c: char) -> bool {
        matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
    }
    fn is_blank(c: char) -> bool {
        c == ' ' || c == '\t'
    }

    fn analyze(value: &str) -> Analysis {
        if value.is_empty() {
            return Analysis {
                multiline: false,
                flow_plain_allowed: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let mut block_indicators = value.starts_with("---") || value.starts_with("...");
        let mut flow_indicators = block_indicators;
        let (mut line_breaks, mut special) = (false, false);
        let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut preceded_by_ws = true;
        let chars: Vec<char> = value.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let followed_by_ws = i + 1 >= chars.len() || is_blank(chars[i + 1]);
            let last = i + 1 == chars.len();
            if i == 0 {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    '?' | ':' => {
                        flow_indicators = true;
                        if followed_by_ws {
                            block_indicators = true;
                        }
                    }
                    '-' if followed_by_ws => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            } else {
                match c {
                    ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                    ':' => {
                        flow_indicators = true;
                        if followed_by_ws {
                            block_indicators = true;
                        }
                    }
                    '#' if preceded_by_ws => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            }
            if !is_printable(c) {
                special = true;
            }
            if c == ' ' {
                leading_space |= i == 0;
                trailing_space |= last;
                break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                line_breaks = true;
                leading_break |= i == 0;
                trailing_break |= last;
                space_break |= previous_space;
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_ws = is_blank(c) || is_break(c);
        }
        let mut a = Analysis {
            multiline: line_breaks,
            flow_plain_allowed: true,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if trailing_space {
            a.block_allowed = false;
        }
        if break_space {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || special {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
            a.block_allowed = false;
        }
        if line_breaks {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if flow_indicators {
            a.flow_plain_allowed = false;
        }
        if block_indicators {
            a.block_plain_allowed = false;
        }
        a
    }

    impl Emitter {
        fn put(&mut self, c: char) {
            self.out.push(c);
            self.column += 1;
        }
        fn put_break(&mut self) {
            self.out.push('\n');
            self.column = 0;
        }
        fn write_break(&mut self, c: char) {
            if c == '\n' {
                self.put_break();
            } else {
                self.out.push(c);
                self.column = 0;
            }
        }
        fn write_indent(&mut self) {
            let indent = self.indent.max(0);
            if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
                self.put_break();
            }
            while self.column < indent {
                self.put(' ');
            }
            self.whitespace = true;
            self.indention = true;
        }
        fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
            if need_ws && !self.whitespace {
                self.put(' ');
            }
            for c in ind.chars() {
                self.put(c);
            }
            self.whitespace = is_ws;
            self.indention = self.indention && is_indention;
            self.open_ended = false;
        }
        fn increase_indent(&mut self, flow: bool, indentless: bool) {
            self.indents.push(self.indent);
            if self.indent < 0 {
                self.indent = if flow { BEST_INDENT } else { 0 };
            } else if !indentless {
                self.indent += BEST_INDENT;
            }
        }
        fn pop_indent(&mut self) {
            self.indent = self.indents.pop().unwrap_or(-1);
        }

        fn node(&mut self, v: &Value, root: bool, mapping: bool, simple_key: bool) -> Result<(), String> {
            plinth_value::deep(|| {
                self.root_context = root;
                self.mapping_context = mapping;
                self.simple_key_context = simple_key;
                match &v.kind {
                    Kind::Null(_) => self.scalar("null", Style::Plain),
                    Kind::Unknown(_) => return Err("cannot serialize unknown value as YAML".into()),
                    Kind::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain),
                    Kind::Number(n) => self.scalar(&n.to_string(), Style::Plain),
                    Kind::String(s) => self.scalar(s, if s.contains('\n') { Style::Literal } else { Style::DoubleQuoted }),
                    Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
                        if xs.is_empty() || self.flow_level > 0 {
                            self.write_indicator("[", true, true, false);
                            self.increase_indent(true, false);
                            self.flow_level += 1;
                            for (i, x) in xs.iter().enumerate() {
                                if i > 0 {
                                    self.write_indicator(",", false, false, false);
                                }
                                if self.column > BEST_WIDTH {
                                    self.write_indent();
                                }
                                self.node(x, false, false, false)?;
                            }
                            self.flow_level -= 1;
                            self.pop_indent();
                            self.write_indicator("]", false, false, false);
                        } else {
                            let indentless = self.mapping_context && !self.indention;
                            self.increase_indent(false, indentless);
                            for x in xs.iter() {
                                self.write_indent();
                                self.write_indicator("-", true, false, true);
                                self.node(x, false, false, false)?;
                            }
                            self.pop_indent();
                        }
                    }
                    Kind::Map(_, m) | Kind::Object(m) => {
                        if m.is_empty() {
                            self.write_indicator("{", true, true, false);
                            self.increase_indent(true, false);
                            self.pop_indent();
                            self.write_indicator("}", false, false, false);
                        } else {
                            self.increase_indent(false, false);
                            for (k, x) in m.iter() {
                                self.write_indent();
                                let key = Value::string(k.as_str());
                                let a = analyze(k);
                                if !a.multiline && k.len() <= 128 {
                                    self.node(&key, false, true, true)?;
                                    self.write_indicator(":", false, false, false);
                                } else {
                                    self.write_indicator("?", true, false, true);
                                    self.node(&key, false, true, false)?;
                                    self.write_indent();
                                    self.write_indicator(":", true, false, true);
                                }
                                self.node(x, false, true, false)?;
                            }
                            self.pop_indent();
                        }
                    }
                }
                Ok(())
            })
        }

        fn scalar(&mut self, value: &str, requested: Style) {
            let a = analyze(value);
            let mut style = requested;
            if self.simple_key_context && a.multiline {
                style = Style::DoubleQuoted;
            }
            if style == Style::Plain {
                if (self.flow_level > 0 && !a.flow_plain_allowed) || (self.flow_level == 0 && !a.block_plain_allowed) {
                    style = Style::SingleQuoted;
                }
                if value.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                    style = Style::SingleQuoted;
                }
            }
            if style == Style::SingleQuoted && !a.single_quoted_allowed {
                style = Style::DoubleQuoted;
            }
            if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || self.simple_key_context) {
                style = Style::DoubleQuoted;
            }
            self.increase_indent(true, false);
            let allow_breaks = !self.simple_key_context;
            match style {
                Style::Plain => self.write_plain(value, allow_breaks),
                Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
                Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
                Style::Literal => self.write_literal(value),
            }
            self.pop_indent();
        }

        fn write_plain(&mut self, value: &str, allow_breaks: bool) {
            if !self.whitespace {
                self.put(' ');
            }
            let chars: Vec<char> = value.chars().collect();
            let (mut spaces, mut breaks) = (false, false);
            for (i, &c) in chars.iter().enumerate() {
                if c == ' ' {
                    if allow_breaks && !spaces && self.column > BEST_WIDTH && chars.get(i + 1) != Some(&' ') {
                        self.write_indent();
                    } else {
                        self.put(c);
                    }
                    spaces = true;
                } else if is_break(c) {
                    if !breaks && c == '\n' {
                        self.put_break();
                    }
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    self.put(c);
                    self.indention = false;
                    spaces = false;
                    breaks = false;
                }
            }
            self.whitespace = false;
            self.indention = false;
            if self.root_context {
                self.open_ended = true;
            }
        }

        fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
            self.write_indicator("'", true, false, false);
            let chars: Vec<char> = value.chars().collect();
            let (mut spaces, mut breaks) = (false, false);
            for (i, &c) in chars.iter().enumerate() {
                if c == ' ' {
                    if allow_breaks
                        && !spaces
                        && self.column > BEST_WIDTH
                        && i != 0
                        && i != chars.len() - 1
                        && chars.get(i + 1) != Some(&' ')
                    {
                        self.write_indent();
                    } else {
                        self.put(c);
                    }
                    spaces = true;
                } else if is_break(c) {
                    if !breaks && c == '\n' {
                        self.put_break();
                    }
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    if c == '\'' {
                        self.put('\'');
                    }
                    self.put(c);
                    self.indention = false;
                    spaces = false;
                    breaks = false;
                }
            }
            self.write_indicator("'", false, false, false);
            self.whitespace = false;
            self.indention = false;
        }

        fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
            self.write_indicator("\"", true, false, false);
            let bom = value.starts_with('\u{feff}');
            let chars: Vec<char> = value.chars().collect();
            let mut spaces = false;
            for (i, &c) in chars.iter().enumerate() {
                if !is_printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                    self.put('\\');
                    let v = c as u32;
                    match v {
                        0x00 => self.put('0'),
                        0x07 => self.put('a'),
                        0x08 => self.put('b'),
                        0x09 => self.put('t'),
                        0x0a => self.put('n'),
                        0x0b => self.put('v'),
                        0x0c => self.put('f'),
                        0x0d => self.put('r'),
                        0x1b => self.put('e'),
                        0x22 => self.put('"'),
                        0x5c => self.put('\\'),
                        0x85 => self.put('N'),
                        0xa0 => self.put('_'),
                        0x2028 => self.put('L'),
                        0x2029 => self.put('P'),
                        _ => {
                            let (ind, w) = if v <= 0xff {
                                ('x', 2)
                            } else if v <= 0xffff {
                                ('u', 4)
                            } else {
                                ('U', 8)
                            };
                            self.put(ind);
                            for k in (0..w).rev() {
                                let d = (v >> (k * 4)) & 0xf;
                                self.put(char::from_digit(d, 16).unwrap().to_ascii_uppercase());
                            }
                        }
                    }
                    spaces = false;
                } else if c == ' ' {
                    if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i < chars.len() - 1 {
                        self.write_indent();
                        if chars.get(i + 1) == Some(&' ') {
                            self.put('\\');
                        }
                    } else {
                        self.put(c);
                    }
                    spaces = true;
                } else {
                    self.put(c);
                    spaces = false;
                }
            }
            self.write_indicator("\"", false, false, false);
            self.whitespace = false;
            self.indention = false;
        }

        fn write_literal(&mut self, value: &str) {
            self.write_indicator("|", true, false, false);
            let chars: Vec<char> = value.chars().collect();
            if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
                self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
            }
            self.open_ended = false;
            let chomp = match chars.len() {
                0 => Some("-"),
                n if !is_break(chars[n - 1]) => Some("-"),
                1 => {
                    self.open_ended = true;
                    Some("+")
                }
                n if is_break(chars[n - 2]) => {
                    self.open_ended = true;
                    Some("+")
                }
                _ => None,
            };
            if let Some(h) = chomp {
                self.write_indicator(h, false, false, false);
            }
            self.put_break();
            self.indention = true;
            self.whitespace = true;
            let mut breaks = true;
            for &c in &chars {
                if is_break(c) {
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    self.put(c);
                    self.indention = false;
                    breaks = false;
                }
            }
        }
    }

    pub(super) fn encode(v: &Value) -> Result<String, String> {
        let mut e = Emitter {
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
            indent: -1,
            indents: Vec::new(),
            flow_level: 0,
            root_context: false,
            mapping_context: false,
            simple_key_context: false,
        };
        e.node(v, true, false, false)?;
        // Implicit document end, then stream end.
        e.write_indent();
        if e.open_ended {
            e.write_indicator("...", true, false, false);
            e.write_indent();
        }
        Ok(e.out)
    }
}

/// gzip output byte-identical to Go's `compress/gzip` at the default level,
/// after `Flush` and `Close` (as `base64gzip` does): Go's level-6 lazy-matching
/// compressor and its block-type choice and Huffman code construction.
mod gzip {
    const WINDOW_SIZE: usize = 1 << 15;
    const WINDOW_MASK: usize = WINDOW_SIZE - 1;
    const MIN_MATCH: usize = 4;
    const MAX_MATCH: usize = 258;
    const HASH_BITS: u32 = 17;
    const HASH_SIZE: usize = 1 << HASH_BITS;
    const HASH_MUL: u32 = 0x1e35a7bd;
    const MAX_BLOCK_TOKENS: usize = 1 << 14;
    const MAX_STORE_BLOCK: usize = 65535;
    // Level 6.
    const GOOD: usize = 8;
    const LAZY: usize = 16;
    const NICE: usize = 128;
    const CHAIN: usize = 128;

    #[derive(Clone, Copy)]
    enum Tok {
        Lit(u16),
        /// length - 3, offset - 1
        Match(u32, u32),
    }

    const LENGTH_BASE: [u32; 29] =
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 255];
    const LENGTH_EXTRA: [u32; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    const OFFSET_BASE: [u32; 30] = [
        0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288,
        16384, 24576,
    ];
    const OFFSET_EXTRA: [u32; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    const CODEGEN_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    const BAD_CODE: u8 = 255;

    fn length_code(l: u32) -> usize {
        if l == 255 {
            return 28;
        }
        LENGTH_BASE[..28].iter().rposition(|&b| b <= l).unwrap()
    }
    fn offset_code(o: u32) -> usize {
        OFFSET_BASE.iter().rposition(|&b| b <= o).unwrap()
    }

    #[derive(Clone, Copy, Default)]
    struct HCode {
        code: u16,
        len: u16,
    }

    fn reverse_bits(n: u16, len: u16) -> u16 {
        (n << (16 - len)).reverse_bits()
    }

    struct Encoder {
        codes: Vec<HCode>,
    }

    impl Encoder {
        fn new(size: usize) -> Encoder {
            Encoder { codes: vec![HCode::default(); size] }
        }
        fn bit_length(&self, freq: &[i32]) -> i64 {
            freq.iter().enumerate().filter(|(_, &f)| f != 0).map(|(i, &f)| f as i64 * self.codes[i].len as i64).sum()
        }
        fn fixed_literal() -> Encoder {
            let mut h = Encoder::new(286);
            for ch in 0..286u16 {
                let (bits, size) = match ch {
                    0..=143 => (ch + 48, 8),
                    144..=255 => (ch + 400 - 144, 9),
                    256..=279 => (ch - 256, 7),
                    _ => (ch + 192 - 280, 8),
                };
                h.codes[ch as usize] = HCode { code: reverse_bits(bits, size), len: size };
            }
            h
        }
        fn fixed_offset() -> Encoder {
            let mut h = Encoder::new(30);
            for ch in 0..30u16 {
                h.codes[ch as usize] = HCode { code: reverse_bits(ch, 5), len: 5 };
            }
            h
        }

        fn generate(&mut self, freq: &[i32], max_bits: i32) {
            let mut list: Vec<(u16, i32)> = Vec::new();
            for (i, &f) in freq.iter().enumerate() {
                if f != 0 {
                    list.push((i as u16, f));
                } else {
                    self.codes[i].len = 0;
                }
            }
            if list.len() <= 2 {
                for (i, &(lit, _)) in list.iter().enumerate() {
                    self.codes[lit as usize] = HCode { code: i as u16, len: 1 };
                }
                return;
            }
            list.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            let bit_count = bit_counts(&list, max_bits);
            // assignEncodingAndSize
            let mut code: u16 = 0;
            let mut rest = &list[..];
            for (n, &bits) in bit_count.iter().enumerate() {
                code <<= 1;
                if n == 0 || bits == 0 {
                    continue;
                }
                let mut chunk: Vec<(u16, i32)> = rest[rest.len() - bits as usize..].to_vec();
                chunk.sort_by_key(|x| x.0);
                for (lit, _) in chunk {
                    self.codes[lit as usize] = HCode { code: reverse_bits(code, n as u16), len: n as u16 };
                    code += 1;
                }
                rest = &rest[..rest.len() - bits as usize];
            }
        }
    }

    fn bit_counts(list: &[(u16, i32)], max_bits: i32) -> Vec<i32> {
        #[derive(Clone, Copy, Default)]
        struct Level {
            level: i32,
            last_freq: i32,
            next_char_freq: i32,
            next_pair_freq: i32,
            needed: i32,
        }
        let n = list.len() as i32;
        let freq = |i: i32| if i >= n { i32::MAX } else { list[i as usize].1 };
        let max_bits = max_bits.min(n - 1);
        let mut levels = [Level::default(); 17];
        let mut leaf = [[0i32; 17]; 17];
        for level in 1..=max_bits {
            levels[level as usize] =
                Level { level, last_freq: freq(1), next_char_freq: freq(2), next_pair_freq: freq(0) + freq(1), needed: 0 };
            leaf[level as usize][level as usize] = 2;
            if level == 1 {
                levels[1].next_pair_freq = i32::MAX;
            }
        }
        levels[max_bits as usize].needed = 2 * n - 4;
        let mut level = max_bits as usize;
        loop {
            let l = levels[level];
            if l.next_pair_freq == i32::MAX && l.next_char_freq == i32::MAX {
                levels[level].needed = 0;
                levels[level + 1].next_pair_freq = i32::MAX;
                level += 1;
                continue;
            }
            let prev_freq = l.last_freq;
            if l.next_char_freq < l.next_pair_freq {
                let c = leaf[level][level] + 1;
                levels[level].last_freq = l.next_char_freq;
                leaf[level][level] = c;
                levels[level].next_char_freq = freq(c);
            } else {
                levels[level].last_freq = l.next_pair_freq;
                let (lower, upper) = leaf.split_at_mut(level);
                upper[0][..level].copy_from_slice(&lower[level - 1][..level]);
                levels[l.level as usize - 1].needed = 2;
            }
            levels[level].needed -= 1;
            if levels[level].needed == 0 {
                if levels[level].level == max_bits {
                    break;
                }
                levels[level + 1].next_pair_freq = prev_freq + levels[level].last_freq;
                level += 1;
            } else {
                while levels[level - 1].needed > 0 {
                    level -= 1;
                }
            }
        }
        let mut bit_count = vec![0i32; max_bits as usize + 1];
        let counts = &leaf[max_bits as usize];
        for (bits, level) in (1..).zip((1..=max_bits as usize).rev()) {
            bit_count[bits] = counts[level] - counts[level - 1];
        }
        bit_count
    }

    struct BitWriter {
        out: Vec<u8>,
        bits: u64,
        nbits: u32,
        lit_freq: Vec<i32>,
        off_freq: Vec<i32>,
        codegen: Vec<u8>,
        codegen_freq: [i32; 19],
        lit_enc: Encoder,
        off_enc: Encoder,
        codegen_enc: Encoder,
        fixed_lit: Encoder,
        fixed_off: Encoder,
    }

    impl BitWriter {
        fn new() -> BitWriter {
            BitWriter {
                out: Vec::new(),
                bits: 0,
                nbits: 0,
                lit_freq: vec![0; 286],
                off_freq: vec![0; 30],
                codegen: vec![0; 286 + 30 + 1],
                codegen_freq: [0; 19],
                lit_enc: Encoder::new(286),
                off_enc: Encoder::new(30),
                codegen_enc: Encoder::new(19),
                fixed_lit: Encoder::fixed_literal(),
                fixed_off: Encoder::fixed_offset(),
            }
        }
        fn write_bits(&mut self, b: u32, nb: u32) {
            self.bits |= (b as u64) << self.nbits;
            self.nbits += nb;
            while self.nbits >= 8 {
                self.out.push(self.bits as u8);
                self.bits >>= 8;
                self.nbits -= 8;
            }
        }
        fn write_code(&mut self, c: HCode) {
            self.write_bits(c.code as u32, c.len as u32);
        }
        fn flush(&mut self) {
            if self.nbits > 0 {
                self.out.push(self.bits as u8);
            }
            self.bits = 0;
            self.nbits = 0;
        }
        fn write_stored_header(&mut self, length: usize, eof: bool) {
            self.write_bits(eof as u32, 3);
            self.flush();
            self.write_bits(length as u32, 16);
            self.write_bits(!(length as u16) as u32, 16);
        }

        fn index_tokens(&mut self, tokens: &[Tok]) -> (usize, usize) {
            self.lit_freq.iter_mut().for_each(|f| *f = 0);
            self.off_freq.iter_mut().for_each(|f| *f = 0);
            for t in tokens {
                match *t {
                    Tok::Lit(l) => self.lit_freq[l as usize] += 1,
                    Tok::Match(l, o) => {
                        self.lit_freq[257 + length_code(l)] += 1;
                        self.off_freq[offset_code(o)] += 1;
                    }
                }
            }
            let mut num_lit = self.lit_freq.len();
            while self.lit_freq[num_lit - 1] == 0 {
                num_lit -= 1;
            }
            let mut num_off = self.off_freq.len();
            while num_off > 0 && self.off_freq[num_off - 1] == 0 {
                num_off -= 1;
            }
            if num_off == 0 {
                self.off_freq[0] = 1;
                num_off = 1;
            }
            let (lf, of) = (self.lit_freq.clone(), self.off_freq.clone());
            self.lit_enc.generate(&lf, 15);
            self.off_enc.generate(&of, 15);
            (num_lit, num_off)
        }

        fn generate_codegen(&mut self, num_lit: usize, num_off: usize) {
            self.codegen_freq = [0; 19];
            let cg = &mut self.codegen;
            for (c, code) in cg.iter_mut().zip(&self.lit_enc.codes[..num_lit]) {
                *c = code.len as u8;
            }
            for i in 0..num_off {
                cg[num_lit + i] = self.off_enc.codes[i].len as u8;
            }
            cg[num_lit + num_off] = BAD_CODE;
            let mut size = cg[0];
            let mut count: i32 = 1;
            let mut out = 0;
            let mut in_index = 1;
            while size != BAD_CODE {
                let next = cg[in_index];
                in_index += 1;
                if next == size {
                    count += 1;
                    continue;
                }
                if size != 0 {
                    cg[out] = size;
                    out += 1;
                    self.codegen_freq[size as usize] += 1;
                    count -= 1;
                    while count >= 3 {
                        let n = count.min(6);
                        cg[out] = 16;
                        cg[out + 1] = (n - 3) as u8;
                        out += 2;
                        self.codegen_freq[16] += 1;
                        count -= n;
                    }
                } else {
                    while count >= 11 {
                        let n = count.min(138);
                        cg[out] = 18;
                        cg[out + 1] = (n - 11) as u8;
                        out += 2;
                        self.codegen_freq[18] += 1;
                        count -= n;
                    }
                    if count >= 3 {
                        cg[out] = 17;
                        cg[out + 1] = (count - 3) as u8;
                        out += 2;
                        self.codegen_freq[17] += 1;
                        count = 0;
                    }
                }
                count -= 1;
                while count >= 0 {
                    cg[out] = size;
                    out += 1;
                    self.codegen_freq[size as usize] += 1;
                    count -= 1;
                }
                size = next;
                count = 1;
            }
            cg[out] = BAD_CODE;
        }

        fn write_block(&mut self, tokens: &[Tok], eof: bool, input: Option<&[u8]>) {
            let mut tokens = tokens.to_vec();
            tokens.push(Tok::Lit(256));
            let (num_lit, num_off) = self.index_tokens(&tokens);
            let (stored_size, storable) = match input {
                Some(i) if i.len() <= MAX_STORE_BLOCK => (((i.len() + 5) * 8) as i64, true),
                _ => (0, false),
            };
            let mut extra: i64 = 0;
            if storable {
                for code in 257 + 8..num_lit {
                    extra += self.lit_freq[code] as i64 * LENGTH_EXTRA[code - 257] as i64;
                }
                for (freq, extra_bits) in self.off_freq.iter().zip(OFFSET_EXTRA.iter()).take(num_off).skip(4) {
                    extra += *freq as i64 * *extra_bits as i64;
                }
            }
            let fixed_size = 3 + self.fixed_lit.bit_length(&self.lit_freq) + self.fixed_off.bit_length(&self.off_freq) + extra;
            self.generate_codegen(num_lit, num_off);
            let cf = self.codegen_freq;
            self.codegen_enc.generate(&cf, 7);
            let mut num_codegens = 19;
            while num_codegens > 4 && self.codegen_freq[CODEGEN_ORDER[num_codegens - 1]] == 0 {
                num_codegens -= 1;
            }
            let header = 3
                + 5
                + 5
                + 4
                + 3 * num_codegens as i64
                + self.codegen_enc.bit_length(&cf)
                + cf[16] as i64 * 2
                + cf[17] as i64 * 3
                + cf[18] as i64 * 7;
            let dynamic_size = header + self.lit_enc.bit_length(&self.lit_freq) + self.off_enc.bit_length(&self.off_freq) + extra;
            let use_dynamic = dynamic_size < fixed_size;
            let size = fixed_size.min(dynamic_size);
            if storable && stored_size < size {
                let input = input.unwrap();
                self.write_stored_header(input.len(), eof);
                self.flush();
                self.out.extend_from_slice(input);
                return;
            }
            let (lit_codes, off_codes) = if use_dynamic {
                self.write_bits(if eof { 5 } else { 4 }, 3);
                self.write_bits((num_lit - 257) as u32, 5);
                self.write_bits((num_off - 1) as u32, 5);
                self.write_bits((num_codegens - 4) as u32, 4);
                for &o in CODEGEN_ORDER.iter().take(num_codegens) {
                    let l = self.codegen_enc.codes[o].len as u32;
                    self.write_bits(l, 3);
                }
                let mut i = 0;
                loop {
                    let cw = self.codegen[i];
                    i += 1;
                    if cw == BAD_CODE {
                        break;
                    }
                    let c = self.codegen_enc.codes[cw as usize];
                    self.write_code(c);
                    let extra_bits = match cw {
                        16 => 2,
                        17 => 3,
                        18 => 7,
                        _ => 0,
                    };
                    if extra_bits > 0 {
                        let v = self.codegen[i] as u32;
                        self.write_bits(v, extra_bits);
                        i += 1;
                    }
                }
                (self.lit_enc.codes.clone(), self.off_enc.codes.clone())
            } else {
                self.write_bits(if eof { 3 } else { 2 }, 3);
                (self.fixed_lit.codes.clone(), self.fixed_off.codes.clone())
            };
            for t in &tokens {
                match *t {
                    Tok::Lit(l) => self.write_code(lit_codes[l as usize]),
                    Tok::Match(l, o) => {
                        let lc = length_code(l);
                        self.write_code(lit_codes[lc + 257]);
                        if LENGTH_EXTRA[lc] > 0 {
                            self.write_bits(l - LENGTH_BASE[lc], LENGTH_EXTRA[lc]);
                        }
                        let oc = offset_code(o);
                        self.write_code(off_codes[oc]);
                        if OFFSET_EXTRA[oc] > 0 {
                            self.write_bits(o - OFFSET_BASE[oc], OFFSET_EXTRA[oc]);
                        }
                    }
                }
            }
        }
    }

    struct Compressor {
        w: BitWriter,
        window: Vec<u8>,
        window_end: usize,
        block_start: usize,
        index: usize,
        hash_head: Vec<u32>,
        hash_prev: Vec<u32>,
        hash_offset: usize,
        chain_head: i64,
        length: usize,
        offset: usize,
        byte_available: bool,
        tokens: Vec<Tok>,
        max_insert_index: usize,
        sync: bool,
    }

    fn hash4(b: &[u8]) -> usize {
        let v = (b[3] as u32) | (b[2] as u32) << 8 | (b[1] as u32) << 16 | (b[0] as u32) << 24;
        (v.wrapping_mul(HASH_MUL) >> (32 - HASH_BITS)) as usize
    }

    impl Compressor {
        fn new() -> Compressor {
            Compressor {
                w: BitWriter::new(),
                window: vec![0; 2 * WINDOW_SIZE],
                window_end: 0,
                block_start: 0,
                index: 0,
                hash_head: vec![0; HASH_SIZE],
                hash_prev: vec![0; WINDOW_SIZE],
                hash_offset: 1,
                chain_head: -1,
                length: MIN_MATCH - 1,
                offset: 0,
                byte_available: false,
                tokens: Vec::new(),
                max_insert_index: 0,
                sync: false,
            }
        }

        fn fill(&mut self, b: &[u8]) -> usize {
            if self.index >= 2 * WINDOW_SIZE - (MIN_MATCH + MAX_MATCH) {
                self.window.copy_within(WINDOW_SIZE..2 * WINDOW_SIZE, 0);
                self.index -= WINDOW_SIZE;
                self.window_end -= WINDOW_SIZE;
                if self.block_start >= WINDOW_SIZE {
                    self.block_start -= WINDOW_SIZE;
                } else {
                    self.block_start = usize::MAX;
                }
                self.hash_offset += WINDOW_SIZE;
            }
            let n = b.len().min(self.window.len() - self.window_end);
            self.window[self.window_end..self.window_end + n].copy_from_slice(&b[..n]);
            self.window_end += n;
            n
        }

        fn write_block(&mut self, index: usize) {
            if index > 0 {
                let window = if self.block_start <= index { Some(self.window[self.block_start..index].to_vec()) } else { None };
                self.block_start = index;
                let tokens = std::mem::take(&mut self.tokens);
                self.w.write_block(&tokens, false, window.as_deref());
            }
        }

        fn find_match(&self, pos: usize, prev_head: i64, prev_length: usize, lookahead: usize) -> Option<(usize, usize)> {
            let min_match_look = MAX_MATCH.min(lookahead);
            let win = &self.window[..pos + min_match_look];
            let nice = NICE.min(win.len() - pos);
            let mut tries = CHAIN;
            let mut length = prev_length;
            if length >= GOOD {
                tries >>= 2;
            }
            let mut w_end = win[pos + length];
            let min_index = pos as i64 - WINDOW_SIZE as i64;
            let mut found = None;
            let mut i = prev_head;
            while tries > 0 {
                let iu = i as usize;
                if w_end == win[iu + length] {
                    let n = win[iu..].iter().zip(&win[pos..]).take(min_match_look).take_while(|(a, b)| a == b).count();
                    if n > length && (n > MIN_MATCH || pos - iu <= 4096) {
                        length = n;
                        found = Some((n, pos - iu));
                        if n >= nice {
                            break;
                        }
                        w_end = win[pos + n];
                    }
                }
                if i == min_index {
                    break;
                }
                i = self.hash_prev[iu & WINDOW_MASK] as i64 - self.hash_offset as i64;
                if i < min_index || i < 0 {
                    break;
                }
                tries -= 1;
            }
            found
        }

        fn deflate(&mut self) {
            if self.window_end - self.index < MIN_MATCH + MAX_MATCH && !self.sync {
                return;
            }
            self.max_insert_index = self.window_end.saturating_sub(MIN_MATCH - 1);
            loop {
                let lookahead = self.window_end - self.index;
                if lookahead < MIN_MATCH + MAX_MATCH {
                    if !self.sync {
                        break;
                    }
                    if lookahead == 0 {
                        if self.byte_available {
                            self.tokens.push(Tok::Lit(self.window[self.index - 1] as u16));
                            self.byte_available = false;
                        }
                        if !self.tokens.is_empty() {
                            self.write_block(self.index);
                        }
                        break;
                    }
                }
                if self.index < self.max_insert_index {
                    let h = hash4(&self.window[self.index..self.index + MIN_MATCH]);
                    self.chain_head = self.hash_head[h] as i64;
                    self.hash_prev[self.index & WINDOW_MASK] = self.chain_head as u32;
                    self.hash_head[h] = (self.index + self.hash_offset) as u32;
                }
                let prev_length = self.length;
                let prev_offset = self.offset;
                self.length = MIN_MATCH - 1;
                self.offset = 0;
                let min_index = self.index.saturating_sub(WINDOW_SIZE) as i64;
                if self.chain_head - self.hash_offset as i64 >= min_index && lookahead > prev_length && prev_length < LAZY {
                    if let Some((l, o)) = self.find_match(self.index, self.chain_head - self.hash_offset as i64, MIN_MATCH - 1, lookahead) {
                        self.length = l;
                        self.offset = o;
                    }
                }
                if prev_length >= MIN_MATCH && self.length <= prev_length {
                    self.tokens.push(Tok::Match((prev_length - 3) as u32, (prev_offset - 1) as u32));
                    let new_index = self.index + prev_length - 1;
                    let mut index = self.index + 1;
                    while index < new_index {
                        if index < self.max_insert_index {
                            let h = hash4(&self.window[index..index + MIN_MATCH]);
                            self.hash_prev[index & WINDOW_MASK] = self.hash_head[h];
                            self.hash_head[h] = (index + self.hash_offset) as u32;
                        }
                        index += 1;
                    }
                    self.index = index;
                    self.byte_available = false;
                    self.length = MIN_MATCH - 1;
                    if self.tokens.len() == MAX_BLOCK_TOKENS {
                        self.write_block(self.index);
                    }
                } else {
                    if self.byte_available {
                        let i = self.index - 1;
                        self.tokens.push(Tok::Lit(self.window[i] as u16));
                        if self.tokens.len() == MAX_BLOCK_TOKENS {
                            self.write_block(i + 1);
                        }
                    }
                    self.index += 1;
                    self.byte_available = true;
                }
            }
        }

        fn write(&mut self, mut b: &[u8]) {
            while !b.is_empty() {
                self.deflate();
                let n = self.fill(b);
                b = &b[n..];
            }
        }

        fn sync_flush(&mut self, eof: bool) {
            self.sync = true;
            self.deflate();
            self.w.write_stored_header(0, eof);
            self.w.flush();
            self.sync = false;
        }
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    pub(super) fn gzip_go(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        let mut c = Compressor::new();
        c.write(data);
        c.sync_flush(false);
        c.sync_flush(true);
        out.extend_from_slice(&c.w.out);
        out.extend_from_slice(&crc32(data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{call, registry, CallCtx, CallError};
    use super::*;
    use plinth_value::Number;

    fn run(name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call(registry().get(name).unwrap(), &CallCtx::default(), args)
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn ok_str(name: &str, args: Vec<Value>) -> String {
        run(name, args).unwrap().as_str().unwrap().to_string()
    }
    fn err(name: &str, args: Vec<Value>) -> FuncError {
        match run(name, args) {
            Err(CallError::Func(e)) => e,
            other => panic!("expected error, got {other:?}"),
        }
    }

    #[test]
    fn base64() {
        assert_eq!(ok_str("base64decode", vec![s("")]), "");
        assert_eq!(ok_str("base64decode", vec![s("w6k=")]), "é");
        assert_eq!(ok_str("base64decode", vec![s("SGVsbG8gV29ybGQ=\n")]), "Hello World");
        assert_eq!(err("base64decode", vec![s("abc")]), FuncError::call("failed to decode base64 data \"abc\""));
        assert_eq!(err("base64decode", vec![s("SGVsbG8")]).message, "failed to decode base64 data \"SGVsbG8\"");
        assert_eq!(err("base64decode", vec![s("SGVsbG8").sensitive()]).message, "failed to decode base64 data (sensitive value)");
        assert_eq!(err("base64decode", vec![s("/w==")]).message, "the result of decoding the provided string is not valid UTF-8");
        assert!(run("base64decode", vec![s("YQ==").sensitive()]).unwrap().is_sensitive());
        assert_eq!(ok_str("base64encode", vec![s("Hello World")]), "SGVsbG8gV29ybGQ=");
        assert_eq!(ok_str("base64encode", vec![s("a\nb")]), "YQpi");
        assert_eq!(ok_str("base64encode", vec![s("\u{0}")]), "AA==");
        assert_eq!(err("base64encode", vec![Value::null(Type::String)]), FuncError::arg(0, "argument must not be null"));
    }

    #[test]
    fn go_base64_offsets() {
        assert_eq!(go_base64_decode("!!!"), Err(0));
        assert_eq!(go_base64_decode("abc"), Err(0));
        assert_eq!(go_base64_decode("YQ="), Err(3));
        assert_eq!(go_base64_decode("YQ==YQ=="), Err(4));
        assert_eq!(go_base64_decode("Y\r\nQ=\n="), Ok(b"a".to_vec()));
    }

    #[test]
    fn gzip() {
        assert_eq!(ok_str("base64gzip", vec![s("")]), "H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA==");
        assert_eq!(ok_str("base64gzip", vec![s("é")]), "H4sIAAAAAAAA/zq8EgAAAP//AQAA//8+jQQOAgAAAA==");
        // Vectors from Go's compress/gzip (fixed, matched and dynamic blocks).
        assert_eq!(ok_str("base64gzip", vec![s("aaaa")]), "H4sIAAAAAAAA/0pMTEwEAAAA//8BAAD//0XlmK0EAAAA");
        assert_eq!(ok_str("base64gzip", vec![s("hello world")]), "H4sIAAAAAAAA/8pIzcnJVyjPL8pJAQAAAP//AQAA//+FEUoNCwAAAA==");
        assert_eq!(ok_str("base64gzip", vec![s("hello hello hello hello")]), "H4sIAAAAAAAA/8pIzcnJV8AgAQAAAP//AQAA///jUT2NFwAAAA==");
        assert_eq!(
            ok_str("base64gzip", vec![s(&"abcdefghij".repeat(100))]),
            "H4sIAAAAAAAA/0pMSk5JTUvPyMwaZY2yRlnDlQUAAAD//wEAAP//g6rnXOgDAAA="
        );
    }

    #[test]
    fn text_encodings() {
        assert_eq!(ok_str("textdecodebase64", vec![s("SGVsbG8="), s("UTF-8")]), "Hello");
        assert_eq!(ok_str("textdecodebase64", vec![s("6Q=="), s("ISO-8859-1")]), "é");
        assert_eq!(ok_str("textdecodebase64", vec![s(""), s("UTF-16LE")]), "");
        assert_eq!(ok_str("textdecodebase64", vec![s("SABlAGwAbABvAA=="), s("UTF-16LE")]), "Hello");
        assert_eq!(
            err("textdecodebase64", vec![s("SGVsbG8="), s("NOPE")]),
            FuncError::arg(1, "\"NOPE\" is not a supported IANA encoding name or alias in this Terraform version")
        );
        assert_eq!(
            err("textdecodebase64", vec![s("!!!"), s("UTF-8")]),
            FuncError::arg(0, "the given value is has an invalid base64 symbol at offset 0")
        );
        assert_eq!(
            err("textdecodebase64", vec![s("/w=="), s("UTF-8")]),
            FuncError::arg(0, "the given string contains symbols that are not defined for UTF-8")
        );
        assert_eq!(ok_str("textencodebase64", vec![s("é"), s("ISO-8859-1")]), "6Q==");
        assert_eq!(ok_str("textencodebase64", vec![s(""), s("UTF-8")]), "");
        assert_eq!(ok_str("textencodebase64", vec![s("日本"), s("Shift_JIS")]), "k/qWew==");
        assert_eq!(ok_str("textencodebase64", vec![s("Hello"), s("UTF-16LE")]), "SABlAGwAbABvAA==");
        assert_eq!(
            err("textencodebase64", vec![s("€"), s("ISO-8859-1")]),
            FuncError::arg(0, "the given string contains characters that cannot be represented in ISO_8859-1:1987")
        );
        assert_eq!(
            err("textencodebase64", vec![s("x"), s("bogus")]),
            FuncError::arg(1, "\"bogus\" is not a supported IANA encoding name or alias in this Terraform version")
        );
    }

    #[test]
    fn urlencode() {
        assert_eq!(ok_str("urlencode", vec![s("Hello World!")]), "Hello+World%21");
        assert_eq!(ok_str("urlencode", vec![s("a=b&c=d")]), "a%3Db%26c%3Dd");
        assert_eq!(ok_str("urlencode", vec![s("")]), "");
        assert_eq!(ok_str("urlencode", vec![s("~-._")]), "~-._");
        assert_eq!(ok_str("urlencode", vec![s("é/")]), "%C3%A9%2F");
    }

    fn json_of(v: &Value) -> String {
        plinth_value::value_to_json_string(v)
    }

    #[test]
    fn csvdecode() {
        let v = run("csvdecode", vec![s("a,b,c\n1,2,3\n4,5,6")]).unwrap();
        assert_eq!(json_of(&v), r#"[{"a":"1","b":"2","c":"3"},{"a":"4","b":"5","c":"6"}]"#);
        assert_eq!(v.ty().to_string(), "list(object({a=string, b=string, c=string}))");
        let v = run("csvdecode", vec![s("a,b\n1,2\n3,4\n")]).unwrap();
        assert_eq!(json_of(&v), r#"[{"a":"1","b":"2"},{"a":"3","b":"4"}]"#);
        assert_eq!(err("csvdecode", vec![s("")]), FuncError::call("missing header line"));
        let v = run("csvdecode", vec![s("a,b\n\"\"\"q\"\"\",  x\n")]).unwrap();
        assert_eq!(json_of(&v), r#"[{"a":"\"q\"","b":"  x"}]"#);
        let v = run("csvdecode", vec![s("b,a\n2,1")]).unwrap();
        assert_eq!(json_of(&v), r#"[{"a":"1","b":"2"}]"#);
        let v = run("csvdecode", vec![s("a\n\"x\ny\"\r\n\nz")]).unwrap();
        assert_eq!(json_of(&v), r#"[{"a":"x\ny"},{"a":"z"}]"#);
        let v = run("csvdecode", vec![s("a,b")]).unwrap();
        assert_eq!(v.ty().to_string(), "list(object({a=string, b=string}))");
        assert_eq!(v.len(), Some(0));
        assert_eq!(err("csvdecode", vec![s("a,b\n1,2,3")]).message, "CSV parse error on line 2: wrong number of fields");
        assert_eq!(err("csvdecode", vec![s("a,a\n1,2")]).message, "duplicate column name \"a\"");
        assert_eq!(err("csvdecode", vec![s("a\nx\"y")]).message, "CSV parse error on line 2: bare \" in non-quoted-field");
        assert_eq!(err("csvdecode", vec![s("a\n\"x\"y")]).message, "CSV parse error on line 2: extraneous or missing \" in quoted-field");
        assert_eq!(err("csvdecode", vec![s("a\n\"xy")]).message, "CSV parse error on line 2: extraneous or missing \" in quoted-field");
    }

    #[test]
    fn jsondecode() {
        let v = run("jsondecode", vec![s("{\"hello\": \"world\"}")]).unwrap();
        assert_eq!(json_of(&v), r#"{"hello":"world"}"#);
        let v = run("jsondecode", vec![s("[1, \"a\", null]")]).unwrap();
        assert_eq!(plinth_value::json_type(&v.ty()).to_string(), r#"["tuple",["number","string","dynamic"]]"#);
        let v = run("jsondecode", vec![s("{\"b\":1,\"a\":{\"c\":[]}}")]).unwrap();
        assert_eq!(plinth_value::json_type(&v.ty()).to_string(), r#"["object",{"a":["object",{"c":["tuple",[]]}],"b":"number"}]"#);
        assert_eq!(ok_str("jsondecode", vec![s("\"\\u00e9\\ud83d\\ude00\"")]), "é😀");
        assert_eq!(run("jsondecode", vec![s("true")]).unwrap().as_bool(), Some(true));
        assert!(run("jsondecode", vec![s("null")]).unwrap().is_null());
        assert_eq!(
            run("jsondecode", vec![s("123456789012345678901234567890")]).unwrap().as_number().unwrap(),
            &Number::parse("123456789012345678901234567890").unwrap()
        );
        let e = |src: &str| err("jsondecode", vec![s(src)]).message;
        assert_eq!(e("{"), "EOF");
        assert_eq!(e(""), "EOF");
        assert_eq!(e("\"abc"), "unexpected EOF");
        assert_eq!(e("x"), "invalid character 'x' looking for beginning of value");
        assert_eq!(e("[1 2]"), "invalid character '2' after array element");
        assert_eq!(e("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(e("{\"a\":1 \"b\"}"), "invalid character '\"' after object key:value pair");
        assert_eq!(e("{1:2}"), "invalid character '1' looking for beginning of object key string");
        assert_eq!(e("[tru]"), "invalid character ']' in literal true (expecting 'e')");
        assert_eq!(e("-x"), "invalid character 'x' in numeric literal");
        assert_eq!(e("1 2"), "extraneous data after JSON object");
        assert_eq!(e("{\"a\":1,\"a\":\"x\"}"), "duplicate \"a\" property in JSON object");
        assert_eq!(json_of(&run("jsondecode", vec![s("{\"a\":1,\"a\":2}")]).unwrap()), r#"{"a":2}"#);
        assert_eq!(json_of(&run("jsondecode", vec![s("[1]]")]).unwrap()), "[1]");
    }

    #[test]
    fn jsonencode() {
        assert_eq!(ok_str("jsonencode", vec![s("<>&")]), r#""\u003c\u003e\u0026""#);
        assert_eq!(ok_str("jsonencode", vec![Value::dynamic_null()]), "null");
        assert_eq!(ok_str("jsonencode", vec![s("é\n\t\u{2028}")]), r#""é\n\t\u2028""#);
        let m = Value::map(Type::Number, [("b".to_string(), Value::int(1)), ("a".to_string(), Value::int(2))].into_iter().collect());
        assert_eq!(ok_str("jsonencode", vec![m]), r#"{"a":2,"b":1}"#);
        assert_eq!(ok_str("jsonencode", vec![Value::number(Number::parse("1e21").unwrap())]), "1000000000000000000000");
        assert_eq!(err("jsonencode", vec![Value::number(Number::infinity(false))]).message, "cannot serialize infinity as JSON");
        let v = run("jsonencode", vec![s("x").sensitive()]).unwrap();
        assert!(v.is_sensitive());
    }

    fn yaml_enc(v: Value) -> String {
        ok_str("yamlencode", vec![v])
    }
    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn yamlencode() {
        assert_eq!(yaml_enc(obj(vec![("a", s("b")), ("c", s("d"))])), "\"a\": \"b\"\n\"c\": \"d\"\n");
        assert_eq!(
            yaml_enc(Value::tuple(vec![Value::int(1), s("a"), Value::bool(true), Value::dynamic_null()])),
            "- 1\n- \"a\"\n- true\n- null\n"
        );
        assert_eq!(yaml_enc(s("multi\nline")), "|-\n  multi\n  line\n");
        assert_eq!(yaml_enc(Value::empty_tuple()), "[]\n");
        assert_eq!(yaml_enc(Value::empty_object()), "{}\n");
        assert_eq!(yaml_enc(Value::number(Number::parse("0.5").unwrap())), "0.5\n...\n");
        assert_eq!(yaml_enc(s("1.0")), "\"1.0\"\n");
        assert_eq!(yaml_enc(Value::dynamic_null()), "null\n...\n");
        assert_eq!(
            yaml_enc(obj(vec![("a", Value::tuple(vec![Value::int(1), Value::int(2)])), ("b", obj(vec![("c", s("x\n"))]))])),
            "\"a\":\n- 1\n- 2\n\"b\":\n  \"c\": |\n    x\n"
        );
        assert_eq!(
            yaml_enc(Value::tuple(vec![Value::tuple(vec![Value::int(1)]), obj(vec![("a", Value::int(1)), ("b", Value::int(2))])])),
            "- - 1\n- \"a\": 1\n  \"b\": 2\n"
        );
        assert_eq!(yaml_enc(s("tab\there \"q\" é 😀")), "\"tab\\there \\\"q\\\" é \\U0001F600\"\n");
        assert_eq!(yaml_enc(s(" lead\n")), "|2\n   lead\n");
        assert_eq!(yaml_enc(s("trail \nx")), "\"trail \\nx\"\n");
        assert_eq!(yaml_enc(s("a\n\n")), "|+\n  a\n\n");
        assert_eq!(yaml_enc(obj(vec![("k", obj(vec![])), ("l", Value::empty_tuple())])), "\"k\": {}\n\"l\": []\n");
        assert_eq!(yaml_enc(obj(vec![("a\nb", s("v"))])), "? |-\n  a\n  b\n: \"v\"\n");
        let long = "word ".repeat(20) + "end";
        assert_eq!(yaml_enc(s(&long)), format!("\"{}\n  {}\"\n", "word ".repeat(17).trim_end(), "word ".repeat(3) + "end"));
    }

    #[test]
    fn yamldecode() {
        let dec = |src: &str| run("yamldecode", vec![s(src)]);
        let v = dec("a: [1, 2]\nb: {c: d}").unwrap();
        assert_eq!(json_of(&v), r#"{"a":[1,2],"b":{"c":"d"}}"#);
        assert_eq!(
            plinth_value::json_type(&v.ty()).to_string(),
            r#"["object",{"a":["tuple",["number","number"]],"b":["object",{"c":"string"}]}]"#
        );
        assert_eq!(dec("yes").unwrap().as_bool(), Some(true));
        assert_eq!(json_of(&dec("0x1F").unwrap()), "31");
        assert_eq!(json_of(&dec("0o17").unwrap()), "15");
        assert_eq!(json_of(&dec("a: &x 1\nb: *x").unwrap()), r#"{"a":1,"b":1}"#);
        assert_eq!(json_of(&dec("'yes'").unwrap()), r#""yes""#);
        assert_eq!(json_of(&dec("~").unwrap()), "null");
        assert_eq!(json_of(&dec("2001-12-14").unwrap()), r#""2001-12-14T00:00:00Z""#);
        assert_eq!(json_of(&dec("2001-12-14t21:59:43.10-05:00").unwrap()), r#""2001-12-14T21:59:43-05:00""#);
        assert_eq!(json_of(&dec("1_000").unwrap()), r#""1_000""#);
        assert_eq!(json_of(&dec("-1.5e3").unwrap()), "-1500");
        assert_eq!(json_of(&dec("!!str 12").unwrap()), r#""12""#);
        assert_eq!(json_of(&dec("!!int \"12\"").unwrap()), r#""12""#);
        assert_eq!(json_of(&dec("!!int 0b11").unwrap()), "3");
        assert_eq!(
            json_of(&dec("base: &b {x: 1, z: 2}\nd:\n  <<: *b\n  z: 3\ny: 1").unwrap()),
            r#"{"base":{"x":1,"z":2},"d":{"x":1,"z":3},"true":1}"#
        );
        assert_eq!(json_of(&dec("- |\n  lit\n- >\n  fold\n  ed\n").unwrap()), r#"["lit\n","fold ed\n"]"#);
        assert_eq!(json_of(&dec("1: a\ntrue: b").unwrap()), r#"{"1":"a","true":"b"}"#);
        let e = |src: &str| match dec(src) {
            Err(CallError::Func(e)) => e.message,
            other => panic!("{other:?}"),
        };
        assert_eq!(e(""), "on line 1, column 1: missing start of document");
        assert_eq!(e("--- 1\n--- 2"), "on line 1, column 1: unexpected extra content after value");
        assert_eq!(e(".nan"), "floating point NaN is not supported");
        assert_eq!(e("!!foo x"), "unsupported tag \"tag:yaml.org,2002:foo\"");
        assert_eq!(e("a: 1\n~: 2"), "on line 1, column 1: mapping key cannot be null");
        assert_eq!(e("!!bool maybe"), "cannot parse \"maybe\" as tag:yaml.org,2002:bool");
        // Nine levels of nine aliases: refused, and quickly, not expanded.
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            laughs += &format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n");
        }
        let started = std::time::Instant::now();
        assert!(e(&laughs).contains("document contains excessive aliasing"), "{}", e(&laughs));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // Six levels (531,441 values) are fine.
        let six: String = laughs.lines().take(6).map(|l| format!("{l}\n")).collect();
        assert!(dec(&six).is_ok());
    }
}
