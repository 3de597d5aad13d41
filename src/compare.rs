//! Image comparison in the manner of pixelmatch: a per-pixel colour distance in YIQ space
//! (0..1, after blending on white), a pixel counts as changed when its distance exceeds the
//! per-pixel threshold, and an image's verdict is its changed-pixel ratio against a limit.
//! A diff image shows the reference faded to grey with changed pixels in red.
//!
//! Images that are not meant to be pixel-identical (the published tutorial images against the
//! regenerated ones) are judged by their [`likeness`]: both read as sRGB (an embedded ICC
//! profile is applied, see [`icc`]), aligned, then scored with SSIM.

pub mod icc;
pub mod likeness;

use std::path::{Path, PathBuf};

use likeness::Likeness;

use image::{Rgba, RgbaImage};

/// Per-pixel colour distance above which a pixel counts as changed (pixelmatch's default is 0.1).
pub const PIXEL_THRESHOLD: f64 = 0.1;
/// Default limit of the changed-pixel ratio for an image to pass.
pub const DEFAULT_MAX_RATIO: f64 = 0.01;
/// Default likeness (SSIM) from which an image that is not pixel-identical passes.
pub const DEFAULT_MIN_LIKENESS: f64 = 0.55;

/// The maximum squared YIQ distance (pixelmatch's constant).
const MAX_YIQ_DELTA: f64 = 35215.0;

/// Outcome of comparing two images.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Pixels whose distance exceeds the per-pixel threshold.
    pub changed: u64,
    /// Pixels compared (of the larger image when sizes differ).
    pub total: u64,
    /// Both images have the same size.
    pub same_size: bool,
    /// The diff image.
    pub diff: RgbaImage,
}

impl Comparison {
    /// Changed pixels / all pixels; 1.0 when the sizes differ.
    pub fn ratio(&self) -> f64 {
        if !self.same_size {
            return 1.0;
        }
        if self.total == 0 {
            0.0
        } else {
            self.changed as f64 / self.total as f64
        }
    }
}

fn blend(c: u8, a: f64) -> f64 {
    255.0 + (c as f64 - 255.0) * a
}

fn yiq(p: &Rgba<u8>) -> (f64, f64, f64) {
    let a = p[3] as f64 / 255.0;
    let (r, g, b) = (blend(p[0], a), blend(p[1], a), blend(p[2], a));
    (
        r * 0.29889531 + g * 0.58662247 + b * 0.11448223,
        r * 0.59597799 - g * 0.27417610 - b * 0.32180189,
        r * 0.21147017 - g * 0.52261711 + b * 0.31114694,
    )
}

/// The colour distance of two pixels, 0 (same) to 1 (black against white: 0.93).
pub fn distance(a: &Rgba<u8>, b: &Rgba<u8>) -> f64 {
    if a == b {
        return 0.0;
    }
    let (y1, i1, q1) = yiq(a);
    let (y2, i2, q2) = yiq(b);
    let (dy, di, dq) = (y1 - y2, i1 - i2, q1 - q2);
    ((0.5053 * dy * dy + 0.299 * di * di + 0.1957 * dq * dq) / MAX_YIQ_DELTA).clamp(0.0, 1.0)
}

/// Compares `actual` with `reference`, pixel by pixel.
pub fn compare(reference: &RgbaImage, actual: &RgbaImage, pixel_threshold: f64) -> Comparison {
    let (w, h) = (
        reference.width().max(actual.width()),
        reference.height().max(actual.height()),
    );
    let same_size = reference.dimensions() == actual.dimensions();
    let mut diff = RgbaImage::new(w, h);
    let mut changed = 0u64;
    let limit = pixel_threshold * pixel_threshold;
    for y in 0..h {
        for x in 0..w {
            let a = reference.get_pixel_checked(x, y);
            let b = actual.get_pixel_checked(x, y);
            let (is_changed, base) = match (a, b) {
                (Some(a), Some(b)) => (distance(a, b) > limit, a),
                (Some(a), None) | (None, Some(a)) => (true, a),
                (None, None) => unreachable!("inside the larger image"),
            };
            if is_changed {
                changed += 1;
                diff.put_pixel(x, y, Rgba([255, 0, 0, 255]));
            } else {
                // Faded grey copy of the reference, for context.
                let (l, _, _) = yiq(base);
                let v = (255.0 - (255.0 - l) * 0.1).round() as u8;
                diff.put_pixel(x, y, Rgba([v, v, v, 255]));
            }
        }
    }
    Comparison {
        changed,
        total: w as u64 * h as u64,
        same_size,
        diff,
    }
}

/// One row of a folder comparison.
#[derive(Debug, Clone)]
pub struct Row {
    /// The image's file name.
    pub name: String,
    /// Changed-pixel ratio (`None`: missing on one side or unreadable).
    pub ratio: Option<f64>,
    /// Passed (within the limit).
    pub ok: bool,
    /// `ok`, `CHANGED`, `size differs`, `missing in ...`.
    pub verdict: String,
    /// The diff image written, if any.
    pub diff: Option<PathBuf>,
    /// Likeness to the reference (`None`: missing on one side or unreadable).
    pub likeness: Option<Likeness>,
    /// The reference carried a colour profile, applied before comparing.
    pub profile: bool,
}

impl Row {
    fn missing(name: String, verdict: String) -> Row {
        Row {
            name,
            ratio: None,
            ok: false,
            verdict,
            diff: None,
            likeness: None,
            profile: false,
        }
    }
}

/// Limits of a folder comparison.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest changed-pixel ratio of an unchanged image.
    pub max_ratio: f64,
    /// Smallest likeness of an image alike enough (with sizes within 20 %).
    pub min_likeness: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_ratio: DEFAULT_MAX_RATIO,
            min_likeness: DEFAULT_MIN_LIKENESS,
        }
    }
}

/// Compares one pair read from disk: pixels, likeness, verdict; writes the diff image.
fn compare_pair(
    name: String,
    (r, a): (&Path, &Path),
    diff_dir: &Path,
    limits: Limits,
) -> std::io::Result<Row> {
    let (ri, profile, ai) = match (icc::load_srgb(r), icc::load_srgb(a)) {
        (Ok((ri, p)), Ok((ai, _))) => (ri, p, ai),
        (Err(e), _) | (_, Err(e)) => return Ok(Row::missing(name, e)),
    };
    let c = compare(&ri, &ai, PIXEL_THRESHOLD);
    std::fs::create_dir_all(diff_dir)?;
    let dp = diff_dir.join(&name);
    c.diff
        .save_with_format(&dp, image::ImageFormat::Png)
        .map_err(std::io::Error::other)?;
    let like = likeness::likeness_at(&ri, &ai, icc::png_pixel_ratio(r));
    let ratio = c.ratio();
    let identical = c.same_size && ratio <= limits.max_ratio;
    let alike = like.size_ok && like.score >= limits.min_likeness;
    let verdict = if identical {
        "ok".to_string()
    } else if alike {
        "ok (alike)".to_string()
    } else if !like.size_ok {
        format!(
            "size differs ({}x{} vs {}x{})",
            ri.width(),
            ri.height(),
            ai.width(),
            ai.height()
        )
    } else {
        "CHANGED".into()
    };
    Ok(Row {
        name,
        ratio: Some(ratio),
        ok: identical || alike,
        verdict,
        diff: Some(dp),
        likeness: Some(like),
        profile,
    })
}

/// Compares every PNG of `reference` with the image of the same name in `actual`, and every
/// PNG of `actual` missing in `reference`; writes `<diff_dir>/<name>` for each pair.
/// `names`: when given, only these images are expected (others in `actual` are ignored).
pub fn compare_dirs(
    reference: &Path,
    actual: &Path,
    diff_dir: &Path,
    limits: Limits,
    names: Option<&[String]>,
) -> std::io::Result<Vec<Row>> {
    let list = |d: &Path| -> std::io::Result<Vec<String>> {
        let mut v = Vec::new();
        if d.is_dir() {
            for e in std::fs::read_dir(d)? {
                let n = e?.file_name().to_string_lossy().to_string();
                if n.ends_with(".png") {
                    v.push(n);
                }
            }
        }
        Ok(v)
    };
    let mut all: Vec<String> = match names {
        Some(n) => n.to_vec(),
        None => {
            let mut v = list(reference)?;
            v.extend(list(actual)?);
            v
        }
    };
    all.sort();
    all.dedup();
    let mut rows = Vec::new();
    for name in all {
        let (r, a) = (reference.join(&name), actual.join(&name));
        let row = match (r.is_file(), a.is_file()) {
            (false, _) => Row::missing(name, "missing in the reference".into()),
            (true, false) => Row::missing(name, "missing (not generated)".into()),
            (true, true) => compare_pair(name, (&r, &a), diff_dir, limits)?,
        };
        rows.push(row);
    }
    Ok(rows)
}

/// The comparison table: name, changed ratio, likeness, size and framing, verdict.
pub fn table(rows: &[Row], limits: Limits) -> String {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(5).max(5);
    let mut s = format!(
        "{:<width$}  {:>9}  {:>8}  {:>5}  {:>7}  verdict (changed <= {:.4}%, or likeness >= {:.2} with sizes within 20%)\n",
        "image",
        "changed",
        "likeness",
        "size",
        "framing",
        limits.max_ratio * 100.0,
        limits.min_likeness,
    );
    let yes = |b: bool| if b { "ok" } else { "NO" };
    for r in rows {
        let ratio = r
            .ratio
            .map_or("-".to_string(), |x| format!("{:.4}%", x * 100.0));
        let (score, size, framing) = r.likeness.map_or(("-".into(), "-", "-"), |l| {
            (format!("{:.3}", l.score), yes(l.size_ok), yes(l.framing_ok))
        });
        s.push_str(&format!(
            "{:<width$}  {:>9}  {:>8}  {:>5}  {:>7}  {}\n",
            r.name, ratio, score, size, framing, r.verdict
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_images_have_no_change() {
        let a = RgbaImage::from_pixel(10, 10, Rgba([10, 20, 30, 255]));
        let c = compare(&a, &a.clone(), PIXEL_THRESHOLD);
        assert_eq!(c.changed, 0);
        assert_eq!(c.ratio(), 0.0);
    }

    #[test]
    fn changed_pixels_are_counted_and_marked() {
        let a = RgbaImage::from_pixel(10, 10, Rgba([255, 255, 255, 255]));
        let mut b = a.clone();
        b.put_pixel(3, 4, Rgba([0, 0, 0, 255]));
        // A barely different pixel stays under the per-pixel threshold.
        b.put_pixel(5, 5, Rgba([254, 254, 254, 255]));
        let c = compare(&a, &b, PIXEL_THRESHOLD);
        assert_eq!(c.changed, 1);
        assert_eq!(*c.diff.get_pixel(3, 4), Rgba([255, 0, 0, 255]));
        assert_ne!(*c.diff.get_pixel(5, 5), Rgba([255, 0, 0, 255]));
        assert!((c.ratio() - 0.01).abs() < 1e-9);
    }

    #[test]
    fn sizes_that_differ_fail() {
        let a = RgbaImage::from_pixel(10, 10, Rgba([255, 255, 255, 255]));
        let b = RgbaImage::from_pixel(10, 12, Rgba([255, 255, 255, 255]));
        let c = compare(&a, &b, PIXEL_THRESHOLD);
        assert!(!c.same_size);
        assert_eq!(c.ratio(), 1.0);
        assert_eq!(c.changed, 20);
    }

    #[test]
    fn black_on_white_is_the_maximum_distance() {
        let d = distance(&Rgba([0, 0, 0, 255]), &Rgba([255, 255, 255, 255]));
        assert!(d > 0.9 && d <= 1.0, "{d}");
    }

    #[test]
    fn folders_report_missing_and_changed() {
        let r = tempfile::tempdir().unwrap();
        let a = tempfile::tempdir().unwrap();
        let d = tempfile::tempdir().unwrap();
        let white = RgbaImage::from_pixel(4, 4, Rgba([255, 255, 255, 255]));
        let black = RgbaImage::from_pixel(4, 4, Rgba([0, 0, 0, 255]));
        white.save(r.path().join("same.png")).unwrap();
        white.save(a.path().join("same.png")).unwrap();
        white.save(r.path().join("changed.png")).unwrap();
        black.save(a.path().join("changed.png")).unwrap();
        white.save(r.path().join("gone.png")).unwrap();
        let rows = compare_dirs(r.path(), a.path(), d.path(), Limits::default(), None).unwrap();
        let by = |n: &str| rows.iter().find(|x| x.name == n).unwrap().clone();
        assert!(by("same.png").ok);
        assert!(!by("changed.png").ok);
        assert_eq!(by("changed.png").ratio, Some(1.0));
        assert!(!by("gone.png").ok);
        assert!(d.path().join("changed.png").is_file());
        assert!(table(&rows, Limits::default()).contains("CHANGED"));
    }
}
