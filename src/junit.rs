//! JUnit XML (the Ant/Surefire dialect CI servers read): one `<testsuite>`, one `<testcase>`
//! per step, `<failure>` and `<skipped>` children. Written by hand with XML escaping.

/// How a test case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Passed.
    Passed,
    /// Failed: a one-line message and a longer text (selector, screenshot path ...).
    Failed {
        /// The `message` attribute.
        message: String,
        /// The element's text.
        text: String,
    },
    /// Not run.
    Skipped {
        /// Why.
        message: String,
    },
}

/// One test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Test name (the step).
    pub name: String,
    /// Class name (groups cases in CI views).
    pub classname: String,
    /// Duration in seconds.
    pub seconds: f64,
    /// Outcome.
    pub outcome: Outcome,
}

/// Escapes text for XML attributes and text nodes; drops characters XML 1.0 forbids.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML document of one suite.
pub fn render(suite: &str, cases: &[Case]) -> String {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed { .. }))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skipped { .. }))
        .count();
    let total: f64 = cases.iter().map(|c| c.seconds).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"{n}\" tests=\"{t}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{total:.3}\">\n\
         <testsuite name=\"{n}\" tests=\"{t}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{total:.3}\">\n",
        n = escape(suite),
        t = cases.len()
    ));
    for c in cases {
        out.push_str(&format!(
            "  <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
            escape(&c.name),
            escape(&c.classname),
            c.seconds
        ));
        match &c.outcome {
            Outcome::Passed => out.push_str("/>\n"),
            Outcome::Failed { message, text } => out.push_str(&format!(
                ">\n    <failure message=\"{}\" type=\"failure\">{}</failure>\n  </testcase>\n",
                escape(message),
                escape(text)
            )),
            Outcome::Skipped { message } => out.push_str(&format!(
                ">\n    <skipped message=\"{}\"/>\n  </testcase>\n",
                escape(message)
            )),
        }
    }
    out.push_str("</testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_counts() {
        let xml = render(
            "s<&>",
            &[
                Case {
                    name: "a \"b\"".into(),
                    classname: "c".into(),
                    seconds: 1.5,
                    outcome: Outcome::Passed,
                },
                Case {
                    name: "x".into(),
                    classname: "c".into(),
                    seconds: 0.0,
                    outcome: Outcome::Failed {
                        message: "`a[href=\"#x\"]` <never> visible\u{1}".into(),
                        text: "t".into(),
                    },
                },
            ],
        );
        assert!(xml.contains("name=\"s&lt;&amp;&gt;\""));
        assert!(xml.contains("name=\"a &quot;b&quot;\""));
        assert!(xml.contains("failures=\"1\""));
        assert!(xml.contains("&lt;never&gt; visible\" type"));
        assert!(!xml.contains('\u{1}'));
    }
}
