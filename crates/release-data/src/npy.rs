//! The `.npy` format (versions 1.0, 2.0, 3.0): magic string, header length, a Python dict
//! literal `{'descr': '<f8', 'fortran_order': False, 'shape': (3000, 6, 2, 2), }`, then the raw
//! data. Supported dtypes: floats `f8`, `f4`, `f2` (half precision, decoded by hand; all read as
//! f64), signed and unsigned integers of 1, 2, 4, 8 bytes and `b1` (read as i64), either byte
//! order. Object arrays (pickles), complex, structured, string and date-time dtypes are rejected
//! with a message saying which. Fortran-ordered data are transposed to
//! C order on reading. The data length must match the shape exactly; nothing is allocated before
//! that is checked.

use crate::Array;
use crate::Data;

/// The parsed header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub descr: String,
    pub fortran_order: bool,
    pub shape: Vec<usize>,
}

#[derive(Debug, PartialEq)]
enum Value {
    Str(String),
    Bool(bool),
    Int(u64),
    Tuple(Vec<Value>),
    Other(String),
}

/// A tiny parser for the subset of Python literals numpy writes in headers.
struct Parser<'a> {
    s: &'a [u8],
    p: usize,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.p < self.s.len() && (self.s[self.p] as char).is_ascii_whitespace() {
            self.p += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.p).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        match self.peek() {
            Some(x) if x == c => {
                self.p += 1;
                Ok(())
            }
            Some(x) => Err(format!(
                "header: expected '{}' at position {}, found '{}'",
                c as char, self.p, x as char
            )),
            None => Err(format!("header: expected '{}', found the end", c as char)),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > 8 {
            return Err("header: literal nested too deeply".into());
        }
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => {
                self.p += 1;
                let start = self.p;
                while self.p < self.s.len() && self.s[self.p] != q {
                    if self.s[self.p] == b'\\' {
                        return Err("header: escapes in strings are not supported".into());
                    }
                    self.p += 1;
                }
                if self.p >= self.s.len() {
                    return Err("header: unterminated string".into());
                }
                let v = String::from_utf8(self.s[start..self.p].to_vec())
                    .map_err(|_| "header: string is not UTF-8".to_string())?;
                self.p += 1;
                Ok(Value::Str(v))
            }
            Some(b'(') | Some(b'[') => {
                let close = if self.peek() == Some(b'(') {
                    b')'
                } else {
                    b']'
                };
                self.p += 1;
                let mut items = Vec::new();
                loop {
                    if self.peek() == Some(close) {
                        self.p += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    match self.peek() {
                        Some(b',') => self.p += 1,
                        Some(c) if c == close => {}
                        _ => return Err("header: malformed tuple".into()),
                    }
                }
                Ok(Value::Tuple(items))
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.p;
                while self.p < self.s.len() && self.s[self.p].is_ascii_digit() {
                    self.p += 1;
                }
                // Python 2 long suffix.
                if self.p < self.s.len() && self.s[self.p] == b'L' {
                    self.p += 1;
                }
                let txt = std::str::from_utf8(&self.s[start..self.p]).unwrap_or("");
                txt.trim_end_matches('L')
                    .parse::<u64>()
                    .map(Value::Int)
                    .map_err(|_| format!("header: integer '{txt}' is too large"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.p;
                while self.p < self.s.len()
                    && (self.s[self.p].is_ascii_alphanumeric() || self.s[self.p] == b'_')
                {
                    self.p += 1;
                }
                let word = std::str::from_utf8(&self.s[start..self.p]).unwrap_or("");
                Ok(match word {
                    "True" => Value::Bool(true),
                    "False" => Value::Bool(false),
                    w => Value::Other(w.to_string()),
                })
            }
            Some(c) => Err(format!("header: unexpected character '{}'", c as char)),
            None => Err("header: unexpected end".into()),
        }
    }

    fn dict(&mut self) -> Result<Vec<(String, Value)>, String> {
        self.expect(b'{')?;
        let mut out = Vec::new();
        loop {
            if self.peek() == Some(b'}') {
                self.p += 1;
                break;
            }
            let key = match self.value(0)? {
                Value::Str(s) => s,
                v => return Err(format!("header: dict key {v:?} is not a string")),
            };
            self.expect(b':')?;
            let v = self.value(0)?;
            out.push((key, v));
            match self.peek() {
                Some(b',') => self.p += 1,
                Some(b'}') => {}
                _ => return Err("header: malformed dict".into()),
            }
        }
        Ok(out)
    }
}

/// Parses the header of `bytes` (a whole .npy member); returns it and the data offset.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<(Header, usize), String> {
    const MAGIC: &[u8] = b"\x93NUMPY";
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy array (bad magic string)".into());
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (hlen, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err("header length field is cut short".into());
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        _ => return Err(format!("unsupported .npy format version {major}.{minor}")),
    };
    let end = start
        .checked_add(hlen)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| {
            format!(
                "header of {hlen} bytes extends beyond the member ({} bytes)",
                bytes.len()
            )
        })?;
    let mut p = Parser {
        s: &bytes[start..end],
        p: 0,
    };
    let dict = p.dict()?;
    let get = |k: &str| dict.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let descr = match get("descr") {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Tuple(_)) => {
            return Err("structured dtypes (a list 'descr') are not supported".into())
        }
        _ => return Err("header has no string 'descr'".into()),
    };
    let fortran_order = match get("fortran_order") {
        Some(Value::Bool(b)) => *b,
        _ => return Err("header has no boolean 'fortran_order'".into()),
    };
    let shape = match get("shape") {
        Some(Value::Tuple(items)) => items
            .iter()
            .map(|v| match v {
                Value::Int(n) => {
                    usize::try_from(*n).map_err(|_| format!("dimension {n} is too large"))
                }
                other => Err(format!("shape entry {other:?} is not an integer")),
            })
            .collect::<Result<Vec<usize>, String>>()?,
        _ => return Err("header has no tuple 'shape'".into()),
    };
    Ok((
        Header {
            descr,
            fortran_order,
            shape,
        },
        end,
    ))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Float,
    Int,
    Uint,
    Bool,
}

/// (kind, item size, little endian) of a numpy dtype string such as `<f8`, `|u1`, `>i4`.
fn dtype(descr: &str) -> Result<(Kind, usize, bool), String> {
    let b = descr.as_bytes();
    let (order, rest) = match b.first() {
        Some(b'<' | b'|' | b'=' | b'>') => (b[0], &descr[1..]),
        _ => (b'|', descr),
    };
    let code = rest.as_bytes().first().copied().unwrap_or(b' ');
    let what = match code {
        b'O' => Some("object arrays (Python pickles) are not supported; save plain numbers"),
        b'c' => Some("complex dtypes are not supported; save the real matrix"),
        b'V' => Some("structured/void dtypes are not supported"),
        b'U' | b'S' | b'a' => Some("string dtypes are not supported"),
        b'M' | b'm' => Some("date-time dtypes are not supported"),
        _ => None,
    };
    if let Some(w) = what {
        return Err(format!("dtype '{descr}': {w}"));
    }
    const SUPPORTED: &str = "supported: f2, f4, f8, i1-i8, u1-u8, b1";
    if !matches!(b.first(), Some(b'<' | b'|' | b'=' | b'>')) || b.len() < 3 {
        return Err(format!("unsupported dtype '{descr}' ({SUPPORTED})"));
    }
    let little = order != b'>';
    let size: usize = rest[1..]
        .parse()
        .map_err(|_| format!("unsupported dtype '{descr}' ({SUPPORTED})"))?;
    let kind = match (code, size) {
        (b'f', 2 | 4 | 8) => Kind::Float,
        (b'i', 1 | 2 | 4 | 8) => Kind::Int,
        (b'u', 1 | 2 | 4 | 8) => Kind::Uint,
        (b'b', 1) => Kind::Bool,
        _ => return Err(format!("unsupported dtype '{descr}' ({SUPPORTED})")),
    };
    Ok((kind, size, little))
}

/// IEEE 754 half precision (binary16) to f64, exactly.
pub(crate) fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f64.powi(-24),
        31 if frac == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        e => sign * (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

/// f64 to IEEE 754 half precision, rounding to nearest (ties to even); overflow gives ±inf.
pub(crate) fn f64_to_f16(x: f64) -> u16 {
    let sign: u16 = if x.is_sign_negative() { 0x8000 } else { 0 };
    if x.is_nan() {
        return 0x7e00;
    }
    let a = x.abs();
    if a < 2f64.powi(-14) {
        // Subnormal (or zero): units of 2^-24; 1024 units is the smallest normal, encoded alike.
        return sign | (a * 2f64.powi(24)).round_ties_even() as u16;
    }
    if a.is_infinite() {
        return sign | 0x7c00;
    }
    let mut e = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut frac = ((a / 2f64.powi(e) - 1.0) * 1024.0).round_ties_even() as u16;
    if frac == 1024 {
        e += 1;
        frac = 0;
    }
    if e > 15 {
        return sign | 0x7c00;
    }
    sign | (((e + 15) as u16) << 10) | frac
}

/// The element count and data bytes the header declares, overflow-checked.
fn declared(h: &Header, size: usize) -> Result<(usize, usize), String> {
    let overflow = || {
        format!(
            "shape {:?} of dtype '{}' overflows: more bytes than memory can address",
            h.shape, h.descr
        )
    };
    let count = h
        .shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(overflow)?;
    let need = count.checked_mul(size).ok_or_else(overflow)?;
    Ok((count, need))
}

/// The decoded size (8 bytes a value) against the input limit.
fn within_limit(h: &Header, count: usize) -> Result<(), String> {
    crate::limits::check(
        &format!("the array of shape {:?} (8 bytes a value)", h.shape),
        (count as u64).saturating_mul(8),
    )
}

/// Checks the header at the start of a member of `total` bytes (given its first bytes, `prefix`)
/// before the member is inflated: the declared shape against the input limit and against the
/// member's size. A header that does not fit in `prefix` is left to [`decode`].
pub(crate) fn precheck(prefix: &[u8], total: u64) -> Result<(), String> {
    let (h, start) = match parse_header(prefix) {
        Ok(v) => v,
        Err(_) if (prefix.len() as u64) < total => return Ok(()),
        Err(e) => return Err(e),
    };
    let (_, size, _) = dtype(&h.descr)?;
    let (count, need) = declared(&h, size)?;
    let have = total.saturating_sub(start as u64);
    if have != need as u64 {
        return Err(format!(
            "shape {:?} of dtype '{}' needs {need} data bytes, the member has {have}{}",
            h.shape,
            h.descr,
            if have < need as u64 {
                " (truncated)"
            } else {
                ""
            }
        ));
    }
    within_limit(&h, count)
}

/// Decodes a whole .npy member into a C-ordered array.
pub(crate) fn decode(bytes: &[u8]) -> Result<Array, String> {
    let (h, start) = parse_header(bytes)?;
    let (kind, size, little) = dtype(&h.descr)?;
    let (count, need) = declared(&h, size)?;
    let have = bytes.len() - start;
    if have != need {
        return Err(format!(
            "shape {:?} of dtype '{}' needs {need} data bytes, the member has {have}{}",
            h.shape,
            h.descr,
            if have < need { " (truncated)" } else { "" }
        ));
    }
    within_limit(&h, count)?;
    let raw = &bytes[start..];
    let word = |k: usize| -> [u8; 8] {
        let mut w = [0u8; 8];
        let s = &raw[k * size..(k + 1) * size];
        if little {
            w[..size].copy_from_slice(s);
        } else {
            for (i, v) in s.iter().rev().enumerate() {
                w[i] = *v;
            }
        }
        w
    };
    let data = match kind {
        Kind::Float => Data::F64(
            (0..count)
                .map(|k| {
                    let w = word(k);
                    match size {
                        8 => f64::from_le_bytes(w),
                        4 => f32::from_le_bytes([w[0], w[1], w[2], w[3]]) as f64,
                        _ => f16_to_f64(u16::from_le_bytes([w[0], w[1]])),
                    }
                })
                .collect(),
        ),
        Kind::Int | Kind::Uint | Kind::Bool => {
            let mut out = Vec::with_capacity(count);
            for k in 0..count {
                let w = word(k);
                let u = u64::from_le_bytes(w);
                let v = match kind {
                    Kind::Int => {
                        // Sign-extend from `size` bytes.
                        let shift = 64 - 8 * size as u32;
                        ((u << shift) as i64) >> shift
                    }
                    Kind::Bool => i64::from(u != 0),
                    _ => i64::try_from(u)
                        .map_err(|_| format!("unsigned value {u} does not fit in i64"))?,
                };
                out.push(v);
            }
            Data::I64(out)
        }
    };
    let data = if h.fortran_order && h.shape.len() > 1 {
        fortran_to_c(&h.shape, data)
    } else {
        data
    };
    Ok(Array {
        shape: h.shape,
        data,
        descr: h.descr,
        fortran_order: h.fortran_order,
    })
}

/// Reorders column-major data to row-major.
fn fortran_to_c(shape: &[usize], data: Data) -> Data {
    fn perm<T: Copy>(shape: &[usize], v: &[T]) -> Vec<T> {
        let n = v.len();
        let nd = shape.len();
        // Fortran strides.
        let mut fstride = vec![1usize; nd];
        for k in 1..nd {
            fstride[k] = fstride[k - 1] * shape[k - 1];
        }
        let mut idx = vec![0usize; nd];
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let f: usize = idx.iter().zip(&fstride).map(|(i, s)| i * s).sum();
            out.push(v[f]);
            // Increment the C-order multi-index (last axis fastest).
            for k in (0..nd).rev() {
                idx[k] += 1;
                if idx[k] < shape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        out
    }
    match data {
        Data::F64(v) => Data::F64(perm(shape, &v)),
        Data::I64(v) => Data::I64(perm(shape, &v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_round_trips() {
        for h in 0u16..=u16::MAX {
            let x = f16_to_f64(h);
            if x.is_nan() {
                assert_eq!(f64_to_f16(x) & 0x7c00, 0x7c00);
            } else {
                assert_eq!(f64_to_f16(x), h, "{h:#06x} -> {x}");
            }
        }
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x7bff), 65504.0);
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(f64_to_f16(1e6), 0x7c00);
        assert_eq!(f64_to_f16(1.0 + 1.0 / 2048.0), 0x3c00); // tie to even
    }

    #[test]
    fn header_literals() {
        let h = b"{'descr': '<f8', 'fortran_order': False, 'shape': (3000, 6, 2, 2), }";
        let mut p = Parser { s: h, p: 0 };
        let d = p.dict().unwrap();
        assert_eq!(d.len(), 3);
        let h2 = b"{\"descr\": \">i4\", \"fortran_order\": True, \"shape\": (), }";
        let mut p = Parser { s: h2, p: 0 };
        assert_eq!(p.dict().unwrap()[2].1, Value::Tuple(vec![]));
        let h3 = b"{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }";
        let mut p = Parser { s: h3, p: 0 };
        assert_eq!(p.dict().unwrap()[2].1, Value::Tuple(vec![Value::Int(5)]));
        for bad in [
            &b"{'descr': '<f8'"[..],
            b"{'descr' '<f8'}",
            b"('a')",
            b"{'x': 'unterminated}",
        ] {
            let mut p = Parser { s: bad, p: 0 };
            assert!(p.dict().is_err(), "{:?}", std::str::from_utf8(bad));
        }
        assert!(dtype("<c16").unwrap_err().contains("complex"));
        assert!(dtype("O").unwrap_err().contains("pickles"));
        assert!(dtype("|O").unwrap_err().contains("pickles"));
        assert!(dtype("<U8").unwrap_err().contains("string"));
        assert!(dtype("").is_err());
        assert!(dtype("<").is_err());
        assert_eq!(dtype("<f2").unwrap(), (Kind::Float, 2, true));
        assert_eq!(dtype(">i2").unwrap(), (Kind::Int, 2, false));
    }
}
