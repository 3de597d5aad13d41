//! Documentation screenshots: a viewport set through chromedriver's CDP endpoint (1280x800 at
//! DPR 1, or the [`Frame`] of a tutorial image: its viewport, device pixel ratio and published
//! pixel size), animations, transitions and the caret off, captures repeated until two in a row
//! are identical, a crop framed on the page's own elements, a highlight box around what the
//! reader must click (only when asked), and known secrets replaced in the page, before the
//! capture, by placeholders of the same length (so the image keeps the page's own font).
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

/// Injected before every capture: no animations, no transitions, no caret, no transient flash
/// messages (they come and go on timers), no scrollbars.
const STILL_CSS: &str = "*, *::before, *::after { animation: none !important; \
transition: none !important; caret-color: transparent !important; } \
#flash-messages, .flash-messages-holder { visibility: hidden !important; } \
::-webkit-scrollbar { display: none !important; }";

const PREPARE_JS: &str = r#"
const css = arguments[0] + arguments[1].map((c) => c + ' { display: none !important; }').join(' ');
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

/// Replaces, in the page's text nodes and field values, every occurrence of the texts (at
/// least `arguments[1]` characters long) by a placeholder of the same length (letters and
/// digits, the same for every run): the value then takes the same room in the page's own font,
/// and a secret never reaches the pixels. The originals are kept for `RESTORE_JS`; the replaced
/// text ranges are marked with `arguments[2]` (the kind) for `MARK_RECTS_JS`.
const SUBST_JS: &str = r#"
const texts = arguments[0].filter((s) => s && s.length >= arguments[1]);
const kind = arguments[2];
const PH = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ph = (n) => { let o = '', x = 7 + n; for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) % 2147483648; o += PH[(x >> 16) % PH.length]; } return o; };
window.__pimcredSubs = window.__pimcredSubs || [];
window.__pimcredMarks = window.__pimcredMarks || [];
window.__pimcredVals = window.__pimcredVals || [];
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
      n.nodeValue = n.nodeValue.slice(0, i) + ph(s.length) + n.nodeValue.slice(i + s.length);
      window.__pimcredMarks.push({n, start: i, end: i + s.length, kind});
      count++;
      i = n.nodeValue.indexOf(s, i + s.length);
    }
  }
}
for (const el of document.querySelectorAll('input, textarea')) {
  for (const s of texts) {
    if (!(el.value || '').includes(s)) continue;
    if (!window.__pimcredVals.some((x) => x.el === el)) window.__pimcredVals.push({el, orig: el.value});
    el.value = el.value.split(s).join(ph(s.length));
    count++;
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

/// Puts back the texts and field values `SUBST_JS` replaced.
const RESTORE_JS: &str = r#"
for (const x of (window.__pimcredSubs || [])) x.n.nodeValue = x.orig;
for (const x of (window.__pimcredVals || [])) x.el.value = x.orig;
window.__pimcredSubs = []; window.__pimcredMarks = []; window.__pimcredVals = [];
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

/// How a tutorial image is framed: the viewport (CSS pixels) and device pixel ratio it is taken
/// at, and its size in image pixels (the published image's), or `None` for the region plus
/// [`CROP_MARGIN`] (the whole viewport without a region).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Viewport width and height in CSS pixels.
    pub viewport: (u32, u32),
    /// Device pixel ratio.
    pub dpr: f64,
    /// Width and height of the written image in pixels.
    pub size: Option<(u32, u32)>,
    /// Room kept before the region, in CSS pixels, on an axis where it is larger than the
    /// image (it is centred otherwise).
    pub lead: u32,
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            viewport: (VIEWPORT_WIDTH, VIEWPORT_HEIGHT),
            dpr: 1.0,
            size: None,
            lead: 12,
        }
    }
}

impl Frame {
    /// The crop (image pixels) of this frame around `region` in a `iw`x`ih` capture.
    fn crop(&self, region: Option<Rect>, iw: u32, ih: u32) -> Rect {
        let whole = Rect {
            x: 0,
            y: 0,
            w: iw as i64,
            h: ih as i64,
        };
        let Some(r) = region else {
            return whole;
        };
        let Some((tw, th)) = self.size else {
            return r
                .grow((CROP_MARGIN as f64 * self.dpr).round() as i64)
                .clamp(iw, ih)
                .unwrap_or(whole);
        };
        let lead = (self.lead as f64 * self.dpr).round() as i64;
        let place = |start: i64, len: i64, target: i64, limit: i64| -> (i64, i64) {
            let target = target.min(limit);
            let s = if len <= target {
                start - (target - len) / 2
            } else {
                start - lead
            };
            (s.clamp(0, limit - target), target)
        };
        let (x, w) = place(r.x, r.w, tw as i64, iw as i64);
        let (y, h) = place(r.y, r.h, th as i64, ih as i64);
        Rect { x, y, w, h }
    }
}

/// A tutorial capture: its file name (without `.png`), the elements framing it, its [`Frame`],
/// the element to highlight and elements to mask (on top of every place showing a known
/// secret).
#[derive(Debug, Clone)]
pub struct Shot {
    name: String,
    region: Vec<Locator>,
    frame: Frame,
    highlight: Option<Locator>,
    masks: Vec<Locator>,
    blanks: Vec<String>,
    hide: Vec<String>,
}

impl Shot {
    /// A capture named `name` (the tutorial's file name without `.png`): the whole viewport.
    pub fn new(name: impl Into<String>) -> Self {
        Shot {
            name: name.into(),
            region: Vec::new(),
            frame: Frame::default(),
            highlight: None,
            masks: Vec::new(),
            blanks: Vec::new(),
            hide: Vec::new(),
        }
    }

    /// Hides the elements matching this CSS selector during the capture (rows a published
    /// image does not show because its grid was sorted otherwise).
    pub fn hide(mut self, css: impl Into<String>) -> Self {
        self.hide.push(css.into());
        self
    }

    /// The file name (without `.png`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Replaces this run-specific text (not a secret: a client id) by a placeholder of the
    /// same length wherever it shows, so that two runs produce the same image (kept with
    /// `--no-mask`, which shows the real values).
    pub fn blank_text(mut self, text: impl Into<String>) -> Self {
        self.blanks.push(text.into());
        self
    }

    /// Frames the image on this element (several calls: on their union).
    pub fn region(mut self, loc: Locator) -> Self {
        self.region.push(loc);
        self
    }

    /// Widens the region to this element too (an alias of [`Shot::region`]).
    pub fn include(self, loc: Locator) -> Self {
        self.region(loc)
    }

    /// The published image's size in pixels: the crop is that size, centred on the region
    /// (or starting [`Frame::lead`] before it when the region is larger).
    pub fn size(mut self, w: u32, h: u32) -> Self {
        self.frame.size = Some((w, h));
        self
    }

    /// The viewport (CSS pixels) the image is taken in (the published one's window).
    pub fn viewport(mut self, w: u32, h: u32) -> Self {
        self.frame.viewport = (w, h);
        self
    }

    /// The device pixel ratio the image is taken at.
    pub fn dpr(mut self, dpr: f64) -> Self {
        self.frame.dpr = dpr;
        self
    }

    /// Room kept before a region larger than the image, in CSS pixels.
    pub fn lead(mut self, css_px: u32) -> Self {
        self.frame.lead = css_px;
        self
    }

    /// Draws a box around this element (what the reader must click) when the capture sink
    /// asks for highlights.
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
    highlight: bool,
    names: Option<Vec<(String, String)>>,
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
            highlight: false,
            names: None,
            records: Mutex::new(Vec::new()),
            secrets: Mutex::new(Vec::new()),
        }
    }

    /// Draws the highlight box around what the reader must click in tutorial images.
    pub fn with_highlight(mut self, on: bool) -> Self {
        self.highlight = on;
        self
    }

    /// Takes only these tutorial images, each `(shot name, file name)`: a tutorial's own file
    /// names (without `.png`). Without it, every shot is taken under its own name.
    pub fn with_names(mut self, names: &[(&str, &str)]) -> Self {
        self.names = Some(
            names
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        );
        self
    }

    /// The file name (without `.png`) of the shot `name`; `None` when not taken.
    pub fn file_name(&self, name: &str) -> Option<String> {
        self.tutorial_dir.as_ref()?;
        match &self.names {
            None => Some(name.to_string()),
            Some(m) => m.iter().find(|(s, _)| s == name).map(|(_, f)| f.clone()),
        }
    }

    /// Whether tutorial images get a highlight box.
    pub fn highlights(&self) -> bool {
        self.highlight
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

    /// Sets the default viewport (1280x800 at DPR 1).
    pub async fn set_viewport(&self) -> Result<(), Error> {
        self.set_frame_viewport(&Frame::default()).await
    }

    /// Sets the viewport of `frame` through `Emulation.setDeviceMetricsOverride` (the window
    /// size is not the viewport).
    async fn set_frame_viewport(&self, frame: &Frame) -> Result<(), Error> {
        let cmd = CdpCommand {
            cmd: "Emulation.setDeviceMetricsOverride",
            params: json!({
                "width": frame.viewport.0,
                "height": frame.viewport.1,
                "deviceScaleFactor": frame.dpr,
                "mobile": false,
            }),
        };
        self.bounded(self.client.issue_cmd(cmd))
            .await
            .map(|_| ())
            .map_err(|e| self.browser_error("CDP Emulation.setDeviceMetricsOverride", e))
    }

    /// Whether the installed sink takes the tutorial image `name` (page objects ask before
    /// putting the page in a state only that image needs).
    pub fn wants_shot(&self, name: &str) -> bool {
        self.capture().is_some_and(|c| c.file_name(name).is_some())
    }

    /// Takes a tutorial image (no-op without a sink taking it), under the tutorial's file name.
    pub async fn snapshot(&self, shot: Shot) -> Result<(), Error> {
        let Some(cap) = self.capture() else {
            return Ok(());
        };
        let (Some(dir), Some(file)) = (cap.tutorial_dir.clone(), cap.file_name(&shot.name)) else {
            return Ok(());
        };
        let mut rec = self.capture_image(&shot, cap.mask, cap.highlight).await?;
        rec.1.name = file.clone();
        let path = dir.join(format!("{file}.png"));
        save_png(&rec.0, &path)
            .map_err(|e| Error::Other(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
        rec.1.file = Some(path);
        rec.1.kind = ShotKind::Tutorial;
        cap.push(rec.1);
        Ok(())
    }

    /// Records that a tutorial image was not taken, and why (no-op without a sink).
    pub fn snapshot_skipped(&self, name: &str, reason: &str) {
        let Some(cap) = self.capture() else {
            return;
        };
        if let Some(file) = cap.file_name(name) {
            cap.push(CaptureRecord {
                name: file,
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
        let taken =
            tokio::time::timeout(self.timeout, self.capture_image(&shot, true, false)).await;
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
    /// were replaced for the capture, and the default viewport, are always put back.
    async fn capture_image(
        &self,
        shot: &Shot,
        mask: bool,
        highlight: bool,
    ) -> Result<(RgbaImage, CaptureRecord), Error> {
        let res = self.capture_substituted(shot, mask, highlight).await;
        let mut restored = self.script(RESTORE_JS, vec![]).await;
        if !shot.hide.is_empty() && restored.is_ok() {
            let none: [&str; 0] = [];
            restored = self
                .script(PREPARE_JS, vec![json!(STILL_CSS), json!(none)])
                .await;
        }
        let viewport = if shot.frame != Frame::default() {
            self.set_viewport().await
        } else {
            Ok(())
        };
        let out = res?;
        restored?;
        viewport?;
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
        highlight: bool,
    ) -> Result<(RgbaImage, CaptureRecord), Error> {
        let start = Instant::now();
        // The page settled: no XHR in flight, no visible loading mask.
        self.wait(&Locator::css("body"), Cond::Visible).await?;
        let m = self
            .script(PREPARE_JS, vec![json!(STILL_CSS), json!(shot.hide)])
            .await?;
        let f = |i: usize| m[i].as_f64().unwrap_or(0.0);
        let frame = shot.frame;
        if f(0) as u32 != frame.viewport.0
            || f(1) as u32 != frame.viewport.1
            || (f(2) - frame.dpr).abs() > 1e-3
        {
            self.set_frame_viewport(&frame).await?;
        }
        let secrets = self.secrets.lock().unwrap().clone();
        if let Some(cap) = self.capture() {
            *cap.secrets.lock().unwrap() = secrets.clone();
        }
        if mask {
            self.script(SUBST_JS, vec![json!(shot.blanks), json!(1), json!("blank")])
                .await?;
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
            let scale = img.width() as f64 / frame.viewport.0 as f64;
            if prev.as_ref() == Some(&img) {
                let rects = self
                    .shot_rects(shot, mask, highlight, &secrets, scale)
                    .await?;
                // Nothing moved while the rectangles were read.
                if self.screenshot_rgba().await? == img {
                    return Ok(compose(img, shot, rects, mask, &self.step()));
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
            if let Some(l) = shot.highlight.as_ref().or(shot.region.first()) {
                // Bring the element into view before the next capture.
                self.rect_of(l, true, scale).await?;
            }
        }
    }

    /// The rectangles (image pixels) of a capture: region, highlight, the placeholders put in
    /// for secrets, and what must still be filled (elements to mask, a secret still showing).
    async fn shot_rects(
        &self,
        shot: &Shot,
        mask: bool,
        highlight: bool,
        secrets: &[String],
        scale: f64,
    ) -> Result<ShotRects, Error> {
        let mut out = ShotRects::default();
        if highlight {
            if let Some(l) = &shot.highlight {
                out.highlight = Some(self.rect_of(l, false, scale).await?);
            }
        }
        for l in &shot.region {
            let r = self.rect_of(l, false, scale).await?;
            out.region = Some(out.region.map_or(r, |g| g.union(r)));
        }
        if mask {
            out.masked.extend(self.mark_rects("secret", scale).await?);
            for l in &shot.masks {
                out.filled.push(self.rect_of(l, false, scale).await?);
            }
            // A secret the placeholders missed (none expected) is still covered.
            let v = self
                .script(
                    SECRET_RECTS_JS,
                    vec![json!(secrets), json!(MIN_MASKED_SECRET)],
                )
                .await?;
            for r in v.as_array().into_iter().flatten() {
                out.filled.extend(Rect::from_css(r, scale));
            }
        }
        Ok(out)
    }
}

/// What [`Browser::shot_rects`] reads around a stable capture.
#[derive(Debug, Default)]
struct ShotRects {
    region: Option<Rect>,
    highlight: Option<Rect>,
    masked: Vec<Rect>,
    filled: Vec<Rect>,
}

/// Fills what must be, highlights and crops a stable capture.
fn compose(
    mut img: RgbaImage,
    shot: &Shot,
    rects: ShotRects,
    masked: bool,
    step: &str,
) -> (RgbaImage, CaptureRecord) {
    for r in &rects.filled {
        fill_rect(&mut img, *r, MASK);
    }
    if let Some(r) = rects.highlight {
        draw_box(&mut img, r, HIGHLIGHT_GAP, HIGHLIGHT_STROKE, HIGHLIGHT);
    }
    // A highlight ring is framed too (with a published size the crop keeps its size).
    let ring = rects
        .highlight
        .map(|h| h.grow((HIGHLIGHT_GAP + HIGHLIGHT_STROKE) as i64));
    let region = match (rects.region, ring) {
        (Some(r), Some(h)) => Some(r.union(h)),
        (r, _) => r,
    };
    let crop = shot.frame.crop(region, img.width(), img.height());
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
        highlight: rects.highlight.map(|r| r.offset(crop.x, crop.y)),
        mask_rects: rects
            .masked
            .iter()
            .chain(&rects.filled)
            .map(|r| r.offset(crop.x, crop.y))
            .collect(),
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
