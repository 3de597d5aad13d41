//! The two select widgets of the Connections screens: Select2 3.4.1 (4.x/5.x, §4.2: mousedown
//! on `.select2-choice` opens `#select2-drop` in `body`, mouseup on a result selects) and the
//! design-system `SelectInput` (6.x+, §6.2: `input#<id>` opens `#input-overlay-root`, options
//! `div[data-testid=<value>]`, fading in from opacity 0).

use serde_json::json;

use crate::browser::{Cond, Filter, Locator, Shot};
use crate::error::Error;

use super::super::Pim;
use super::css_str;

/// A select on the page.
#[derive(Debug, Clone)]
pub(super) enum Select {
    /// Select2: its container.
    Select2(Locator),
    /// SelectInput: its input id.
    Dsm(&'static str),
}

impl Select {
    /// The select of the field labelled `label` (4.x/5.x Permissions fields have no `for`):
    /// Select2 in the `.AknFieldContainer` whose label reads `label`, or `input#<id>`.
    pub(super) fn field(dsm: bool, id: &'static str, label: &str) -> Select {
        if dsm {
            return Select::Dsm(id);
        }
        Select::Select2(
            Locator::css(".AknFieldContainer")
                .filter(Filter::Any(vec![
                    Filter::HasText(".AknFieldContainer-label".into(), label.into()),
                    Filter::HasText(
                        ".AknFieldContainer-label".into(),
                        format!("{label}\u{a0}(required)"),
                    ),
                ]))
                .find(".select2-container")
                .filter(Filter::Visible)
                .nth(0),
        )
    }

    /// The text the select shows (empty when nothing is chosen).
    pub(super) async fn shown(&self, pim: &Pim<'_>) -> Result<String, Error> {
        match self {
            Select::Select2(c) => Ok(pim
                .browser
                .read(&c.clone().find(".select2-chosen"))
                .await?
                .text),
            Select::Dsm(id) => {
                // The chosen label is a sibling before the input's wrapper (§6.2).
                let v = pim
                    .browser
                    .script(
                        "const i = document.getElementById(arguments[0]); if (!i) return null; \
                         const s = i.parentElement && i.parentElement.previousElementSibling; \
                         return s ? (s.textContent || '').replace(/\\s+/g, ' ').trim() : '';",
                        vec![json!(id)],
                    )
                    .await?;
                Ok(v.as_str().unwrap_or_default().to_string())
            }
        }
    }

    /// Picks the option whose text is `option`. With `shot`, takes that tutorial image while
    /// the options are open (`region` framing it).
    pub(super) async fn choose(
        &self,
        pim: &Pim<'_>,
        option: &str,
        value: Option<&str>,
        shot: Option<(&str, Locator)>,
    ) -> Result<(), Error> {
        let b = pim.browser;
        let shot = shot.filter(|_| b.capture().is_some());
        let (opt, open) = match self {
            Select::Select2(c) => {
                b.click(&c.clone().find(".select2-choice")).await?;
                let opt = Locator::css("#select2-drop .select2-result-label")
                    .text(option)
                    .filter(Filter::Visible)
                    .nth(0);
                (
                    opt,
                    Locator::css("#select2-drop").filter(Filter::Visible).nth(0),
                )
            }
            Select::Dsm(id) => {
                let input = Locator::css(format!("input#{id}")).filter(Filter::Visible);
                b.wait(&input, Cond::Visible).await?;
                // The overlay opens below the input even past the viewport: centre it first.
                b.script(
                    "const i = document.getElementById(arguments[0]); if (i) i.scrollIntoView({block: 'center'});",
                    vec![json!(id)],
                )
                .await?;
                b.click(&input).await?;
                let css = match value {
                    Some(v) => format!("#input-overlay-root [data-testid={}]", css_str(v)),
                    None => {
                        "#input-overlay-root [data-testid]:not([data-testid=\"backdrop\"])".into()
                    }
                };
                // Visible = opacity 1 (the overlay fades in).
                let opt = Locator::css(css)
                    .text(option)
                    .filter(Filter::Visible)
                    .nth(0);
                let open = Locator::css("#input-overlay-root > div > div:last-child")
                    .filter(Filter::Visible)
                    .nth(0);
                (opt, open)
            }
        };
        b.wait(&opt, Cond::Visible).await?;
        if let Some((name, region)) = shot {
            b.snapshot(
                Shot::new(name)
                    .region(region)
                    .include(open)
                    .highlight(opt.clone()),
            )
            .await?;
        }
        b.click(&opt).await?;
        b.wait(&opt, Cond::Hidden).await?;
        let shown = self.shown(pim).await?;
        if shown != option {
            return Err(b.unexpected(format!("chose {option:?} but the select shows {shown:?}")));
        }
        Ok(())
    }
}
