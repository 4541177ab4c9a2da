//! A small `.npz` writer: `.npy` v1.0 members (little endian, C or Fortran order) in a zip
//! archive, stored (the layout of `numpy.savez`) or deflated (`savez_compressed`). Used by the tests (hand-made files
//! with known contents) and to export simulations in the authors' format.

use std::path::Path;

/// Builds an archive member by member.
#[derive(Clone, Debug, Default)]
pub struct NpzWriter {
    members: Vec<Member>,
}

/// One member as it goes into the archive: its name, compression method (0 stored, 8
/// deflate), the bytes as stored, and the uncompressed size and CRC-32 the headers declare.
#[derive(Clone, Debug)]
struct Member {
    name: String,
    method: u16,
    data: Vec<u8>,
    size: u32,
    crc: u32,
}

fn shape_literal(shape: &[usize]) -> String {
    match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The bytes of a `.npy` v1.0 file with the given dtype string, order, shape and raw payload.
pub fn npy_bytes(descr: &str, fortran_order: bool, shape: &[usize], payload: &[u8]) -> Vec<u8> {
    let mut dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {}, }}",
        if fortran_order { "True" } else { "False" },
        shape_literal(shape)
    );
    // Pad with spaces and a final newline so that magic + length + header is a multiple of 64.
    let total = 10 + dict.len() + 1;
    dict.push_str(&" ".repeat((64 - total % 64) % 64));
    dict.push('\n');
    let mut out = Vec::with_capacity(10 + dict.len() + payload.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// The bytes of a `.npy` file of format version `version` (1, 2 or 3) holding the C-order
/// values `c_data` of the given shape, encoded as `descr` (`<f8 >f8 <f4 >f4 <f2 >f2`, or an integer
/// dtype `i1`-`i8`/`u1`-`u8` of either byte order, values rounded) in C or Fortran order.
///
/// # Errors
/// An unsupported dtype or version, or `c_data.len()` not the product of `shape`.
pub fn encode_npy(
    version: u8,
    descr: &str,
    fortran_order: bool,
    shape: &[usize],
    c_data: &[f64],
) -> Result<Vec<u8>, String> {
    if shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)) != Some(c_data.len()) {
        return Err(format!(
            "shape {shape:?} and {} values disagree",
            c_data.len()
        ));
    }
    let b = descr.as_bytes();
    if b.len() < 3 || !matches!(b[0], b'<' | b'>' | b'|') {
        return Err(format!("unsupported dtype '{descr}'"));
    }
    let big = b[0] == b'>';
    let size: usize = descr[2..]
        .parse()
        .map_err(|_| format!("unsupported dtype '{descr}'"))?;
    let vals = if fortran_order {
        to_fortran(shape, c_data)
    } else {
        c_data.to_vec()
    };
    let mut payload = Vec::with_capacity(vals.len() * size);
    for v in vals {
        let le: Vec<u8> = match (b[1], size) {
            (b'f', 8) => v.to_le_bytes().to_vec(),
            (b'f', 4) => (v as f32).to_le_bytes().to_vec(),
            (b'f', 2) => crate::npy::f64_to_f16(v).to_le_bytes().to_vec(),
            (b'i', 1 | 2 | 4 | 8) => (v.round() as i64).to_le_bytes()[..size].to_vec(),
            (b'u', 1 | 2 | 4 | 8) => (v.round() as u64).to_le_bytes()[..size].to_vec(),
            _ => return Err(format!("unsupported dtype '{descr}'")),
        };
        if big {
            payload.extend(le.iter().rev());
        } else {
            payload.extend(le);
        }
    }
    let mut out = npy_bytes(descr, fortran_order, shape, &payload);
    match version {
        1 => {}
        2 | 3 => {
            // Same dict, 4-byte header length; re-pad so that the data start at a multiple of 64.
            let hlen = u16::from_le_bytes([out[8], out[9]]) as usize;
            let dict = String::from_utf8_lossy(&out[10..10 + hlen])
                .trim_end()
                .to_string();
            let mut d = dict;
            let total = 12 + d.len() + 1;
            d.push_str(&" ".repeat((64 - total % 64) % 64));
            d.push('\n');
            let mut v = b"\x93NUMPY".to_vec();
            v.extend_from_slice(&[version, 0]);
            v.extend_from_slice(&(d.len() as u32).to_le_bytes());
            v.extend_from_slice(d.as_bytes());
            v.extend_from_slice(&out[10 + hlen..]);
            out = v;
        }
        _ => return Err(format!("unsupported .npy version {version}")),
    }
    Ok(out)
}

/// C-order values reordered to Fortran order (first axis fastest).
fn to_fortran<T: Copy>(shape: &[usize], c: &[T]) -> Vec<T> {
    let nd = shape.len();
    let n = c.len();
    let mut cstride = vec![1usize; nd];
    for k in (0..nd.saturating_sub(1)).rev() {
        cstride[k] = cstride[k + 1] * shape[k + 1];
    }
    let mut idx = vec![0usize; nd];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(c[idx.iter().zip(&cstride).map(|(i, s)| i * s).sum::<usize>()]);
        for k in 0..nd {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

impl NpzWriter {
    /// An empty archive.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an f64 array given in C order, stored in C or Fortran order (`<f8`).
    ///
    /// # Panics
    /// If `data.len()` is not the product of `shape`.
    pub fn add_f64(
        &mut self,
        key: &str,
        shape: &[usize],
        data: &[f64],
        fortran: bool,
    ) -> &mut Self {
        self.add_array(key, shape, data, fortran, "<f8", |v| v.to_le_bytes())
    }

    /// Adds an i64 array given in C order (`<i8`); `shape = &[]` gives a 0-d scalar.
    ///
    /// # Panics
    /// If `data.len()` is not the product of `shape`.
    pub fn add_i64(
        &mut self,
        key: &str,
        shape: &[usize],
        data: &[i64],
        fortran: bool,
    ) -> &mut Self {
        self.add_array(key, shape, data, fortran, "<i8", |v| v.to_le_bytes())
    }

    /// Shared body of the typed adders: reorder for Fortran order, encode little-endian, add.
    fn add_array<T: Copy>(
        &mut self,
        key: &str,
        shape: &[usize],
        data: &[T],
        fortran: bool,
        descr: &str,
        le_bytes: impl Fn(T) -> [u8; 8],
    ) -> &mut Self {
        assert_eq!(
            shape.iter().product::<usize>(),
            data.len(),
            "shape and data disagree"
        );
        let vals = if fortran {
            to_fortran(shape, data)
        } else {
            data.to_vec()
        };
        let payload: Vec<u8> = vals.into_iter().flat_map(le_bytes).collect();
        self.add_raw(
            &format!("{key}.npy"),
            npy_bytes(descr, fortran, shape, &payload),
        )
    }

    /// Adds a member with arbitrary bytes (e.g. a malformed array for tests).
    pub fn add_raw(&mut self, member: &str, bytes: Vec<u8>) -> &mut Self {
        let (size, crc) = (bytes.len() as u32, crc32fast::hash(&bytes));
        self.add_declared(member, 0, bytes, size, crc)
    }

    /// Adds a deflated member (`numpy.savez_compressed`) with the bytes `bytes`.
    pub fn add_deflated(&mut self, member: &str, bytes: &[u8]) -> &mut Self {
        use std::io::Write;
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(bytes).expect("writing to memory");
        let data = e.finish().expect("writing to memory");
        self.add_declared(member, 8, data, bytes.len() as u32, crc32fast::hash(bytes))
    }

    /// Adds a member exactly as given: method (0 stored, 8 deflate), the bytes as stored, and
    /// the size and CRC-32 the headers declare, true or not (hostile files for tests).
    pub fn add_declared(
        &mut self,
        member: &str,
        method: u16,
        data: Vec<u8>,
        size: u32,
        crc: u32,
    ) -> &mut Self {
        self.members.push(Member {
            name: member.to_string(),
            method,
            data,
            size,
            crc,
        });
        self
    }

    /// The archive bytes (no zip64).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for m in &self.members {
            let (name, data, crc, size) = (&m.name, &m.data, m.crc, m.size);
            let offset = out.len() as u32;
            let csize = data.len() as u32;
            let header = |sig: u32, central_entry: bool| {
                let mut h = Vec::new();
                h.extend_from_slice(&sig.to_le_bytes());
                if central_entry {
                    h.extend_from_slice(&20u16.to_le_bytes()); // version made by
                }
                h.extend_from_slice(&20u16.to_le_bytes()); // version needed
                h.extend_from_slice(&0u16.to_le_bytes()); // flags
                h.extend_from_slice(&m.method.to_le_bytes()); // 0 stored, 8 deflate
                h.extend_from_slice(&0u16.to_le_bytes()); // time
                h.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
                h.extend_from_slice(&crc.to_le_bytes());
                h.extend_from_slice(&csize.to_le_bytes());
                h.extend_from_slice(&size.to_le_bytes());
                h.extend_from_slice(&(name.len() as u16).to_le_bytes());
                h.extend_from_slice(&0u16.to_le_bytes()); // extra
                if central_entry {
                    h.extend_from_slice(&0u16.to_le_bytes()); // comment
                    h.extend_from_slice(&0u16.to_le_bytes()); // disk
                    h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                    h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                    h.extend_from_slice(&offset.to_le_bytes());
                }
                h.extend_from_slice(name.as_bytes());
                h
            };
            out.extend(header(0x0403_4b50, false));
            out.extend_from_slice(data);
            central.extend(header(0x0201_4b50, true));
        }
        let cd_offset = out.len() as u32;
        let cd_size = central.len() as u32;
        out.extend(central);
        let n = self.members.len() as u16;
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&cd_size.to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    /// Writes the archive to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.to_bytes())
    }
}
