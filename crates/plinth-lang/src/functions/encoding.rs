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
    r.add(
        "base64decode",
        Function::new(vec![s().allow_marked()], fixed_type!(Type::String), base64decode),
    );
    r.add("base64encode", Function::new(vec![s()], fixed_type!(Type::String), base64encode));
    r.add("base64gzip", Function::new(vec![s()], fixed_type!(Type::String), base64gzip));
    r.add("csvdecode", Function::new(vec![s()], csvdecode_type, csvdecode));
    r.add("jsondecode", Function::new(vec![s()], fixed_type!(Type::Dynamic), jsondecode));
    r.add(
        "jsonencode",
        Function::new(vec![Param::new("val", Type::Dynamic).allow_null()], fixed_type!(Type::String), jsonencode),
    );
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
    r.add(
        "yamlencode",
        Function::new(vec![Param::new("value", Type::Dynamic).allow_null()], fixed_type!(Type::String), yamlencode),
    );
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args[i].as_str().expect("converted to string")
}

// ---- Go compatibility helpers ------------------------------------------------

/// Go's `%q` (`strconv.Quote`) of a string.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if !go_is_print(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` for non-ASCII characters.
fn go_is_print(c: char) -> bool {
    if c.is_control() {
        return false;
    }
    let u = c as u32;
    !(matches!(u, 0xad | 0x2028..=0x202e | 0x200b..=0x200f | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb)
        || (0xe000..=0xf8ff).contains(&u)
        || (0xd800..=0xdfff).contains(&u)
        || u == 0x00a0
        || (0x2000..=0x200a).contains(&u)
        || u == 0x3000
        || u == 0x1680
        || u == 0x205f
        || u >= 0xf0000)
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
    let decoded =
        go_base64_decode(s).map_err(|_| FuncError::call(format!("failed to decode base64 data {}", redact(s, marks))))?;
    let text = String::from_utf8(decoded)
        .map_err(|_| FuncError::call("the result of decoding the provided string is not valid UTF-8"))?;
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
            &["us-ascii", "iso-ir-6", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso_646.irv:1991", "iso646-us", "us", "ibm367", "cp367", "csascii"],
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
        (&["iso-8859-14", "iso-ir-199", "iso_8859-14:1998", "iso_8859-14", "latin8", "iso-celtic", "l8", "csiso885914"], "ISO-8859-14", Codec::Rs(e::ISO_8859_14)),
        (&["iso-8859-15", "iso_8859-15", "latin-9", "csiso885915"], "ISO-8859-15", Codec::Rs(e::ISO_8859_15)),
        (&["iso-8859-16", "iso-ir-226", "iso_8859-16:2001", "iso_8859-16", "latin10", "l10", "csiso885916"], "ISO-8859-16", Codec::Rs(e::ISO_8859_16)),
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
                .map(|c| if c.len() == 2 { if big_endian { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) } } else { 0xd800 })
                .collect();
            char::decode_utf16(units).map(|r| r.unwrap_or('\u{fffd}')).collect()
        }
        Codec::Rs(enc) => enc.decode_without_bom_handling(b).0.into_owned(),
    }
}

fn textencodebase64(_: &CallCtx, args: &[Value]) -> FuncResult {
    let name = str_arg(args, 1);
    let (canon, codec) = iana_lookup(name).ok_or_else(|| unsupported_encoding(name))?;
    let bytes = encode_text(str_arg(args, 0), codec).ok_or_else(|| {
        FuncError::arg(0, format!("the given string contains characters that cannot be represented in {canon}"))
    })?;
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
                let attrs: BTreeMap<String, Value> =
                    headers.iter().cloned().zip(cols.into_iter().map(Value::string)).collect();
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
    match &v.kind {
        Kind::Number(n) => n.is_infinite(),
        _ => v.as_seq().map(|xs| xs.iter().any(has_infinity)).unwrap_or(false)
            || v.as_entries().map(|m| m.values().any(has_infinity)).unwrap_or(false),
    }
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
                State::TopValue | State::ArrayStart | State::ArrayValue | State::ObjectValue => {
                    " looking for beginning of value"
                }
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
    yaml::decode(str_arg(args, 0)).map_err(FuncError::call)
}

fn yamlencode(_: &CallCtx, args: &[Value]) -> FuncResult {
    yaml::encode(&args[0]).map(Value::string).map_err(FuncError::call)
}

/// YAML, as go-cty-yaml (a libyaml port) reads and writes it.
mod yaml {
    use plinth_value::Value;

    pub(super) fn decode(src: &str) -> Result<Value, String> {
        let _ = src;
        Err("not written".into())
    }

    pub(super) fn encode(v: &Value) -> Result<String, String> {
        let _ = v;
        Err("not written".into())
    }
}

/// gzip output byte-identical to Go's `compress/gzip` at the default level,
/// after `Flush` and `Close` (as `base64gzip` does).
mod gzip {
    pub(super) fn gzip_go(data: &[u8]) -> Vec<u8> {
        let _ = data;
        Vec::new()
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
        assert_eq!(
            err("csvdecode", vec![s("a\n\"x\"y")]).message,
            "CSV parse error on line 2: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            err("csvdecode", vec![s("a\n\"xy")]).message,
            "CSV parse error on line 2: extraneous or missing \" in quoted-field"
        );
    }

    #[test]
    fn jsondecode() {
        let v = run("jsondecode", vec![s("{\"hello\": \"world\"}")]).unwrap();
        assert_eq!(json_of(&v), r#"{"hello":"world"}"#);
        let v = run("jsondecode", vec![s("[1, \"a\", null]")]).unwrap();
        assert_eq!(plinth_value::json_type(&v.ty()).to_string(), r#"["tuple",["number","string","dynamic"]]"#);
        let v = run("jsondecode", vec![s("{\"b\":1,\"a\":{\"c\":[]}}")]).unwrap();
        assert_eq!(
            plinth_value::json_type(&v.ty()).to_string(),
            r#"["object",{"a":["object",{"c":["tuple",[]]}],"b":"number"}]"#
        );
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
        assert_eq!(
            err("jsonencode", vec![Value::number(Number::infinity(false))]).message,
            "cannot serialize infinity as JSON"
        );
        let v = run("jsonencode", vec![s("x").sensitive()]).unwrap();
        assert!(v.is_sensitive());
    }
}
