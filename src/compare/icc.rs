//! Colour profiles of images to compare: a PNG's embedded ICC profile (`iCCP`) of the
//! matrix/TRC kind (RGB display profiles, such as the "Display" profile macOS screenshots carry)
//! is applied, so that its pixels become sRGB. The `image` crate reads the profile but does not
//! apply it; this is the small part of ICC that screenshots need (no LUT-based profiles).

use image::{ImageDecoder, RgbaImage};

/// sRGB's primaries adapted to the ICC's D50 connection space (the sRGB profile's rXYZ, gXYZ,
/// bXYZ tags), as columns.
const SRGB_D50: [[f64; 3]; 3] = [
    [0.436_074_7, 0.385_064_9, 0.143_080_4],
    [0.222_504_5, 0.716_878_6, 0.060_616_9],
    [0.013_932_2, 0.097_104_5, 0.714_173_3],
];

/// A tone reproduction curve: encoded value (0..1) to linear light (0..1).
#[derive(Debug, Clone)]
enum Trc {
    Gamma(f64),
    Table(Vec<f64>),
    /// ICC parametric curve type 0..4 with its parameters `g a b c d e f`.
    Para(u16, [f64; 7]),
}

impl Trc {
    fn eval(&self, x: f64) -> f64 {
        match self {
            Trc::Gamma(g) => x.powf(*g),
            Trc::Table(t) => {
                let p = x * (t.len() - 1) as f64;
                let i = (p.floor() as usize).min(t.len() - 2);
                let f = p - i as f64;
                t[i] * (1.0 - f) + t[i + 1] * f
            }
            Trc::Para(kind, [g, a, b, c, d, e, f]) => match kind {
                0 => x.powf(*g),
                1 if x >= -b / a => (a * x + b).powf(*g),
                1 => 0.0,
                2 if x >= -b / a => (a * x + b).powf(*g) + c,
                2 => *c,
                3 if x >= *d => (a * x + b).powf(*g),
                3 => c * x,
                _ if x >= *d => (a * x + b).powf(*g) + e,
                _ => c * x + f,
            },
        }
    }
}

/// A matrix/TRC RGB profile: three curves and the primaries (columns, D50).
#[derive(Debug, Clone)]
pub struct Profile {
    trc: [Trc; 3],
    matrix: [[f64; 3]; 3],
}

fn be_u32(p: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(p.get(at..at + 4)?.try_into().ok()?))
}

fn be_u16(p: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(p.get(at..at + 2)?.try_into().ok()?))
}

fn s15f16(p: &[u8], at: usize) -> Option<f64> {
    Some(be_u32(p, at)? as i32 as f64 / 65536.0)
}

fn tag<'a>(p: &'a [u8], sig: &[u8; 4]) -> Option<&'a [u8]> {
    let n = be_u32(p, 128)? as usize;
    (0..n).find_map(|i| {
        let at = 132 + 12 * i;
        (p.get(at..at + 4)? == sig).then_some(())?;
        let (off, len) = (be_u32(p, at + 4)? as usize, be_u32(p, at + 8)? as usize);
        p.get(off..off + len)
    })
}

fn xyz(p: &[u8], sig: &[u8; 4]) -> Option<[f64; 3]> {
    let t = tag(p, sig)?;
    (t.get(0..4)? == b"XYZ ").then_some(())?;
    Some([s15f16(t, 8)?, s15f16(t, 12)?, s15f16(t, 16)?])
}

fn trc(p: &[u8], sig: &[u8; 4]) -> Option<Trc> {
    let t = tag(p, sig)?;
    match t.get(0..4)? {
        b"curv" => {
            let n = be_u32(t, 8)? as usize;
            match n {
                0 => Some(Trc::Gamma(1.0)),
                1 => Some(Trc::Gamma(be_u16(t, 12)? as f64 / 256.0)),
                _ => (0..n)
                    .map(|i| be_u16(t, 12 + 2 * i).map(|v| v as f64 / 65535.0))
                    .collect::<Option<Vec<_>>>()
                    .map(Trc::Table),
            }
        }
        b"para" => {
            let kind = be_u16(t, 8)?;
            let count = [1, 3, 4, 5, 7].get(kind as usize)?;
            let mut v = [0.0; 7];
            for (i, slot) in v.iter_mut().enumerate().take(*count) {
                *slot = s15f16(t, 12 + 4 * i)?;
            }
            Some(Trc::Para(kind, v))
        }
        _ => None,
    }
}

impl Profile {
    /// Parses an ICC profile; `None` unless it is an RGB matrix/TRC profile.
    pub fn parse(p: &[u8]) -> Option<Profile> {
        (p.get(16..20)? == b"RGB ").then_some(())?;
        let (r, g, b) = (xyz(p, b"rXYZ")?, xyz(p, b"gXYZ")?, xyz(p, b"bXYZ")?);
        let matrix = [[r[0], g[0], b[0]], [r[1], g[1], b[1]], [r[2], g[2], b[2]]];
        let trc = [trc(p, b"rTRC")?, trc(p, b"gTRC")?, trc(p, b"bTRC")?];
        Some(Profile { trc, matrix })
    }

    /// Converts the image's pixels from this profile to sRGB, in place.
    pub fn to_srgb(&self, img: &mut RgbaImage) {
        let to_srgb = mul(&invert(&SRGB_D50), &self.matrix);
        let luts: Vec<Vec<f64>> = self
            .trc
            .iter()
            .map(|t| (0..256).map(|v| t.eval(v as f64 / 255.0)).collect())
            .collect();
        let mut cache = std::collections::HashMap::new();
        for px in img.pixels_mut() {
            let key = [px[0], px[1], px[2]];
            let out = *cache.entry(key).or_insert_with(|| {
                let lin = [
                    luts[0][key[0] as usize],
                    luts[1][key[1] as usize],
                    luts[2][key[2] as usize],
                ];
                let mut o = [0u8; 3];
                for (c, slot) in o.iter_mut().enumerate() {
                    let v: f64 = (0..3).map(|k| to_srgb[c][k] * lin[k]).sum();
                    *slot = (srgb_encode(v.clamp(0.0, 1.0)) * 255.0).round() as u8;
                }
                o
            });
            px[0] = out[0];
            px[1] = out[1];
            px[2] = out[2];
        }
    }
}

fn srgb_encode(v: f64) -> f64 {
    if v <= 0.003_130_8 {
        12.92 * v
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

fn mul(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut o = [[0.0; 3]; 3];
    for (i, row) in o.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    o
}

fn invert(m: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let c = |i: usize, j: usize| {
        let (i1, i2, j1, j2) = ((i + 1) % 3, (i + 2) % 3, (j + 1) % 3, (j + 2) % 3);
        m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]
    };
    let det: f64 = (0..3).map(|j| m[0][j] * c(0, j)).sum();
    let mut o = [[0.0; 3]; 3];
    for (i, row) in o.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = c(j, i) / det;
        }
    }
    o
}

/// Reads a PNG as sRGB pixels: its embedded matrix/TRC profile, if any, is applied. Returns
/// the image and whether a profile was applied.
pub fn load_srgb(path: &std::path::Path) -> Result<(RgbaImage, bool), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("unreadable ({e})"))?;
    let reader = std::io::BufReader::new(file);
    let mut dec = match image::codecs::png::PngDecoder::new(reader) {
        Ok(d) => d,
        // Not a PNG: whatever `image` reads, taken as sRGB.
        Err(_) => {
            return image::open(path)
                .map(|i| (i.to_rgba8(), false))
                .map_err(|e| format!("unreadable ({e})"))
        }
    };
    let icc = dec.icc_profile().ok().flatten();
    let mut img = image::DynamicImage::from_decoder(dec)
        .map_err(|e| format!("unreadable ({e})"))?
        .to_rgba8();
    let profile = icc.as_deref().and_then(Profile::parse);
    if let Some(p) = &profile {
        p.to_srgb(&mut img);
    }
    Ok((img, profile.is_some()))
}

/// The device pixel ratio a PNG declares through its `pHYs` chunk (pixels per metre; 72 dpi
/// is 1, a Retina screenshot's 144 dpi is 2); 1 when it declares none.
pub fn png_pixel_ratio(path: &std::path::Path) -> f64 {
    let Ok(d) = std::fs::read(path) else {
        return 1.0;
    };
    let mut i = 8;
    while i + 8 <= d.len() {
        let Some(n) = be_u32(&d, i) else { break };
        let kind = &d[i + 4..i + 8];
        if kind == b"pHYs" {
            let (ppm, unit) = (be_u32(&d, i + 8).unwrap_or(0), d.get(i + 16).copied());
            if unit == Some(1) && ppm > 0 {
                return (ppm as f64 * 0.0254 / 72.0).round().max(1.0);
            }
            break;
        }
        if kind == b"IDAT" {
            break;
        }
        i += 12 + n as usize;
    }
    1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inverse_undoes_the_matrix() {
        let id = mul(&SRGB_D50, &invert(&SRGB_D50));
        for (i, row) in id.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn curves_map_the_ends() {
        assert!((Trc::Table(vec![0.0, 0.5, 1.0]).eval(0.75) - 0.75).abs() < 1e-9);
        let srgb = Trc::Para(
            3,
            [
                2.4,
                1.0 / 1.055,
                0.055 / 1.055,
                1.0 / 12.92,
                0.04045,
                0.0,
                0.0,
            ],
        );
        assert!((srgb.eval(1.0) - 1.0).abs() < 1e-6);
        assert!(srgb.eval(0.0).abs() < 1e-9);
    }

    #[test]
    fn the_published_profile_converts_to_the_srgb_copy() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let (converted, applied) =
            load_srgb(&dir.join("published/permission-activation.png")).unwrap();
        let raw = image::open(dir.join("published/permission-activation.png"))
            .unwrap()
            .to_rgba8();
        let srgb = image::open(dir.join("srgb/permission-activation.png"))
            .unwrap()
            .to_rgba8();
        let mean = |x: &RgbaImage| {
            let sum: u64 = x
                .pixels()
                .zip(srgb.pixels())
                .map(|(p, q)| (0..3).map(|i| p[i].abs_diff(q[i]) as u64).sum::<u64>())
                .sum();
            sum as f64 / (3 * srgb.width() * srgb.height()) as f64
        };
        assert!(applied);
        let (after, before) = (mean(&converted), mean(&raw));
        eprintln!("mean difference to the sRGB copy: {after:.3} (raw {before:.3})");
        assert!(after < 0.05 && before > 0.2, "{after} vs raw {before}");
    }
}
