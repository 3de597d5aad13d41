//! Locators: a chain of CSS steps with filters, resolved fresh inside the page on every poll.
//!
//! A locator is data, not an element handle: page objects keep locators and the browser layer
//! re-resolves them each time, so a re-rendered page never leaves a stale handle behind.

use std::fmt;

use serde_json::{json, Value};

/// A filter applied to the candidates of one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Whitespace-normalised `textContent` equals the string (the deepest such element wins).
    Text(String),
    /// Whitespace-normalised `textContent` contains the string (the deepest such element wins).
    Contains(String),
    /// Has this attribute (on the element itself).
    Attr(String),
    /// Has a descendant matching this CSS selector.
    Has(String),
    /// Has a descendant matching the CSS selector whose normalised text equals the string.
    HasText(String, String),
    /// Has this class.
    Class(String),
    /// Does not have this class.
    NotClass(String),
    /// The `value` of an input equals this (never use it with secrets: locators are printed).
    Value(String),
    /// Checkbox/radio `checked` equals this.
    Checked(bool),
    /// Normalised text is not empty.
    NonEmpty,
    /// Only visible candidates.
    Visible,
    /// Any of these filters holds.
    Any(Vec<Filter>),
    /// The document's address (`location.href`) contains this string, whatever the element:
    /// `Locator::css("html").filter(Filter::Location(..))` waits for a route.
    Location(String),
}

impl Filter {
    fn to_json(&self) -> Value {
        match self {
            Filter::Text(t) => json!({"text": t}),
            Filter::Contains(t) => json!({"contains": t}),
            Filter::Attr(a) => json!({"attr": a}),
            Filter::Has(c) => json!({"has": c}),
            Filter::HasText(c, t) => json!({"hasText": [c, t]}),
            Filter::Class(c) => json!({"cls": c}),
            Filter::NotClass(c) => json!({"notCls": c}),
            Filter::Value(v) => json!({"value": v}),
            Filter::Checked(b) => json!({"checked": b}),
            Filter::Location(u) => json!({"location": u}),
            Filter::NonEmpty => json!({"nonEmpty": true}),
            Filter::Visible => json!({"visible": true}),
            Filter::Any(fs) => json!({"any": fs.iter().map(Filter::to_json).collect::<Vec<_>>()}),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Text(t) => write!(f, "text={t:?}"),
            Filter::Contains(t) => write!(f, "text~{t:?}"),
            Filter::Attr(a) => write!(f, "[{a}]"),
            Filter::Has(c) => write!(f, "has({c})"),
            Filter::HasText(c, t) => write!(f, "has({c} text={t:?})"),
            Filter::Class(c) => write!(f, ".{c}"),
            Filter::NotClass(c) => write!(f, "not .{c}"),
            Filter::Value(v) => write!(f, "value={v:?}"),
            Filter::Checked(b) => write!(f, "checked={b}"),
            Filter::Location(u) => write!(f, "location~{u:?}"),
            Filter::NonEmpty => write!(f, "non-empty"),
            Filter::Visible => write!(f, "visible"),
            Filter::Any(fs) => {
                let parts: Vec<String> = fs.iter().map(|x| x.to_string()).collect();
                write!(f, "any({})", parts.join(" | "))
            }
        }
    }
}

/// One step of a locator: a CSS selector (a selector list is fine) searched inside every
/// element the previous step resolved, then filtered, then optionally narrowed to one index.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    css: String,
    filters: Vec<Filter>,
    index: Option<usize>,
}

/// A locator: CSS steps with filters. By default it must resolve to exactly one element.
#[derive(Debug, Clone, PartialEq)]
pub struct Locator {
    steps: Vec<Step>,
    many: bool,
}

impl Locator {
    /// Elements matching `css` in the document.
    pub fn css(css: impl Into<String>) -> Self {
        Locator {
            steps: vec![Step {
                css: css.into(),
                filters: vec![],
                index: None,
            }],
            many: false,
        }
    }

    /// Elements matching `css` inside the elements resolved so far.
    pub fn find(mut self, css: impl Into<String>) -> Self {
        self.steps.push(Step {
            css: css.into(),
            filters: vec![],
            index: None,
        });
        self
    }

    /// Adds a filter to the last step.
    pub fn filter(mut self, f: Filter) -> Self {
        self.last().filters.push(f);
        self
    }

    /// Keeps the elements whose normalised text equals `text`.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.filter(Filter::Text(text.into()))
    }

    /// Keeps the elements whose normalised text contains `text`.
    pub fn containing(self, text: impl Into<String>) -> Self {
        self.filter(Filter::Contains(text.into()))
    }

    /// Keeps the `i`-th (0-based) element of the last step, after its filters.
    pub fn nth(mut self, i: usize) -> Self {
        self.last().index = Some(i);
        self
    }

    /// Allows several matches: conditions hold when any match satisfies them.
    pub fn many(mut self) -> Self {
        self.many = true;
        self
    }

    fn last(&mut self) -> &mut Step {
        self.steps
            .last_mut()
            .expect("a locator has at least one step")
    }

    /// The JSON the in-page resolver reads.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "many": self.many,
            "steps": self.steps.iter().map(|s| json!({
                "css": s.css,
                "filters": s.filters.iter().map(Filter::to_json).collect::<Vec<_>>(),
                "index": s.index,
            })).collect::<Vec<_>>(),
        })
    }
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(" >> ")?;
            }
            f.write_str(&s.css)?;
            for flt in &s.filters {
                write!(f, "[{flt}]")?;
            }
            if let Some(n) = s.index {
                write!(f, "[#{n}]")?;
            }
        }
        if self.many {
            f.write_str(" (any)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_steps_filters_and_index() {
        let l = Locator::css(".acl-permission")
            .text("Web API permissions")
            .find(".acl-permission-toggle")
            .nth(0);
        assert_eq!(
            l.to_string(),
            ".acl-permission[text=\"Web API permissions\"] >> .acl-permission-toggle[#0]"
        );
    }

    #[test]
    fn json_carries_every_step() {
        let l = Locator::css("tr")
            .filter(Filter::HasText("td".into(), "bob".into()))
            .many();
        let j = l.to_json();
        assert_eq!(j["many"], true);
        assert_eq!(j["steps"][0]["css"], "tr");
        assert_eq!(j["steps"][0]["filters"][0]["hasText"][1], "bob");
    }
}
