//! Documentation screenshots: a fixed 1280x800 viewport at DPR 1 (set through chromedriver's CDP
//! endpoint), animations, transitions and the caret off, captures repeated until two in a row
//! are identical, a crop around the relevant region with a margin, a highlight box around what
//! the reader must click, and known secrets masked by filled boxes.
//!
//! Page objects call [`Browser::snapshot`] at the tutorial's moments; it does nothing unless a
//! [`Capture`] sink was installed with [`Browser::set_capture`]. The flow calls
//! [`Browser::step_snapshot`] at the end of every step for numbered per-step images.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use image::{Rgba, RgbaImage};
use serde_json::{json, Value};

use super::{Browser, Cond, Locator};
use crate::error::Error;

/// Viewport width in CSS pixels.
pub const VIEWPORT_WIDTH: u32 = 1280;
/// Viewport height in CSS pixels.
pub const VIEWPORT_HEIGHT: u32 = 800;
/// Margin kept around a crop region, in CSS pixels.
pub const CROP_MARGIN: u32 = 24;
/// Colour of the highlight box.
pub const HIGHLIGHT: Rgba<u8> = Rgba([230, 0, 118, 255]);
/// Width of the highlight box's stroke, in pixels.
pub const HIGHLIGHT_STROKE: u32 = 3;
/// Gap between the element's rectangle and the highlight box, in pixels.
pub const HIGHLIGHT_GAP: u32 = 3;
/// Fill of a masked secret.
pub const MASK: Rgba<u8> = Rgba([40, 40, 40, 255]);
/// Fill of a run-specific value that is not a secret (a client id), blanked so that images of
/// two runs compare equal.
pub const BLANK: Rgba<u8> = Rgba([222, 222, 222, 255]);

/// Injected before every capture: no animations, no transitions, no caret, no transient flash
/// messages (they come and go on timers), no scrollbars.
const STILL_CSS: &str = "*, *::before, *::after { animation: none !important; \
transition: none !important; caret-color: transparent !important; } \
#flash-messages, .flash-messages-holder { visibility: hidden !important; } \
::-webkit-scrollbar { display: none !important; }";

const PREPARE_JS: &str = r#"
const css = arguments[0];
let s = document.getElementById('pimcred-still');
if (!s) { s = document.createElement('style'); s.id = 'pimcred-still'; (document.head || document.documentElement).appendChild(s); }
s.textContent = css;
return [window.innerWidth, window.innerHeight, window.devicePixelRatio];
"#;

/// Shortest secret searched for on the page: shorter ones (a demo `admin` password) would mask
/// ordinary words such as the user menu's login; passwords show as dots anyway.
pub const MIN_MASKED_SECRET: usize = 8;

/// Rectangles (CSS px, viewport coordinates) of every place where one of the texts shows: the
/// text range inside text nodes, widened to the right edge of its block (so that the box does
/// not depend on the glyphs, and two runs compare equal), and whole inputs whose value holds one.
const SECRET_RECTS_JS: &str = r#"
const secrets = arguments[0].filter((s) => s && s.length >= arguments[1]);
const out = [];
const push = (r, node) => {
  if (!(r.width > 0 && r.height > 0)) return;
  let right = r.right;
  let blk = node && node.parentElement;
  while (blk && getComputedStyle(blk).display.startsWith('inline')) blk = blk.parentElement;
  if (blk) {
    const b = blk.getBoundingClientRect();
    right = Math.max(right, b.right - parseFloat(getComputedStyle(blk).paddingRight || '0'));
  }
  out.push([r.left, r.top, right - r.left, r.height]);
};
const visible = (el) => { const cs = el && getComputedStyle(el); return cs && cs.visibility !== 'hidden' && cs.display !== 'none'; };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (!visible(n.parentElement)) continue;
  for (const s of secrets) {
    let i = n.nodeValue.indexOf(s);
    while (i >= 0) {
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + s.length);
      for (const rr of r.getClientRects()) push(rr, n);
      i = n.nodeValue.indexOf(s, i + s.length);
    }
  }
}
for (const el of document.querySelectorAll('input, textarea')) {
  if (secrets.some((s) => (el.value || '').includes(s)) && visible(el)) push(el.getBoundingClientRect(), null);
}
return out;
"#;

/// Replaces, in the page's text nodes, every occurrence of the texts (at least `arguments[1]`
/// characters long) by as many `0`s: a run-specific value then takes the same room in every
/// run, and a secret never reaches the pixels. The originals are kept for `RESTORE_JS`; the
/// replaced ranges are marked with `arguments[2]` (the kind) for `MARK_RECTS_JS`.
const SUBST_JS: &str = r#"
const texts = arguments[0].filter((s) => s && s.length >= arguments[1]);
const kind = arguments[2];
window.__pimcredSubs = window.__pimcredSubs || [];
window.__pimcredMarks = window.__pimcredMarks || [];
if (!texts.length) return 0;
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const nodes = [];
for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
let count = 0;
for (const n of nodes) {
  for (const s of texts) {
    let i = n.nodeValue.indexOf(s);
    while (i >= 0) {
      if (!window.__pimcredSubs.some((x) => x.n === n)) window.__pimcredSubs.push({n, orig: n.nodeValue});
      n.nodeValue = n.nodeValue.slice(0, i) + '0'.repeat(s.length) + n.nodeValue.slice(i + s.length);
      window.__pimcredMarks.push({n, start: i, end: i + s.length, kind});
      count++;
      i = n.nodeValue.indexOf(s, i + s.length);
    }
  }
}
return count;
"#;

/// The rectangles of the ranges `SUBST_JS` marked with kind `arguments[0]`, widened to the
/// right edge of their block.
const MARK_RECTS_JS: &str = r#"
const out = [];
for (const m of (window.__pimcredMarks || [])) {
  if (m.kind !== arguments[0] || !m.n.isConnected) continue;
  const cs = getComputedStyle(m.n.parentElement);
  if (cs.visibility === 'hidden' || cs.display === 'none') continue;
  const r = document.createRange(); r.setStart(m.n, m.start); r.setEnd(m.n, m.end);
  for (const rr of r.getClientRects()) {
    if (!(rr.width > 0 && rr.height > 0)) continue;
    let blk = m.n.parentElement;
    while (blk && getComputedStyle(blk).display.startsWith('inline')) blk = blk.parentElement;
    let right = rr.right;
    if (blk) right = Math.max(right, blk.getBoundingClientRect().right - parseFloat(getComputedStyle(blk).paddingRight || '0'));
    out.push([rr.left, rr.top, right - rr.left, rr.height]);
  }
}
return out;
"#;

/// Puts back the texts `SUBST_JS` replaced.
const RESTORE_JS: &str = r#"
for (const x of (window.__pimcredSubs || [])) x.n.nodeValue = x.orig;
window.__pimcredSubs = []; window.__pimcredMarks = [];
"#;

const RECT_JS: &str = r#"
const el = arguments[0];
if (arguments[1]) el.scrollIntoView({block: 'nearest', inline: 'nearest'});
const r = el.getBoundingClientRect();
return [r.left, r.top, r.width, r.height];
"#;

/// A rectangle in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Rect {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub w: i64,
    /// Height.
    pub h: i64,
}

impl Rect {
    fn from_css(v: &Value, scale: f64) -> Option<Rect> {
        let a = v.as_array()?;
        let f = |i: usize| a.get(i).and_then(Value::as_f64);
        let (x, y, w, h) = (f(0)?, f(1)?, f(2)?, f(3)?);
        let x0 = (x * scale).floor() as i64;
        let y0 = (y * scale).floor() as i64;
        let x1 = ((x + w) * scale).ceil() as i64;
        let y1 = ((y + h) * scale).ceil() as i64;
        Some(Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        })
    }

    fn union(self, o: Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect {
            x,
            y,
            w: (self.x + self.w).max(o.x + o.w) - x,
            h: (self.y + self.h).max(o.y + o.h) - y,
        }
    }

    fn grow(self, m: i64) -> Rect {
        Rect {
            x: self.x - m,
            y: self.y - m,
            w: self.w + 2 * m,
            h: self.h + 2 * m,
        }
    }

    /// Clamped to a `w`x`h` image; `None` when nothing is left.
    fn clamp(self, w: u32, h: u32) -> Option<Rect> {
        let x0 = self.x.clamp(0, w as i64);
        let y0 = self.y.clamp(0, h as i64);
        let x1 = (self.x + self.w).clamp(0, w as i64);
        let y1 = (self.y + self.h).clamp(0, h as i64);
        (x1 > x0 && y1 > y0).then_some(Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        })
    }

    fn offset(self, dx: i64, dy: i64) -> Rect {
        Rect {
            x: self.x - dx,
            y: self.y - dy,
            ..self
        }
    }
}

/// A tutorial capture: its file name (without `.png`), the region to crop to, the element to
/// highlight and elements to mask (on top of every place showing a known secret).
#[derive(Debug, Clone)]
pub struct Shot {
    name: String,
    region: Option<Locator>,
    include: Vec<Locator>,
    highlight: Option<Locator>,
    masks: Vec<Locator>,
    blanks: Vec<String>,
}

impl Shot {
    /// A capture named `name` (the tutorial's file name without `.png`): the whole viewport.
    pub fn new(name: impl Into<String>) -> Self {
        Shot {
            name: name.into(),
            region: None,
            include: Vec::new(),
            highlight: None,
            masks: Vec::new(),
            blanks: Vec::new(),
        }
    }

    /// Blanks this run-specific text wherever it shows (not a secret: done with `--no-mask`
    /// too), so that two runs produce the same image.
    pub fn blank_text(mut self, text: impl Into<String>) -> Self {
        self.blanks.push(text.into());
        self
    }

    /// Crops to this element (plus the highlight) with a margin.
    pub fn region(mut self, loc: Locator) -> Self {
        self.region = Some(loc);
        self
    }

    /// Widens the crop of [`Shot::region`] to this element too (an open drop-down that
    /// overflows its form).
    pub fn include(mut self, loc: Locator) -> Self {
        self.include.push(loc);
        self
    }

    /// Draws a box around this element (what the reader must click).
    pub fn highlight(mut self, loc: Locator) -> Self {
        self.highlight = Some(loc);
        self
    }

    /// Fills this element with the mask colour (unless masking is off).
    pub fn mask(mut self, loc: Locator) -> Self {
        self.masks.push(loc);
        self
    }
}

/// What kind of image a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ShotKind {
    /// A tutorial image, under the tutorial's name.
    Tutorial,
    /// A numbered image taken at the end of a flow step.
    Step,
}

/// One image written (or skipped) by a capture sink.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaptureRecord {
    /// Name without extension (`role-creation`, `03-ensure-role`).
    pub name: String,
    /// Tutorial image or per-step image.
    pub kind: ShotKind,
    /// The flow step running when it was taken.
    pub step: String,
    /// The file written; `None` when skipped.
    pub file: Option<PathBuf>,
    /// Why it was skipped.
    pub skipped: Option<String>,
    /// Whether secrets were masked.
    pub masked: bool,
    /// The crop, in viewport pixels.
    pub crop: Option<Rect>,
    /// The highlighted element's rectangle, in the written image's pixels.
    pub highlight: Option<Rect>,
    /// The masked rectangles, in the written image's pixels.
    pub mask_rects: Vec<Rect>,
}

/// Where captures go and what to capture. Shared (`Arc`) between the caller, which reads the
/// records afterwards, and the browser, which writes them.
#[derive(Debug)]
pub struct Capture {
    tutorial_dir: Option<PathBuf>,
    steps_dir: Option<PathBuf>,
    mask: bool,
    records: Mutex<Vec<CaptureRecord>>,
    secrets: Mutex<Vec<String>>,
}

impl Capture {
    /// A sink. `tutorial_dir`: where tutorial images go (`None`: not taken). `steps_dir`: where
    /// numbered per-step images go (`None`: not taken; they are always masked). `mask`: mask
    /// secrets in tutorial images.
    pub fn new(tutorial_dir: Option<PathBuf>, steps_dir: Option<PathBuf>, mask: bool) -> Self {
        Capture {
            tutorial_dir,
            steps_dir,
            mask,
            records: Mutex::new(Vec::new()),
            secrets: Mutex::new(Vec::new()),
        }
    }

    /// Every image written or skipped so far, in order.
    pub fn records(&self) -> Vec<CaptureRecord> {
        self.records.lock().unwrap().clone()
    }

    /// The secrets the browser knew at the last capture (to scrub reports).
    pub fn secrets(&self) -> Vec<String> {
        self.secrets.lock().unwrap().clone()
    }

    /// Whether tutorial images are masked.
    pub fn masks(&self) -> bool {
        self.mask
    }

    fn push(&self, r: CaptureRecord) {
        self.records.lock().unwrap().push(r);
    }
}

/// chromedriver's vendor endpoint running one CDP command.
#[derive(Debug)]
struct CdpCommand {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params}).to_string();
        (http::Method::POST, Some(body))
    }
}

/// Writes a PNG (creating its folder).
pub fn save_png(img: &RgbaImage, path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    img.save_with_format(path, image::ImageFormat::Png)
        .map_err(std::io::Error::other)
}

/// Fills `r` with `c` (clamped to the image).
pub fn fill_rect(img: &mut RgbaImage, r: Rect, c: Rgba<u8>) {
    let Some(r) = r.clamp(img.width(), img.height()) else {
        return;
    };
    for y in r.y..r.y + r.h {
        for x in r.x..r.x + r.w {
            img.put_pixel(x as u32, y as u32, c);
        }
    }
}

/// Draws a `stroke`-pixel box whose inner edge lies `gap` pixels outside `r`.
pub fn draw_box(img: &mut RgbaImage, r: Rect, gap: u32, stroke: u32, c: Rgba<u8>) {
    let outer = r.grow((gap + stroke) as i64);
    let s = stroke as i64;
    fill_rect(img, Rect { h: s, ..outer }, c);
    fill_rect(
        img,
        Rect {
            y: outer.y + outer.h - s,
            h: s,
            ..outer
        },
        c,
    );
    fill_rect(img, Rect { w: s, ..outer }, c);
    fill_rect(
        img,
        Rect {
            x: outer.x + outer.w - s,
            w: s,
            ..outer
        },
        c,
    );
}

impl Browser {
    /// Installs a capture sink and sets the viewport to 1280x800 CSS pixels at DPR 1.
    pub async fn set_capture(&self, capture: Arc<Capture>) -> Result<(), Error> {
        *self.capture.lock().unwrap() = Some(capture);
        self.set_viewport().await
    }

    /// The installed capture sink.
    pub fn capture(&self) -> Option<Arc<Capture>> {
        self.capture.lock().unwrap().clone()
    }

    /// Sets the viewport through `Emulation.setDeviceMetricsOverride` (the window size is not
    /// the viewport).
    pub async fn set_viewport(&self) -> Result<(), Error> {
        let cmd = CdpCommand {
            cmd: "Emulation.setDeviceMetricsOverride",
            params: json!({
                "width": VIEWPORT_WIDTH,
                "height": VIEWPORT_HEIGHT,
                "deviceScaleFactor": 1,
                "mobile": false,
            }),
        };
        self.bounded(self.client.issue_cmd(cmd))
            .await
            .map(|_| ())
            .map_err(|e| self.browser_error("CDP Emulation.setDeviceMetricsOverride", e))
    }

    /// Takes a tutorial image (no-op without a sink taking tutorial images).
    pub async fn snapshot(&self, shot: Shot) -> Result<(), Error> {
        let Some(cap) = self.capture() else {
            return Ok(());
        };
        let Some(dir) = cap.tutorial_dir.clone() else {
            return Ok(());
        };
        let mut rec = self.capture_image(&shot, cap.mask).await?;
        let path = dir.join(format!("{}.png", shot.name));
        save_png(&rec.0, &path)
            .map_err(|e| Error::Other(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
        rec.1.file = Some(path);
        rec.1.kind = ShotKind::Tutorial;
        cap.push(rec.1);
        Ok(())
    }

    /// Records that a tutorial image was not taken, and why (no-op without a sink).
    pub fn snapshot_skipped(&self, name: &str, reason: &str) {
        if let Some(cap) = self.capture().filter(|c| c.tutorial_dir.is_some()) {
            cap.push(CaptureRecord {
                name: name.to_string(),
                kind: ShotKind::Tutorial,
                step: self.step(),
                file: None,
                skipped: Some(reason.to_string()),
                masked: cap.mask,
                crop: None,
                highlight: None,
                mask_rects: vec![],
            });
        }
    }

    /// Takes the numbered image of the step that just ended (`NN-step.png`, always masked).
    /// Best effort: a failure to capture is ignored (the step's own outcome matters).
    pub async fn step_snapshot(&self, step: &str) {
        let Some(cap) = self.capture() else {
            return;
        };
        let Some(dir) = cap.steps_dir.clone() else {
            return;
        };
        let n = cap
            .records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.kind == ShotKind::Step)
            .count()
            + 1;
        let name = format!("{n:02}-{}", super::slug(step));
        let shot = Shot::new(name.clone());
        let taken = tokio::time::timeout(self.timeout, self.capture_image(&shot, true)).await;
        if let Ok(Ok((img, mut rec))) = taken {
            let path = dir.join(format!("{name}.png"));
            if save_png(&img, &path).is_ok() {
                rec.file = Some(path);
                rec.kind = ShotKind::Step;
                rec.step = step.to_string();
                cap.push(rec);
            }
        }
    }

    async fn rect_of(&self, loc: &Locator, scroll: bool, scale: f64) -> Result<Rect, Error> {
        let found = self.wait(loc, Cond::Visible).await?;
        let el = found
            .element
            .ok_or_else(|| self.unexpected(format!("`{loc}` resolved to no element")))?;
        let arg =
            serde_json::to_value(&el).map_err(|e| Error::Other(anyhow::anyhow!(e.to_string())))?;
        let v = self.script(RECT_JS, vec![arg, json!(scroll)]).await?;
        Rect::from_css(&v, scale)
            .ok_or_else(|| self.unexpected(format!("no rectangle for `{loc}`")))
    }

    async fn screenshot_rgba(&self) -> Result<RgbaImage, Error> {
        let png = self
            .bounded(self.client.screenshot())
            .await
            .map_err(|e| self.browser_error("screenshot", e))?;
        image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .map(|i| i.to_rgba8())
            .map_err(|e| Error::Other(anyhow::anyhow!("screenshot is not a PNG: {e}")))
    }

    /// Captures the viewport once stable, masks, highlights and crops; the page's texts that
    /// were replaced for the capture are always put back.
    async fn capture_image(
        &self,
        shot: &Shot,
        mask: bool,
    ) -> Result<(RgbaImage, CaptureRecord), Error> {
        let res = self.capture_substituted(shot, mask).await;
        let restored = self.script(RESTORE_JS, vec![]).await;
        let out = res?;
        restored?;
        Ok(out)
    }

    async fn mark_rects(&self, kind: &str, scale: f64) -> Result<Vec<Rect>, Error> {
        let v = self.script(MARK_RECTS_JS, vec![json!(kind)]).await?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Rect::from_css(r, scale))
            .collect())
    }

    async fn capture_substituted(
        &self,
        shot: &Shot,
        mask: bool,
    ) -> Result<(RgbaImage, CaptureRecord), Error> {
        let start = Instant::now();
        // The page settled: no XHR in flight, no visible loading mask.
        self.wait(&Locator::css("body"), Cond::Visible).await?;
        let m = self.script(PREPARE_JS, vec![json!(STILL_CSS)]).await?;
        let (w, h) = (m[0].as_f64().unwrap_or(0.0), m[1].as_f64().unwrap_or(0.0));
        if w as u32 != VIEWPORT_WIDTH || h as u32 != VIEWPORT_HEIGHT {
            self.set_viewport().await?;
        }
        let secrets = self.secrets.lock().unwrap().clone();
        if let Some(cap) = self.capture() {
            *cap.secrets.lock().unwrap() = secrets.clone();
        }
        self.script(SUBST_JS, vec![json!(shot.blanks), json!(1), json!("blank")])
            .await?;
        if mask {
            self.script(
                SUBST_JS,
                vec![json!(secrets), json!(MIN_MASKED_SECRET), json!("secret")],
            )
            .await?;
        }
        // Captures until two in a row are identical, with the rectangles read around them.
        let mut prev: Option<RgbaImage> = None;
        loop {
            let img = self.screenshot_rgba().await?;
            if prev.as_ref() == Some(&img) {
                let scale = img.width() as f64 / VIEWPORT_WIDTH as f64;
                let highlight = match &shot.highlight {
                    Some(l) => Some(self.rect_of(l, false, scale).await?),
                    None => None,
                };
                let mut region = match &shot.region {
                    Some(l) => Some(self.rect_of(l, false, scale).await?),
                    None => None,
                };
                if region.is_some() {
                    for l in &shot.include {
                        let r = self.rect_of(l, false, scale).await?;
                        region = region.map(|g| g.union(r));
                    }
                }
                let blanks = self.mark_rects("blank", scale).await?;
                let mut masks = Vec::new();
                if mask {
                    masks.extend(self.mark_rects("secret", scale).await?);
                    for l in &shot.masks {
                        masks.push(self.rect_of(l, false, scale).await?);
                    }
                    let v = self
                        .script(
                            SECRET_RECTS_JS,
                            vec![json!(secrets.clone()), json!(MIN_MASKED_SECRET)],
                        )
                        .await?;
                    for r in v.as_array().into_iter().flatten() {
                        masks.extend(Rect::from_css(r, scale));
                    }
                }
                // Nothing moved while the rectangles were read.
                if self.screenshot_rgba().await? == img {
                    return Ok(compose(
                        img,
                        shot,
                        region,
                        highlight,
                        (masks, blanks),
                        mask,
                        &self.step(),
                    ));
                }
                prev = None;
            } else {
                prev = Some(img);
            }
            if start.elapsed() > self.timeout {
                return Err(Error::Timeout {
                    step: self.step(),
                    selector: format!("screenshot {}", shot.name),
                    condition: "two identical captures in a row".into(),
                    waited: start.elapsed(),
                    url: self.url().await.unwrap_or_default(),
                    last_seen: "the page kept changing".into(),
                });
            }
            if let Some(l) = &shot.highlight {
                // Bring the element into view before the next capture.
                let scale = prev
                    .as_ref()
                    .map_or(1.0, |i| i.width() as f64 / VIEWPORT_WIDTH as f64);
                self.rect_of(l, true, scale).await?;
            }
        }
    }
}

/// Masks, highlights and crops a stable capture.
fn compose(
    mut img: RgbaImage,
    shot: &Shot,
    region: Option<Rect>,
    highlight: Option<Rect>,
    (masks, blanks): (Vec<Rect>, Vec<Rect>),
    masked: bool,
    step: &str,
) -> (RgbaImage, CaptureRecord) {
    for r in &blanks {
        fill_rect(&mut img, *r, BLANK);
    }
    for r in &masks {
        fill_rect(&mut img, *r, MASK);
    }
    if let Some(r) = highlight {
        draw_box(&mut img, r, HIGHLIGHT_GAP, HIGHLIGHT_STROKE, HIGHLIGHT);
    }
    let (iw, ih) = (img.width(), img.height());
    let crop = match region {
        Some(r) => {
            let r = highlight.map_or(r, |h| {
                r.union(h.grow((HIGHLIGHT_GAP + HIGHLIGHT_STROKE) as i64))
            });
            r.grow(CROP_MARGIN as i64).clamp(iw, ih)
        }
        None => None,
    }
    .unwrap_or(Rect {
        x: 0,
        y: 0,
        w: iw as i64,
        h: ih as i64,
    });
    let out = image::imageops::crop_imm(
        &img,
        crop.x as u32,
        crop.y as u32,
        crop.w as u32,
        crop.h as u32,
    )
    .to_image();
    let rec = CaptureRecord {
        name: shot.name.clone(),
        kind: ShotKind::Tutorial,
        step: step.to_string(),
        file: None,
        skipped: None,
        masked,
        crop: Some(crop),
        highlight: highlight.map(|r| r.offset(crop.x, crop.y)),
        mask_rects: masks.iter().map(|r| r.offset(crop.x, crop.y)).collect(),
    };
    (out, rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_surround_the_rectangle() {
        let mut img = RgbaImage::from_pixel(50, 50, Rgba([255, 255, 255, 255]));
        let r = Rect {
            x: 10,
            y: 10,
            w: 20,
            h: 10,
        };
        draw_box(&mut img, r, 2, 3, HIGHLIGHT);
        // Inner edge 2 px outside: (7..=9) is the stroke on the left.
        assert_eq!(*img.get_pixel(7, 15), HIGHLIGHT);
        assert_eq!(*img.get_pixel(5, 15), HIGHLIGHT);
        assert_ne!(*img.get_pixel(4, 15), HIGHLIGHT);
        assert_ne!(*img.get_pixel(8 + 1, 15), HIGHLIGHT); // the gap
        assert_ne!(*img.get_pixel(15, 15), HIGHLIGHT); // inside untouched
        assert_eq!(*img.get_pixel(15, 22 + 1), HIGHLIGHT); // bottom stroke
    }

    #[test]
    fn rects_from_css_cover_fractions() {
        let r = Rect::from_css(&json!([10.5, 2.2, 5.0, 3.0]), 1.0).unwrap();
        assert_eq!(
            r,
            Rect {
                x: 10,
                y: 2,
                w: 6,
                h: 4
            }
        );
        assert!(Rect {
            x: -5,
            y: -5,
            w: 3,
            h: 3
        }
        .clamp(10, 10)
        .is_none());
    }

    #[test]
    fn step_names_are_slugs() {
        assert_eq!(super::super::slug("ensure role"), "ensure-role");
        assert_eq!(super::super::slug("read credentials!"), "read-credentials");
    }
}
