//! The HTML report of a run: one self-contained `index.html` (images embedded as data URIs)
//! with every step: the tutorial's text for it, its screenshots, duration, status, and the error
//! on failure. Every text is scrubbed of the run's secrets; unmasked images are never embedded.

use std::path::Path;

use base64::Engine;

use crate::browser::{CaptureRecord, ShotKind};
use crate::progress::{fmt_duration, StepRecord};

/// The tutorial's words for a flow step (API tutorial, "Step 1: create credentials").
pub fn step_text(step: &str) -> &'static str {
    crate::model::Step::from_name(step).map_or("", crate::model::Step::tutorial_text)
}

/// The tutorial's caption of an image (by file name without `.png`).
pub fn image_text(name: &str) -> &'static str {
    match name {
        "role-creation" => "Roles: click Create role.",
        "role-naming" => "Give the role a name.",
        "permission-activation" => {
            "Web API permissions tab: activate Overall Web API access (group Overall Web API \
             access)."
        }
        "permission-assignation" => "Users tab: assign the role to your API user.",
        "api-connections-empty-screen" => "System > API connections, before any connection.",
        "api-connection-creation-popin" => "Create: label your API connection, then Save.",
        "my-very-first-api-connection" => "Your connection, with its client ID and secret.",
        "connection-creation-button" => "Connections: click Create.",
        "connection-creation-popin" => "Label the connection.",
        "flow-type-selection" => "Choose the flow type.",
        _ => "",
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn scrub(s: &str, secrets: &[String]) -> String {
    crate::secrets::mask(s, secrets)
}

fn figure(r: &CaptureRecord, secrets: &[String]) -> String {
    let caption = match image_text(&r.name) {
        "" => esc(&r.name),
        t => format!("<b>{}</b> — {}", esc(&r.name), esc(t)),
    };
    if let Some(why) = &r.skipped {
        return format!(
            "<figure class=\"skipped\"><figcaption>{caption}: not taken ({})</figcaption></figure>\n",
            esc(&scrub(why, secrets))
        );
    }
    if !r.masked {
        return format!(
            "<figure class=\"skipped\"><figcaption>{caption}: taken with --no-mask, so not \
             embedded here</figcaption></figure>\n"
        );
    }
    let Some(bytes) = r.file.as_ref().and_then(|p| std::fs::read(p).ok()) else {
        return format!("<figure class=\"skipped\"><figcaption>{caption}: image missing</figcaption></figure>\n");
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "<figure><img alt=\"{}\" src=\"data:image/png;base64,{b64}\"><figcaption>{caption}</figcaption></figure>\n",
        esc(&r.name)
    )
}

/// Renders the report. `records`: the run's images; each is shown under the step it was taken
/// in (tutorial images first, then the step's own end-of-step image).
pub fn render(
    title: &str,
    steps: &[StepRecord],
    records: &[CaptureRecord],
    secrets: &[String],
) -> String {
    let mut body = String::new();
    let failed = steps
        .iter()
        .any(|s| s.status == crate::progress::Status::Failed);
    let total: u128 = steps.iter().map(|s| s.millis).sum();
    body.push_str(&format!(
        "<p class=\"summary {}\">{} steps, {}, {}</p>\n",
        if failed { "failed" } else { "passed" },
        steps.len(),
        fmt_duration(std::time::Duration::from_millis(total as u64)),
        if failed { "FAILED" } else { "all passed" }
    ));
    for (i, s) in steps.iter().enumerate() {
        let status = format!("{:?}", s.status).to_lowercase();
        body.push_str(&format!(
            "<section class=\"step {status}\" id=\"step-{}\">\n<h2>{}. {} <span class=\"status\">{status}</span> <span class=\"dur\">{}</span></h2>\n",
            i + 1,
            i + 1,
            esc(&s.name),
            fmt_duration(std::time::Duration::from_millis(s.millis as u64))
        ));
        let text = step_text(&s.name);
        if !text.is_empty() {
            body.push_str(&format!("<p class=\"tutorial\">{}</p>\n", esc(text)));
        }
        let detail = esc(&scrub(&s.detail, secrets));
        if s.status == crate::progress::Status::Failed {
            body.push_str(&format!("<pre class=\"error\">{detail}</pre>\n"));
        } else {
            body.push_str(&format!("<p class=\"detail\">{detail}</p>\n"));
        }
        for kind in [ShotKind::Tutorial, ShotKind::Step] {
            for r in records
                .iter()
                .filter(|r| r.step == s.name && r.kind == kind)
            {
                body.push_str(&figure(r, secrets));
            }
        }
        body.push_str("</section>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{t}</title>\n<style>\n\
body{{font-family:sans-serif;max-width:1340px;margin:2em auto;color:#222}}\n\
h2{{font-size:1.1em;border-bottom:1px solid #ccc}}\n.status{{font-size:.8em;padding:2px 6px;border-radius:3px;background:#67b373;color:#fff}}\n\
.failed .status{{background:#d4604f}}\n.skipped .status{{background:#999}}\n.dur{{color:#888;font-weight:normal;font-size:.8em}}\n\
.tutorial{{font-style:italic}}\n.error{{background:#fbeae8;padding:8px;white-space:pre-wrap}}\n\
figure{{margin:1em 0}}\nfigure img{{max-width:100%;border:1px solid #ddd}}\nfigure.skipped figcaption{{color:#888}}\n\
.summary.failed{{color:#d4604f;font-weight:bold}}\n</style></head><body>\n<h1>{t}</h1>\n{body}</body></html>\n",
        t = esc(title)
    )
}

fn data_uri(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// Renders the comparison page: per image, the published (reference) image and the
/// regenerated one side by side, with the likeness, size and framing verdicts. Regenerated
/// images taken with `--no-mask` (`masked` false) are not embedded.
pub fn render_compare(
    rows: &[crate::compare::Row],
    reference: &Path,
    actual: &Path,
    masked: bool,
) -> String {
    let mut body = String::new();
    for r in rows {
        let img = |dir: &Path, who: &str, embed: bool| {
            let p = dir.join(&r.name);
            match (embed, data_uri(&p)) {
                (true, Some(uri)) => format!("<img alt=\"{who} {}\" src=\"{uri}\">", esc(&r.name)),
                (false, Some(_)) => {
                    "<p class=\"none\">taken with --no-mask: not embedded</p>".into()
                }
                (_, None) => "<p class=\"none\">missing</p>".into(),
            }
        };
        let (score, size, framing) = r.likeness.map_or(("-".into(), "-", "-"), |l| {
            let yes = |b: bool| if b { "ok" } else { "NO" };
            (format!("{:.3}", l.score), yes(l.size_ok), yes(l.framing_ok))
        });
        body.push_str(&format!(
            "<section class=\"{}\"><h2>{} <span class=\"verdict\">{}</span></h2>\n\
             <p>likeness {score} &middot; size {size} &middot; framing {framing}{}</p>\n\
             <div class=\"pair\"><figure>{}<figcaption>published</figcaption></figure>\
             <figure>{}<figcaption>regenerated</figcaption></figure></div></section>\n",
            if r.ok { "ok" } else { "differs" },
            esc(&r.name),
            esc(&r.verdict),
            if r.profile {
                " &middot; colour profile applied"
            } else {
                ""
            },
            img(reference, "published", true),
            img(actual, "regenerated", masked),
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
<title>Published and regenerated images</title>\n<style>\n\
body{{font-family:sans-serif;margin:2em;color:#222}}\nh2{{font-size:1.1em;border-bottom:1px solid #ccc}}\n\
.pair{{display:flex;gap:24px;align-items:flex-start}}\nfigure{{margin:0}}\nfigure img{{border:1px solid #ddd;max-width:48vw}}\n\
.verdict{{font-size:.8em;padding:2px 6px;border-radius:3px;background:#67b373;color:#fff}}\n\
.differs .verdict{{background:#d4604f}}\n.none{{color:#888}}\n</style></head><body>\n\
<h1>Published and regenerated images</h1>\n{body}</body></html>\n"
    )
}

/// Writes `dir/index.html`.
pub fn write(
    dir: &Path,
    title: &str,
    steps: &[StepRecord],
    records: &[CaptureRecord],
    secrets: &[String],
) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("index.html");
    std::fs::write(&path, render(title, steps, records, secrets))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Status;

    #[test]
    fn every_step_is_shown_and_secrets_are_scrubbed() {
        let steps = vec![
            StepRecord {
                name: "log in".into(),
                status: Status::Passed,
                detail: "as admin".into(),
                millis: 1200,
                artifacts: None,
            },
            StepRecord {
                name: "verify".into(),
                status: Status::Failed,
                detail: "token refused for s3cr3tvalue <b>".into(),
                millis: 30,
                artifacts: None,
            },
        ];
        let html = render("run", &steps, &[], &["s3cr3tvalue".into()]);
        assert!(html.contains("1. log in"));
        assert!(html.contains("2. verify"));
        assert!(html.contains("Log in to the PIM"));
        assert!(html.contains("class=\"error\">token refused for *** &lt;b&gt;"));
        assert!(!html.contains("s3cr3tvalue"));
    }
}
