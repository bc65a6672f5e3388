//! QR codes of referral links, as SVG or PNG (encoded here from the module matrix, so the `image`
//! crate is not needed).

use qrcode::{Color, EcLevel, QrCode, render::svg};

/// Modules of white border around the code (the standard's quiet zone).
const QUIET: usize = 4;

/// SVG of `data`.
pub fn svg(data: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// PNG of `data`, `scale` pixels per module, 8-bit greyscale.
pub fn png(data: &str, scale: usize) -> anyhow::Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let modules = code.to_colors();
    let side = (width + 2 * QUIET) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in modules.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % width + QUIET, i / width + QUIET);
            for y in my * scale..(my + 1) * scale {
                pixels[y * side + mx * scale..y * side + (mx + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let side32 = u32::try_from(side)?;
    let mut encoder = png::Encoder::new(&mut out, side32, side32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_png_render_and_png_has_the_signature() {
        let s = svg("https://grapevine.example/r/ABCD2345").unwrap();
        assert!(s.starts_with("<?xml") && s.contains("<svg"));
        let p = png("https://grapevine.example/r/ABCD2345", 4).unwrap();
        assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n");
    }
}
