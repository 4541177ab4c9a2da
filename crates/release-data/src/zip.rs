//! A minimal, defensive reader of zip archives as written by `numpy.savez` (stored members) and
//! `numpy.savez_compressed` (deflate): end-of-central-directory record (with zip64), central
//! directory, local headers, CRC-32 check. Every offset and length is bounds-checked against the
//! file size before use, so a truncated or corrupted file gives an error, never a panic or a huge
//! allocation.

use std::io::Read;

/// One member of the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub name: String,
    pub method: u16,
    pub flags: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    pub local_offset: u64,
}

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    b.get(off..off.checked_add(2)?)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    b.get(off..off.checked_add(8)?).map(|s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

fn to_usize(v: u64, what: &str) -> Result<usize, String> {
    usize::try_from(v).map_err(|_| format!("{what} = {v} does not fit in memory"))
}

/// Parses the central directory of `bytes`.
pub(crate) fn entries(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let n = bytes.len();
    if n < 22 {
        return Err(format!(
            "{n} bytes is too short for a zip file (the end record alone has 22)"
        ));
    }
    // The end-of-central-directory record: 22 bytes plus a comment of at most 65535 bytes.
    let lowest = n.saturating_sub(22 + 65535);
    let mut eocd = None;
    let mut pos = n - 22;
    loop {
        if u32_at(bytes, pos) == Some(EOCD_SIG) {
            let comment = u16_at(bytes, pos + 20).unwrap_or(0) as usize;
            if pos + 22 + comment == n {
                eocd = Some(pos);
                break;
            }
        }
        if pos == lowest {
            break;
        }
        pos -= 1;
    }
    let eocd = eocd.ok_or_else(|| {
        "no end-of-central-directory record (the file is truncated or not a zip archive)"
            .to_string()
    })?;
    let err_eocd = || "end-of-central-directory record is cut short".to_string();
    let mut count = u16_at(bytes, eocd + 10).ok_or_else(err_eocd)? as u64;
    let mut cd_size = u32_at(bytes, eocd + 12).ok_or_else(err_eocd)? as u64;
    let mut cd_offset = u32_at(bytes, eocd + 16).ok_or_else(err_eocd)? as u64;
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        // zip64: the locator sits right before the end record.
        let loc = eocd
            .checked_sub(20)
            .filter(|&l| u32_at(bytes, l) == Some(EOCD64_LOCATOR_SIG))
            .ok_or("zip64 sizes announced but no zip64 end-of-central-directory locator")?;
        let off = to_usize(
            u64_at(bytes, loc + 8).ok_or("zip64 locator cut short")?,
            "zip64 end record offset",
        )?;
        if u32_at(bytes, off) != Some(EOCD64_SIG) {
            return Err(format!(
                "no zip64 end-of-central-directory record at offset {off}"
            ));
        }
        count = u64_at(bytes, off + 32).ok_or("zip64 end record cut short")?;
        cd_size = u64_at(bytes, off + 40).ok_or("zip64 end record cut short")?;
        cd_offset = u64_at(bytes, off + 48).ok_or("zip64 end record cut short")?;
    }
    let cd_start = to_usize(cd_offset, "central directory offset")?;
    let cd_len = to_usize(cd_size, "central directory size")?;
    if cd_start.checked_add(cd_len).is_none_or(|e| e > n) {
        return Err(format!(
            "central directory (offset {cd_start}, {cd_len} bytes) extends beyond the end of \
             the file ({n} bytes): the file is truncated"
        ));
    }
    // Each central entry has at least 46 bytes: bounds the count before allocating.
    if count > (cd_len / 46) as u64 + 1 {
        return Err(format!(
            "{count} members announced in a central directory of {cd_len} bytes"
        ));
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut p = cd_start;
    for k in 0..count {
        let cut = || format!("central directory entry {k} is cut short");
        if u32_at(bytes, p) != Some(CENTRAL_SIG) {
            return Err(format!(
                "bad signature of central directory entry {k} at offset {p}"
            ));
        }
        let flags = u16_at(bytes, p + 8).ok_or_else(cut)?;
        let method = u16_at(bytes, p + 10).ok_or_else(cut)?;
        let crc32 = u32_at(bytes, p + 16).ok_or_else(cut)?;
        let mut csize = u32_at(bytes, p + 20).ok_or_else(cut)? as u64;
        let mut usize_ = u32_at(bytes, p + 24).ok_or_else(cut)? as u64;
        let name_len = u16_at(bytes, p + 28).ok_or_else(cut)? as usize;
        let extra_len = u16_at(bytes, p + 30).ok_or_else(cut)? as usize;
        let comment_len = u16_at(bytes, p + 32).ok_or_else(cut)? as usize;
        let mut local = u32_at(bytes, p + 42).ok_or_else(cut)? as u64;
        let name_bytes = bytes.get(p + 46..p + 46 + name_len).ok_or_else(cut)?;
        let name = String::from_utf8(name_bytes.to_vec())
            .map_err(|_| format!("member name of entry {k} is not UTF-8"))?;
        let extra = bytes
            .get(p + 46 + name_len..p + 46 + name_len + extra_len)
            .ok_or_else(cut)?;
        // zip64 extended information (header id 1): the 0xFFFFFFFF fields, in order.
        let mut e = 0usize;
        while e + 4 <= extra.len() {
            let id = u16_at(extra, e).unwrap_or(0);
            let len = u16_at(extra, e + 2).unwrap_or(0) as usize;
            let body = extra
                .get(e + 4..e + 4 + len)
                .ok_or_else(|| format!("extra field of member '{name}' is cut short"))?;
            if id == 1 {
                let mut q = 0usize;
                let mut next = |what: &str| {
                    let v = u64_at(body, q)
                        .ok_or_else(|| format!("zip64 field {what} of member '{name}' missing"));
                    q += 8;
                    v
                };
                if usize_ == 0xFFFF_FFFF {
                    usize_ = next("size")?;
                }
                if csize == 0xFFFF_FFFF {
                    csize = next("compressed size")?;
                }
                if local == 0xFFFF_FFFF {
                    local = next("offset")?;
                }
            }
            e += 4 + len;
        }
        out.push(Entry {
            name,
            method,
            flags,
            crc32,
            compressed_size: csize,
            size: usize_,
            local_offset: local,
        });
        p += 46 + name_len + extra_len + comment_len;
        if p > cd_start + cd_len {
            return Err(format!(
                "central directory entry {k} overruns the directory"
            ));
        }
    }
    Ok(out)
}

/// At most the first `n` uncompressed bytes of `entry` (not CRC-checked): enough to read an
/// `.npy` header and check what it declares before inflating the rest.
pub(crate) fn read_prefix(bytes: &[u8], entry: &Entry, n: usize) -> Result<Vec<u8>, String> {
    let (data, _) = entry_data(bytes, entry)?;
    match entry.method {
        0 => Ok(data[..n.min(data.len())].to_vec()),
        8 => {
            let mut out = Vec::with_capacity(n.min(1 << 20));
            flate2::read::DeflateDecoder::new(data)
                .take(n as u64)
                .read_to_end(&mut out)
                .map_err(|e| format!("member '{}': deflate stream is corrupt: {e}", entry.name))?;
            Ok(out)
        }
        m => Err(format!(
            "member '{}' uses compression method {m} (only stored and deflate are supported)",
            entry.name
        )),
    }
}

/// The compressed bytes of `entry` and its declared uncompressed size, bounds-checked, and
/// the size checked against the input limit before anything is inflated.
fn entry_data<'a>(bytes: &'a [u8], entry: &Entry) -> Result<(&'a [u8], usize), String> {
    let name = &entry.name;
    if entry.flags & 1 != 0 {
        return Err(format!("member '{name}' is encrypted (not supported)"));
    }
    let off = to_usize(entry.local_offset, "local header offset")?;
    let cut = || {
        format!(
            "local header of member '{name}' at offset {off} is beyond the end of the file ({} \
             bytes): the file is truncated",
            bytes.len()
        )
    };
    if u32_at(bytes, off).ok_or_else(cut)? != LOCAL_SIG {
        return Err(format!(
            "bad local header signature of member '{name}' at offset {off}"
        ));
    }
    let local_flags = u16_at(bytes, off + 6).ok_or_else(cut)?;
    let local_size = u32_at(bytes, off + 22).ok_or_else(cut)?;
    // Without a data descriptor (flag bit 3) the local header repeats the size; 0xFFFFFFFF
    // defers to zip64. A member whose two headers disagree is refused, not guessed at.
    if local_flags & 8 == 0 && local_size != 0xFFFF_FFFF && u64::from(local_size) != entry.size {
        return Err(format!(
            "member '{name}': the local header says {local_size} bytes uncompressed, the \
             central directory {}: the file is corrupted",
            entry.size
        ));
    }
    let name_len = u16_at(bytes, off + 26).ok_or_else(cut)? as usize;
    let extra_len = u16_at(bytes, off + 28).ok_or_else(cut)? as usize;
    let start = off + 30 + name_len + extra_len;
    let clen = to_usize(entry.compressed_size, "compressed size")?;
    let size = to_usize(entry.size, "size")?;
    let data = start
        .checked_add(clen)
        .and_then(|end| bytes.get(start..end))
        .ok_or_else(|| {
            format!(
                "data of member '{name}' ({clen} bytes at offset {start}) extends beyond the end \
                 of the file ({} bytes): the file is truncated",
                bytes.len()
            )
        })?;
    crate::limits::check(&format!("member '{name}' (uncompressed)"), entry.size)?;
    Ok((data, size))
}

/// The uncompressed bytes of `entry`, CRC-checked; a deflated member inflates at most to its
/// declared size (more is an error).
pub(crate) fn read_entry(bytes: &[u8], entry: &Entry) -> Result<Vec<u8>, String> {
    let name = &entry.name;
    let (data, size) = entry_data(bytes, entry)?;
    let clen = data.len();
    let out = match entry.method {
        0 => {
            if clen != size {
                return Err(format!(
                    "stored member '{name}' has compressed size {clen} != size {size}"
                ));
            }
            data.to_vec()
        }
        8 => {
            // The announced size bounds the output: a corrupted stream cannot make us allocate more.
            // Deflate expands at most ~1032-fold, so a tiny stream cannot claim gigabytes.
            let mut out = Vec::with_capacity(size.min(clen.saturating_mul(1032)).min(1 << 26));
            flate2::read::DeflateDecoder::new(data)
                .take(size as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("member '{name}': deflate stream is corrupt: {e}"))?;
            if out.len() != size {
                return Err(format!(
                    "member '{name}' inflates to {} bytes, the directory says {size}",
                    out.len()
                ));
            }
            out
        }
        m => {
            return Err(format!(
            "member '{name}' uses compression method {m} (only stored and deflate are supported)"
        ))
        }
    };
    let crc = crc32fast::hash(&out);
    if crc != entry.crc32 {
        return Err(format!(
            "member '{name}' fails its CRC-32 check (stored {:08x}, computed {crc:08x}): the file \
             is corrupted",
            entry.crc32
        ));
    }
    Ok(out)
}
