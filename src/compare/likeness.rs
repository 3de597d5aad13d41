//! Likeness of a regenerated image to a published one that is not pixel-identical (another
//! browser, fonts, data): both in sRGB, the regenerated image scaled to the published one's
//! size when they differ (another pixel ratio), the best translation found, then the mean SSIM
//! (8x8 windows, stride 4, on luminance) over the windows where either image has content.

use image::{imageops, GrayImage, RgbaImage};

/// Largest shift searched, as a share of each dimension (and at least 4 px).
const MAX_SHIFT_SHARE: f64 = 0.08;
/// SSIM window side and stride, in pixels.
const WIN: u32 = 8;
const STRIDE: u32 = 4;
/// Variance (grey levels²) above which a window has content.
const CONTENT_VAR: f64 = 25.0;
/// Difference of mean grey levels above which two flat windows count too (a band painted over).
const CONTENT_SHADE: f64 = 24.0;
/// Reading scale of the SSIM: the images are reduced by this factor (times the published
/// image's pixel ratio) once aligned (8x8 windows then cover 32x32 CSS pixels, about one
/// line of text).
const SCALE: u32 = 4;
/// Largest size difference (share of each dimension) for sizes to match.
pub const SIZE_TOLERANCE: f64 = 0.20;

/// How alike two images are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Likeness {
    /// Mean SSIM over the windows with content, after the best alignment (-1..1, 1: same).
    pub score: f64,
    /// The shift of the regenerated image (published-image pixels) that aligns it best.
    pub offset: (i32, i32),
    /// Both sizes within [`SIZE_TOLERANCE`] of each other in each dimension.
    pub size_ok: bool,
    /// Sizes match and the best shift is small: the same region is framed.
    pub framing_ok: bool,
}

fn luma(img: &RgbaImage) -> GrayImage {
    // Blended on white (transparent parts of a PNG show white on the documentation page).
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y);
        let a = p[3] as f64 / 255.0;
        let c = |v: u8| 255.0 + (v as f64 - 255.0) * a;
        let l = 0.299 * c(p[0]) + 0.587 * c(p[1]) + 0.114 * c(p[2]);
        image::Luma([l.round() as u8])
    })
}

/// Mean absolute difference of the overlap when `b` is shifted by (dx, dy), every `step` px.
fn sad(a: &GrayImage, b: &GrayImage, dx: i32, dy: i32, step: u32) -> f64 {
    let (mut sum, mut n) = (0u64, 0u64);
    for y in (0..a.height()).step_by(step as usize) {
        let by = y as i32 - dy;
        if by < 0 || by >= b.height() as i32 {
            continue;
        }
        for x in (0..a.width()).step_by(step as usize) {
            let bx = x as i32 - dx;
            if bx < 0 || bx >= b.width() as i32 {
                continue;
            }
            let (p, q) = (a.get_pixel(x, y)[0], b.get_pixel(bx as u32, by as u32)[0]);
            sum += p.abs_diff(q) as u64;
            n += 1;
        }
    }
    if n == 0 {
        f64::MAX
    } else {
        sum as f64 / n as f64
    }
}

/// The shift of `b` that best matches `a`: coarse search every 2 px, then refined.
fn align(a: &GrayImage, b: &GrayImage) -> (i32, i32) {
    let rx = ((a.width() as f64 * MAX_SHIFT_SHARE) as i32).max(4);
    let ry = ((a.height() as f64 * MAX_SHIFT_SHARE) as i32).max(4);
    let mut best = (f64::MAX, (0, 0));
    for dy in (-ry..=ry).step_by(2) {
        for dx in (-rx..=rx).step_by(2) {
            let s = sad(a, b, dx, dy, 2);
            if s < best.0 {
                best = (s, (dx, dy));
            }
        }
    }
    let (cx, cy) = best.1;
    let mut fine = (f64::MAX, (cx, cy));
    for dy in cy - 1..=cy + 1 {
        for dx in cx - 1..=cx + 1 {
            let s = sad(a, b, dx, dy, 1);
            if s < fine.0 {
                fine = (s, (dx, dy));
            }
        }
    }
    fine.1
}

/// `b` shifted by `off` into a `w`x`h` image (white where it has no pixel).
fn shift(b: &GrayImage, off: (i32, i32), (w, h): (u32, u32)) -> GrayImage {
    GrayImage::from_fn(w, h, |x, y| {
        let (bx, by) = (x as i32 - off.0, y as i32 - off.1);
        if bx >= 0 && by >= 0 && (bx as u32) < b.width() && (by as u32) < b.height() {
            *b.get_pixel(bx as u32, by as u32)
        } else {
            image::Luma([255])
        }
    })
}

/// Mean SSIM of the windows with content, `b` shifted by `off`.
fn ssim(a: &GrayImage, b: &GrayImage, off: (i32, i32)) -> f64 {
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (mut total, mut n) = (0.0, 0u32);
    let mut y = 0;
    while y + WIN <= a.height() {
        let mut x = 0;
        while x + WIN <= a.width() {
            let (bx, by) = (x as i32 - off.0, y as i32 - off.1);
            let inside =
                bx >= 0 && by >= 0 && bx as u32 + WIN <= b.width() && by as u32 + WIN <= b.height();
            let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for j in 0..WIN {
                for i in 0..WIN {
                    let p = a.get_pixel(x + i, y + j)[0] as f64;
                    // Outside the regenerated image: the page's white.
                    let q = if inside {
                        b.get_pixel(bx as u32 + i, by as u32 + j)[0] as f64
                    } else {
                        255.0
                    };
                    sa += p;
                    sb += q;
                    saa += p * p;
                    sbb += q * q;
                    sab += p * q;
                }
            }
            let k = (WIN * WIN) as f64;
            let (ma, mb) = (sa / k, sb / k);
            let (va, vb) = (saa / k - ma * ma, sbb / k - mb * mb);
            // Content: texture in either image, or a flat area whose shade differs.
            if va > CONTENT_VAR || vb > CONTENT_VAR || (ma - mb).abs() > CONTENT_SHADE {
                let cov = sab / k - ma * mb;
                total += ((2.0 * ma * mb + c1) * (2.0 * cov + c2))
                    / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                n += 1;
            }
            x += STRIDE;
        }
        y += STRIDE;
    }
    if n == 0 {
        // No content anywhere: the luminance term of the whole images.
        let mean = |g: &GrayImage| {
            g.pixels().map(|p| p[0] as f64).sum::<f64>() / (g.width() * g.height()).max(1) as f64
        };
        let (ma, mb) = (mean(a), mean(b));
        (2.0 * ma * mb + c1) / (ma * ma + mb * mb + c1)
    } else {
        total / n as f64
    }
}

/// Whether `a` and `b` are within [`SIZE_TOLERANCE`] of each other.
pub fn sizes_match(a: (u32, u32), b: (u32, u32)) -> bool {
    let near = |x: u32, y: u32| (x as f64 - y as f64).abs() <= SIZE_TOLERANCE * x as f64;
    near(a.0, b.0) && near(a.1, b.1)
}

/// How alike `actual` (regenerated) is to `published`, both sRGB, at DPR 1.
pub fn likeness(published: &RgbaImage, actual: &RgbaImage) -> Likeness {
    likeness_at(published, actual, 1.0)
}

/// How alike `actual` is to `published`, whose device pixel ratio is `dpr` (the reading scale
/// is in CSS pixels: a DPR 2 image is reduced twice as much).
pub fn likeness_at(published: &RgbaImage, actual: &RgbaImage, dpr: f64) -> Likeness {
    let size_ok = sizes_match(published.dimensions(), actual.dimensions());
    let a = luma(published);
    let mut b = luma(actual);
    if b.dimensions() != a.dimensions() {
        // Another pixel ratio: compare at the published image's scale.
        b = imageops::resize(&b, a.width(), a.height(), imageops::FilterType::Triangle);
    }
    let offset = align(&a, &b);
    // SSIM at reading scale: text lines and controls, not glyph outlines (fonts and
    // antialiasing differ between browsers and machines).
    let f = (SCALE as f64 * dpr.max(1.0)).round() as u32;
    let shifted = shift(&b, offset, a.dimensions());
    let (w, h) = ((a.width() / f).max(WIN), (a.height() / f).max(WIN));
    let small = |g: &GrayImage| imageops::resize(g, w, h, imageops::FilterType::Triangle);
    let score = ssim(&small(&a), &small(&shifted), (0, 0));
    let framing_ok = size_ok
        && (offset.0.unsigned_abs() as f64) <= 0.1 * a.width() as f64
        && (offset.1.unsigned_abs() as f64) <= 0.1 * a.height() as f64;
    Likeness {
        score,
        offset,
        size_ok,
        framing_ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn pattern(w: u32, h: u32, shift: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            let on = ((x + shift) / 5 + y / 7).is_multiple_of(3);
            Rgba(if on { [20, 50, 77, 255] } else { [255; 4] })
        })
    }

    #[test]
    fn the_same_image_is_fully_alike() {
        let a = pattern(80, 60, 0);
        let l = likeness(&a, &a);
        assert!((l.score - 1.0).abs() < 1e-9);
        assert_eq!(l.offset, (0, 0));
        assert!(l.size_ok && l.framing_ok);
    }

    #[test]
    fn a_shifted_image_is_aligned_back() {
        let a = pattern(80, 60, 0);
        let b = pattern(80, 60, 3);
        let l = likeness(&a, &b);
        assert_eq!(l.offset, (3, 0));
        assert!(l.score > 0.9, "{}", l.score);
    }

    #[test]
    fn unrelated_content_scores_low_and_sizes_are_checked() {
        let a = pattern(80, 60, 0);
        let b = RgbaImage::from_fn(80, 60, |x, _| {
            Rgba(if x % 2 == 0 { [0, 0, 0, 255] } else { [255; 4] })
        });
        assert!(likeness(&a, &b).score < 0.3);
        assert!(sizes_match((100, 100), (119, 81)));
        assert!(!sizes_match((100, 100), (121, 100)));
    }
}
