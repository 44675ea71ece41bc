//! The few DER shapes the key encodings need: reading one TLV, writing
//! sequences, integers, octet and bit strings, OIDs and explicit tags.

/// Reads one element: its tag, its contents and what follows it.
pub fn read(input: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let bad = || "invalid DER encoding".to_string();
    let (&tag, rest) = input.split_first().ok_or_else(bad)?;
    let (&first, mut rest) = rest.split_first().ok_or_else(bad)?;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return Err(bad());
        }
        let len = rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return Err(bad());
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(content: &[u8]) -> Vec<u8> {
    tlv(0x30, content)
}

pub fn int_small(n: u8) -> Vec<u8> {
    assert!(n < 0x80, "small non-negative integers only");
    tlv(0x02, &[n])
}

pub fn octets(content: &[u8]) -> Vec<u8> {
    tlv(0x04, content)
}

/// A BIT STRING with no unused bits.
pub fn bit_string(content: &[u8]) -> Vec<u8> {
    tlv(0x03, &[&[0u8][..], content].concat())
}

/// An OBJECT IDENTIFIER from its encoded contents.
pub fn oid(encoded: &[u8]) -> Vec<u8> {
    tlv(0x06, encoded)
}

/// `[n] EXPLICIT`, constructed.
pub fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, content)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_long_lengths() {
        let long = vec![7u8; 300];
        let enc = super::octets(&long);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (tag, content, rest) = super::read(&enc).expect("read");
        assert_eq!((tag, content.len(), rest.len()), (0x04, 300, 0));
        assert!(super::read(&[0x04, 0x05, 1]).is_err());
    }
}
