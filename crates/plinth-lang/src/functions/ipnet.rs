//! IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets.
//!
//! These follow Terraform's implementation closely, quirks included: its fork
//! of Go's `net.ParseCIDR` (leading zeros allowed in IPv4 octets), Go's
//! `net.IP`/`net.IPNet` printing rules, and github.com/apparentlymart/go-cidr's
//! arithmetic and messages.

use num_bigint::{BigInt, Sign};
use num_traits::{One, Signed, ToPrimitive, Zero};
use plinth_value::{Type, Value};

use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    let prefix = || Param::new("prefix", Type::String);
    let st = fixed_type!(Type::String);
    r.add("cidrhost", Function::new(vec![prefix(), Param::new("hostnum", Type::Number)], st, cidrhost));
    r.add("cidrnetmask", Function::new(vec![prefix()], st, cidrnetmask));
    r.add(
        "cidrsubnet",
        Function::new(vec![prefix(), Param::new("newbits", Type::Number), Param::new("netnum", Type::Number)], st, cidrsubnet),
    );
    r.add(
        "cidrsubnets",
        Function::new(vec![prefix()], fixed_type!(Type::list(Type::String)), cidrsubnets).variadic(Param::new("newbits", Type::Number)),
    );
}

// ---- Go net.IP / net.IPNet ------------------------------------------------------------

const V4_IN_V6: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

type Ip = Vec<u8>;

/// `net.IPNet`; a `None` mask is Go's nil mask.
#[derive(Clone, Debug)]
struct Net {
    ip: Ip,
    mask: Option<Vec<u8>>,
}

fn to4(ip: &[u8]) -> Option<Ip> {
    match ip.len() {
        4 => Some(ip.to_vec()),
        16 if ip[..12] == V4_IN_V6 => Some(ip[12..].to_vec()),
        _ => None,
    }
}

fn check_v4(ip: &[u8]) -> Ip {
    to4(ip).unwrap_or_else(|| ip.to_vec())
}

/// `net.CIDRMask`.
fn cidr_mask(ones: i64, bits: usize) -> Option<Vec<u8>> {
    if ones < 0 || ones as usize > bits || (bits != 32 && bits != 128) {
        return None;
    }
    let ones = ones as usize;
    Some(
        (0..bits / 8)
            .map(|i| {
                let n = ones.saturating_sub(i * 8).min(8);
                (0xffu16 << (8 - n)) as u8
            })
            .collect(),
    )
}

/// `IPMask.Size`: (ones, bits), or (0, 0) for a non-canonical mask.
fn mask_size(mask: &Option<Vec<u8>>) -> (i64, i64) {
    let Some(m) = mask else { return (0, 0) };
    match simple_mask_length(m) {
        Some(l) => (l, m.len() as i64 * 8),
        None => (0, 0),
    }
}

fn simple_mask_length(m: &[u8]) -> Option<i64> {
    let mut n = 0;
    let mut seen_zero = false;
    for &b in m {
        if seen_zero && b != 0 {
            return None;
        }
        if b == 0xff {
            n += 8;
            continue;
        }
        seen_zero = true;
        if b.leading_ones() + b.trailing_zeros() != 8 {
            return None;
        }
        n += b.leading_ones() as i64;
    }
    Some(n)
}

/// `IP.Mask`.
fn ip_mask(ip: &[u8], mask: &Option<Vec<u8>>) -> Option<Ip> {
    let mut m: &[u8] = mask.as_deref()?;
    let mut ip = ip;
    if m.len() == 16 && ip.len() == 4 && m[..12].iter().all(|&b| b == 0xff) {
        m = &m[12..];
    }
    if m.len() == 4 && ip.len() == 16 && ip[..12] == V4_IN_V6 {
        ip = &ip[12..];
    }
    if m.len() != ip.len() {
        return None;
    }
    Some(ip.iter().zip(m).map(|(a, b)| a & b).collect())
}

/// `IP.String`.
fn ip_string(ip: &[u8]) -> String {
    if ip.is_empty() {
        return "<nil>".into();
    }
    if let Some(v4) = to4(ip) {
        return format!("{}.{}.{}.{}", v4[0], v4[1], v4[2], v4[3]);
    }
    if ip.len() != 16 {
        return format!("?{}", ip.iter().map(|b| format!("{b:02x}")).collect::<String>());
    }
    let groups: Vec<u16> = ip.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
    // Longest run (first on ties) of at least two zero groups becomes "::".
    let (mut best_start, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if groups[i] == 0 {
            let start = i;
            while i < 8 && groups[i] == 0 {
                i += 1;
            }
            if i - start >= 2 && i - start > best_len {
                best_start = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            out.push_str("::");
            i += best_len;
            continue;
        }
        if i > 0 && !out.ends_with(':') {
            out.push(':');
        }
        out.push_str(&format!("{:x}", groups[i]));
        i += 1;
    }
    out
}

fn network_number_and_mask(n: &Net) -> Option<(Ip, Vec<u8>)> {
    let ip = match to4(&n.ip) {
        Some(v4) => v4,
        None if n.ip.len() == 16 => n.ip.clone(),
        None => return None,
    };
    let m = n.mask.clone()?;
    match m.len() {
        4 if ip.len() != 4 => None,
        4 => Some((ip, m)),
        16 if ip.len() == 4 => Some((ip, m[12..].to_vec())),
        16 => Some((ip, m)),
        _ => None,
    }
}

/// `IPNet.String`.
fn net_string(n: &Net) -> String {
    let Some((nn, m)) = network_number_and_mask(n) else { return "<nil>".into() };
    match simple_mask_length(&m) {
        Some(l) => format!("{}/{}", ip_string(&nn), l),
        None => format!("{}/{}", ip_string(&nn), m.iter().map(|b| format!("{b:02x}")).collect::<String>()),
    }
}

/// `IPNet.Contains`.
fn net_contains(n: &Net, ip: &[u8]) -> bool {
    let Some((nn, m)) = network_number_and_mask(n) else { return false };
    let ip = to4(ip).unwrap_or_else(|| ip.to_vec());
    ip.len() == nn.len() && (0..ip.len()).all(|i| nn[i] & m[i] == ip[i] & m[i])
}

// ---- Terraform's ipaddr.ParseCIDR ------------------------------------------------------

fn dtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        n = n * 10 + (s[i] - b'0') as u32;
        if n >= 0xFFFFFF {
            return None;
        }
        i += 1;
    }
    if i == 0 {
        None
    } else {
        Some((n, i))
    }
}

fn xtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while i < s.len() {
        let Some(d) = (s[i] as char).to_digit(16) else { break };
        n = n * 16 + d;
        if n >= 0xFFFFFF {
            return None;
        }
        i += 1;
    }
    if i == 0 {
        None
    } else {
        Some((n, i))
    }
}

/// IPv4 in dotted form, as the 16-byte v4-in-v6 address Go returns.
fn parse_v4(s: &[u8]) -> Option<Ip> {
    let mut p = [0u8; 4];
    let mut s = s;
    for (i, slot) in p.iter_mut().enumerate() {
        if s.is_empty() {
            return None;
        }
        if i > 0 {
            if s[0] != b'.' {
                return None;
            }
            s = &s[1..];
        }
        let (n, c) = dtoi(s)?;
        if n > 0xff {
            return None;
        }
        s = &s[c..];
        *slot = n as u8;
    }
    if !s.is_empty() {
        return None;
    }
    let mut ip = V4_IN_V6.to_vec();
    ip.extend_from_slice(&p);
    Some(ip)
}

fn parse_v6(s: &[u8]) -> Option<Ip> {
    let mut ip = vec![0u8; 16];
    let mut ellipsis: Option<usize> = None;
    let mut s = s;
    if s.len() >= 2 && s[0] == b':' && s[1] == b':' {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Some(ip);
        }
    }
    let mut i = 0;
    while i < 16 {
        let (n, c) = xtoi(s)?;
        if n > 0xffff {
            return None;
        }
        if c < s.len() && s[c] == b'.' {
            if ellipsis.is_none() && i != 12 {
                return None;
            }
            if i + 4 > 16 {
                return None;
            }
            let v4 = parse_v4(s)?;
            ip[i..i + 4].copy_from_slice(&v4[12..]);
            s = &[];
            i += 4;
            break;
        }
        ip[i] = (n >> 8) as u8;
        ip[i + 1] = n as u8;
        i += 2;
        s = &s[c..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' || s.len() == 1 {
            return None;
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return None;
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return None;
    }
    if i < 16 {
        let e = ellipsis?;
        let n = 16 - i;
        for j in (e..i).rev() {
            ip[j + n] = ip[j];
        }
        for b in ip.iter_mut().skip(e).take(n) {
            *b = 0;
        }
    } else if ellipsis.is_some() {
        return None;
    }
    Some(ip)
}

/// Returns the network, or the error text after "invalid CIDR expression: ".
fn parse_cidr(s: &str) -> Result<Net, String> {
    let err = || format!("invalid CIDR address: {s}");
    let i = s.find('/').ok_or_else(err)?;
    let (addr, mask) = (&s.as_bytes()[..i], &s.as_bytes()[i + 1..]);
    let (ip, iplen) = match parse_v4(addr) {
        Some(ip) => (ip, 4),
        None => (parse_v6(addr).ok_or_else(err)?, 16),
    };
    let (n, used) = dtoi(mask).ok_or_else(err)?;
    if used != mask.len() || n as usize > 8 * iplen {
        return Err(err());
    }
    let m = cidr_mask(n as i64, 8 * iplen);
    let masked = ip_mask(&ip, &m).ok_or_else(err)?;
    Ok(Net { ip: masked, mask: m })
}

// ---- go-cidr -------------------------------------------------------------------------

fn ip_to_int(ip: &[u8]) -> (BigInt, usize) {
    (BigInt::from_bytes_be(Sign::Plus, ip), ip.len() * 8)
}

/// `intToIP`; Go panics when the number does not fit, reported here as an error.
fn int_to_ip(n: &BigInt, bits: usize) -> Result<Ip, FuncError> {
    let (_, bytes) = n.to_bytes_be();
    let bytes: &[u8] = if n.is_zero() { &[] } else { &bytes };
    let mut ret = vec![0u8; bits / 8];
    if bytes.len() > ret.len() {
        return Err(FuncError::call("panic in function implementation: runtime error: index out of range"));
    }
    let off = ret.len() - bytes.len();
    ret[off..].copy_from_slice(bytes);
    Ok(ret)
}

fn insert_num_into_ip(ip: &[u8], num: &BigInt, prefix_len: i64) -> Result<Ip, FuncError> {
    let (ip_int, total) = ip_to_int(ip);
    let shift = total as i64 - prefix_len;
    let shifted = if shift >= 0 { num << (shift as usize) } else { num >> ((-shift) as usize) };
    int_to_ip(&(ip_int | shifted), total)
}

/// Go's `big.Int.Uint64`: the low 64 bits of the magnitude.
fn low_u64(n: &BigInt) -> u64 {
    let (_, digits) = n.to_u64_digits();
    digits.first().copied().unwrap_or(0)
}

fn subnet_big(base: &Net, new_bits: i64, num: &BigInt) -> Result<Net, FuncError> {
    let (parent_len, addr_len) = mask_size(&base.mask);
    let new_prefix_len = parent_len.wrapping_add(new_bits);
    if new_prefix_len > addr_len {
        return Err(FuncError::call(format!("insufficient address space to extend prefix of {parent_len} by {new_bits}")));
    }
    let max_net_num: u64 = if (0..64).contains(&new_bits) { (1u64 << new_bits) - 1 } else { u64::MAX };
    if low_u64(num) > max_net_num {
        return Err(FuncError::call(format!("prefix extension of {new_bits} does not accommodate a subnet numbered {num}")));
    }
    Ok(Net { ip: insert_num_into_ip(&base.ip, num, new_prefix_len)?, mask: cidr_mask(new_prefix_len, addr_len as usize) })
}

fn host_big(base: &Net, num: &BigInt) -> Result<Ip, FuncError> {
    let (parent_len, addr_len) = mask_size(&base.mask);
    let host_len = (addr_len - parent_len) as usize;
    let max_host = (BigInt::one() << host_len) - 1;
    let mut num = num.clone();
    let mut num_u = BigInt::from(low_u64(&num) as i64);
    if num.is_negative() {
        num_u = -&num - 1;
        num = &max_host - &num_u;
    }
    if num_u > max_host {
        return Err(FuncError::call(format!("prefix of {parent_len} does not accommodate a host numbered {num}")));
    }
    let bit_length = if to4(&base.ip).is_some() { 32 } else { 128 };
    insert_num_into_ip(&base.ip, &num, bit_length)
}

fn address_range_last(n: &Net) -> Result<Ip, FuncError> {
    let (prefix, bits) = mask_size(&n.mask);
    if prefix == bits {
        return Ok(n.ip.clone());
    }
    let (first, ip_bits) = ip_to_int(&n.ip);
    let host_len = (bits - prefix).max(0) as usize;
    let last = ((BigInt::one() << host_len) - 1) | first;
    int_to_ip(&last, ip_bits)
}

fn inc(ip: &[u8]) -> Ip {
    let mut ip = check_v4(ip);
    for b in ip.iter_mut().rev() {
        *b = b.wrapping_add(1);
        if *b > 0 {
            break;
        }
    }
    ip
}

fn dec(ip: &[u8]) -> Ip {
    let mut ip = check_v4(ip);
    for b in ip.iter_mut().rev() {
        *b = b.wrapping_sub(1);
        if *b < 255 {
            break;
        }
    }
    ip
}

fn previous_subnet(n: &Net, prefix_len: i64) -> Net {
    let start = check_v4(&n.ip);
    let prev = dec(&start);
    let m = cidr_mask(prefix_len, 8 * prev.len());
    Net { ip: ip_mask(&prev, &m).unwrap_or_default(), mask: m }
}

fn next_subnet(n: &Net, prefix_len: i64) -> Result<(Net, bool), FuncError> {
    let current_last = address_range_last(n)?;
    let m = cidr_mask(prefix_len, 8 * current_last.len());
    let current = Net { ip: ip_mask(&current_last, &m).unwrap_or_default(), mask: m.clone() };
    let last = inc(&address_range_last(&current)?);
    let next = Net { ip: ip_mask(&last, &m).unwrap_or_default(), mask: m };
    let rollover = last.iter().all(|&b| b == 0);
    Ok((next, rollover))
}

// ---- argument conversion (gocty) ----------------------------------------------------------

fn to_bigint(v: &Value) -> Result<BigInt, String> {
    let n = v.as_number().expect("number");
    if n.is_infinite() || !n.is_integer() {
        return Err("value must be a whole number".into());
    }
    n.to_bigint().ok_or_else(|| "value must be a whole number".into())
}

fn to_int(v: &Value) -> Result<i64, String> {
    let err = || format!("value must be a whole number, between {} and {}", i64::MIN, i64::MAX);
    let n = v.as_number().expect("number");
    if n.is_infinite() || !n.is_integer() {
        return Err(err());
    }
    n.to_bigint().and_then(|b| b.to_i64()).ok_or_else(err)
}

fn prefix_arg(args: &[Value]) -> &str {
    args[0].as_str().expect("string")
}

fn parse_prefix(args: &[Value]) -> Result<Net, FuncError> {
    parse_cidr(prefix_arg(args)).map_err(|e| FuncError::call(format!("invalid CIDR expression: {e}")))
}

// ---- functions ----------------------------------------------------------------------------

fn cidrhost(_: &CallCtx, args: &[Value]) -> FuncResult {
    let hostnum = to_bigint(&args[1]).map_err(FuncError::call)?;
    let net = parse_prefix(args)?;
    Ok(Value::string(ip_string(&host_big(&net, &hostnum)?)))
}

fn cidrnetmask(_: &CallCtx, args: &[Value]) -> FuncResult {
    let net = parse_prefix(args)?;
    if to4(&net.ip).is_none() {
        return Err(FuncError::call(format!("IPv6 addresses cannot have a netmask: {}", prefix_arg(args))));
    }
    Ok(Value::string(ip_string(net.mask.as_deref().unwrap_or_default())))
}

fn cidrsubnet(_: &CallCtx, args: &[Value]) -> FuncResult {
    let newbits = to_int(&args[1]).map_err(FuncError::call)?;
    let netnum = to_bigint(&args[2]).map_err(FuncError::call)?;
    let net = parse_prefix(args)?;
    Ok(Value::string(net_string(&subnet_big(&net, newbits, &netnum)?)))
}

fn cidrsubnets(_: &CallCtx, args: &[Value]) -> FuncResult {
    let net = parse_cidr(prefix_arg(args)).map_err(|e| FuncError::arg(0, format!("invalid CIDR expression: {e}")))?;
    let (start_len, _) = mask_size(&net.mask);
    let lengths = &args[1..];
    if lengths.is_empty() {
        return Ok(Value::list(Type::String, vec![]));
    }
    let first = to_int(&lengths[0]).map_err(|e| FuncError::arg(1, e))?.wrapping_add(start_len);
    let mut current = previous_subnet(&net, first);
    let mut out = Vec::with_capacity(lengths.len());
    for (i, arg) in lengths.iter().enumerate() {
        let length = to_int(arg).map_err(|e| FuncError::arg(i + 1, e))?;
        if length < 1 {
            return Err(FuncError::arg(i + 1, "must extend prefix by at least one bit"));
        }
        if length > 32 {
            return Err(FuncError::arg(i + 1, "may not extend prefix by more than 32 bits"));
        }
        let length = length + start_len;
        let addr_bits = net.ip.len() as i64 * 8;
        if length > addr_bits {
            let protocol = match addr_bits {
                32 => "IPv4",
                128 => "IPv6",
                _ => "IP",
            };
            return Err(FuncError::arg(
                i + 1,
                format!("would extend prefix to {length} bits, which is too long for an {protocol} address"),
            ));
        }
        let (next, rollover) = next_subnet(&current, length)?;
        if rollover || !net_contains(&net, &next.ip) {
            return Err(FuncError::arg(
                i + 1,
                format!("not enough remaining address space for a subnet with a prefix of {length} bits after {}", net_string(&current)),
            ));
        }
        current = next;
        out.push(Value::string(net_string(&current)));
    }
    Ok(Value::list(Type::String, out))
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
    fn n(i: i64) -> Value {
        Value::int(i)
    }
    fn ok(name: &str, args: Vec<Value>) -> String {
        run(name, args).unwrap().as_str().unwrap().to_string()
    }
    fn err(name: &str, args: Vec<Value>) -> FuncError {
        match run(name, args) {
            Err(CallError::Func(e)) => e,
            other => panic!("expected error, got {other:?}"),
        }
    }
    fn list(v: Value) -> Vec<String> {
        v.as_seq().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn cidrhost() {
        assert_eq!(ok("cidrhost", vec![s("10.12.112.0/20"), n(16)]), "10.12.112.16");
        assert_eq!(ok("cidrhost", vec![s("10.12.112.0/20"), n(268)]), "10.12.113.12");
        assert_eq!(ok("cidrhost", vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34)]), "fd00:fd12:3456:7890::22");
        assert_eq!(ok("cidrhost", vec![s("10.0.0.0/24"), n(-1)]), "10.0.0.255");
        assert_eq!(ok("cidrhost", vec![s("010.0.0.0/24"), n(5)]), "10.0.0.5");
        assert_eq!(ok("cidrhost", vec![s("::/0"), n(1)]), "::1");
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/24"), n(-257)]),
            FuncError::call("prefix of 24 does not accommodate a host numbered -1")
        );
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/24"), n(256)]),
            FuncError::call("prefix of 24 does not accommodate a host numbered 256")
        );
        assert_eq!(err("cidrhost", vec![s("10.0.0.0"), n(1)]), FuncError::call("invalid CIDR expression: invalid CIDR address: 10.0.0.0"));
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/24"), Value::number(Number::from_f64(1.5).unwrap())]),
            FuncError::call("value must be a whole number")
        );
    }

    #[test]
    fn cidrnetmask() {
        assert_eq!(ok("cidrnetmask", vec![s("10.0.0.0/32")]), "255.255.255.255");
        assert_eq!(ok("cidrnetmask", vec![s("10.1.2.3/23")]), "255.255.254.0");
        assert_eq!(ok("cidrnetmask", vec![s("0.0.0.0/0")]), "0.0.0.0");
        assert_eq!(err("cidrnetmask", vec![s("bad")]), FuncError::call("invalid CIDR expression: invalid CIDR address: bad"));
        assert_eq!(
            err("cidrnetmask", vec![s("10.0.0.0/40")]),
            FuncError::call("invalid CIDR expression: invalid CIDR address: 10.0.0.0/40")
        );
        assert_eq!(err("cidrnetmask", vec![s("fd00::/64")]), FuncError::call("IPv6 addresses cannot have a netmask: fd00::/64"));
    }

    #[test]
    fn cidrsubnet() {
        assert_eq!(ok("cidrsubnet", vec![s("172.16.0.0/12"), n(4), n(2)]), "172.18.0.0/16");
        assert_eq!(ok("cidrsubnet", vec![s("10.1.2.0/24"), n(4), n(15)]), "10.1.2.240/28");
        assert_eq!(ok("cidrsubnet", vec![s("fd00:fd12:3456:7890::/56"), n(16), n(162)]), "fd00:fd12:3456:7800:a200::/72");
        assert_eq!(ok("cidrsubnet", vec![s("10.0.0.0/8"), n(-1), n(0)]), "10.0.0.0/7");
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/24"), n(4), n(16)]),
            FuncError::call("prefix extension of 4 does not accommodate a subnet numbered 16")
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/30"), n(3), n(0)]),
            FuncError::call("insufficient address space to extend prefix of 30 by 3")
        );
        assert_eq!(err("cidrsubnet", vec![s("nope"), n(8), n(0)]), FuncError::call("invalid CIDR expression: invalid CIDR address: nope"));
    }

    #[test]
    fn cidrsubnets() {
        assert_eq!(
            list(run("cidrsubnets", vec![s("10.1.0.0/16"), n(4), n(4), n(8), n(4)]).unwrap()),
            vec!["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]
        );
        assert_eq!(
            list(run("cidrsubnets", vec![s("fd00:fd12:3456:7890::/56"), n(16), n(16), n(16), n(32)]).unwrap()),
            vec![
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ]
        );
        assert_eq!(list(run("cidrsubnets", vec![s("10.0.0.0/24"), n(8), n(1)]).unwrap()), vec!["10.0.0.0/32", "10.0.0.128/25"]);
        assert_eq!(list(run("cidrsubnets", vec![s("10.0.0.0/24")]).unwrap()), Vec::<String>::new());
        assert_eq!(
            err("cidrsubnets", vec![s("10.0.0.0/24"), n(1), n(1), n(1)]),
            FuncError::arg(3, "not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25")
        );
        assert_eq!(err("cidrsubnets", vec![s("10.0.0.0/24"), n(-1)]), FuncError::arg(1, "must extend prefix by at least one bit"));
        assert_eq!(err("cidrsubnets", vec![s("10.0.0.0/24"), n(33)]), FuncError::arg(1, "may not extend prefix by more than 32 bits"));
        assert_eq!(
            err("cidrsubnets", vec![s("10.0.0.0/24"), n(9)]),
            FuncError::arg(1, "would extend prefix to 33 bits, which is too long for an IPv4 address")
        );
        assert_eq!(err("cidrsubnets", vec![s("x"), n(9)]), FuncError::arg(0, "invalid CIDR expression: invalid CIDR address: x"));
    }

    #[test]
    fn ip_strings() {
        assert_eq!(ip_string(&parse_v6(b"2001:db8:0:0:1:0:0:1").unwrap()), "2001:db8::1:0:0:1");
        assert_eq!(ip_string(&parse_v6(b"::ffff:1.2.3.4").unwrap()), "1.2.3.4");
        assert_eq!(ip_string(&parse_v6(b"1:0:1:0:1:0:1:0").unwrap()), "1:0:1:0:1:0:1:0");
        assert!(parse_v6(b"1::2::3").is_none());
    }
}
