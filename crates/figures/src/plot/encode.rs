//! The PNG side of rendering: the supersampled buffer box-filtered down, deterministic
//! encoding, and reading the size back.

use crate::error::{FigureError, Result};

/// Average `factor` x `factor` blocks of an RGB image.
pub(crate) fn downsample(rgb: &[u8], w: u32, h: u32, factor: u32) -> Vec<u8> {
    if factor == 1 {
        return rgb.to_vec();
    }
    let (w, h, f) = (w as usize, h as usize, factor as usize);
    let (sw, sh) = (w / f, h / f);
    let n = (f * f) as u32;
    let mut out = vec![0u8; sw * sh * 3];
    for y in 0..sh {
        for x in 0..sw {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..f {
                    let row = (y * f + dy) * w;
                    for dx in 0..f {
                        sum += rgb[(row + x * f + dx) * 3 + c] as u32;
                    }
                }
                out[(y * sw + x) * 3 + c] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// Encode an 8-bit RGB buffer as PNG with fixed settings (deterministic bytes).
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    if rgb.len() != width as usize * height as usize * 3 {
        return Err(FigureError::invalid(format!(
            "RGB buffer of {} bytes does not match {width}x{height}",
            rgb.len()
        )));
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        enc.set_filter(png::FilterType::Paeth);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = enc
            .write_header()
            .map_err(|e| FigureError::Png(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| FigureError::Png(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| FigureError::Png(e.to_string()))?;
    }
    Ok(out)
}

/// Check the PNG signature and read the size from the IHDR chunk.
pub fn png_dimensions(bytes: &[u8]) -> Result<(u32, u32)> {
    const SIG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if bytes.len() < 24 || bytes[..8] != SIG {
        return Err(FigureError::Png("not a PNG file (bad signature)".into()));
    }
    if &bytes[12..16] != b"IHDR" {
        return Err(FigureError::Png("first chunk is not IHDR".into()));
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Ok((be(&bytes[16..20]), be(&bytes[20..24])))
}
