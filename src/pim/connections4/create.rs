//! The create screen (§4): the list's Create, the `AknFullPage` form
//! `form[data-testid=create-connection]`, `input#label` (the code follows it), the flow type,
//! Save (`form > button`). Then the edit page of the new connection.

use serde_json::{json, Value};

use crate::browser::{Cond, Filter, Locator, Shot, Typing};
use crate::error::Error;

use super::super::{Generation, Pim};
use super::edit::ConnectionEdit;
use super::feedback::{error_flash, field_errors, refused};
use super::select::Select;
use super::{create_button, FlowType};

/// The create form.
const FORM: &str = "form[data-testid=\"create-connection\"]";
/// The PIM's limit on connections (4.0–6.0: counted by the page; 7.0: by the server).
const LIMIT: usize = 50;

/// Clicks Create, fills the form, saves; see [`super::ConnectionsPage::create`].
pub(super) async fn create<'a>(
    pim: Pim<'a>,
    listed: usize,
    label: &str,
    flow: FlowType,
) -> Result<ConnectionEdit<'a>, Error> {
    let b = pim.browser;
    let create = create_button();
    refuse_at_limit(&pim, listed).await?;
    // The page header and the welcome banner, shrunk as published (808x248 to 698x214).
    b.snapshot(
        Shot::new("connection-creation-button")
            .region(create.clone())
            .region(Locator::css(".AknDescriptionHeader").filter(Filter::Visible))
            .dpr(698.0 / 808.0)
            .size(698, 214)
            .highlight(create.clone()),
    )
    .await?;
    b.click(&create).await?;
    let input = Locator::css(format!("{FORM} input#label")).filter(Filter::Visible);
    b.type_text(&input, label, Typing::default()).await?;
    let select = if pim.generation() >= Generation::V6 {
        Select::Dsm("flow_type")
    } else {
        Select::Select2(
            Locator::css(format!("{FORM} .select2-container.flowType"))
                .filter(Filter::Visible)
                .nth(0),
        )
    };
    if select.shown(&pim).await? != flow.label() {
        select
            .choose(&pim, flow.label(), Some(flow.value()), None)
            .await?;
    }
    snapshot_filled(&pim, &input).await?;
    let save = Locator::css(format!("{FORM} > button"))
        .text("Save")
        .filter(Filter::Visible)
        .nth(0);
    b.click(&save).await?;
    saved_or_refused(&pim).await?;
    ConnectionEdit::wait_loaded(pim).await
}

/// Takes the tutorial images of the filled create form: the whole popin (shrunk as
/// published, 797x528 to 698x462) and the closed Flow type field with its help line.
async fn snapshot_filled(pim: &Pim<'_>, input: &Locator) -> Result<(), Error> {
    let b = pim.browser;
    b.snapshot(
        Shot::new("connection-creation-popin")
            .region(
                Locator::css(".AknFullPage-content")
                    .filter(Filter::Visible)
                    .nth(0),
            )
            .dpr(698.0 / 797.0)
            .size(698, 462)
            .highlight(input.clone()),
    )
    .await?;
    let select = ".select2-container.flowType, input#flow_type";
    let field = Locator::css(format!("{FORM} {select}"))
        .filter(Filter::Visible)
        .nth(0);
    // The field: its label, the closed select and the help line.
    let container = Locator::css(format!("{FORM} .AknFieldContainer"))
        .filter(Filter::Has(select.into()))
        .filter(Filter::Visible)
        .nth(0);
    b.snapshot(
        Shot::new("flow-type-selection")
            .region(container)
            .size(483, 111)
            .lead(4)
            .highlight(field),
    )
    .await
}

/// The PIM's 50-connection limit: 7.0 asks the server (`max-limit-reached`, then the Create
/// button's `title` says why), 4.0–6.0 disable Create once 50 connections are listed.
async fn refuse_at_limit(pim: &Pim<'_>, listed: usize) -> Result<(), Error> {
    let b = pim.browser;
    let limited = if pim.generation() >= Generation::V7 {
        let url = pim.url("/rest/connections/max-limit-reached");
        let v: Value = b
            .script_async(
                super::FETCH_JS,
                vec![json!(url), json!({"X-Requested-With": "XMLHttpRequest"})],
            )
            .await?;
        v["body"]["limitReached"].as_bool() == Some(true)
    } else {
        listed >= LIMIT
    };
    if !limited {
        return Ok(());
    }
    // Disabled once the page knows (the same answer, or the same count).
    let disabled = create_button().filter(Filter::Attr("disabled".into()));
    b.wait(&disabled, Cond::Present).await?;
    let title = b
        .script(
            "const b = [...document.querySelectorAll('.AknTitleContainer-actionsContainer .AknButton--apply')]\
               .find((e) => (e.textContent || '').trim() === 'Create'); return b ? (b.getAttribute('title') || '') : '';",
            vec![],
        )
        .await?;
    let title = title.as_str().unwrap_or_default().trim().to_string();
    let why = if title.is_empty() {
        format!(
            "the Create button is disabled: {listed} connections exist and {} allows at most \
             {LIMIT} (\"You can create up to 50 connections.\")",
            pim.generation()
        )
    } else {
        title
    };
    Err(Error::PimRefused {
        step: b.step(),
        message: format!(
            "{why}; delete a connection you no longer use, or reuse one with --connection"
        ),
    })
}

/// After Save: the edit route (`…/<code>/edit`), or the PIM's refusal (inline field errors,
/// an error flash such as 7.0's limit) reported with its words.
async fn saved_or_refused(pim: &Pim<'_>) -> Result<(), Error> {
    let b = pim.browser;
    // The form is replaced by the edit page once the POST answered 201.
    let gone = Locator::css(FORM).many();
    let found = b
        .wait_any(
            &[
                (field_errors(FORM), Cond::Present),
                (error_flash(), Cond::Present),
                (gone, Cond::Hidden),
            ],
            b.timeout(),
        )
        .await?;
    if found.alt == 2 {
        return Ok(());
    }
    Err(refused(pim, found.texts))
}
