//! JUnit XML (the Ant/Surefire dialect CI servers read): one `<testsuite>`, one `<testcase>`
//! per step, `<failure>` and `<skipped>` children.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

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

/// The JUnit XML document of one suite (written with `quick-junit`, which escapes the text and
/// drops the characters XML 1.0 forbids).
pub fn render(suite: &str, cases: &[Case]) -> String {
    let mut ts = TestSuite::new(suite);
    for c in cases {
        let status = match &c.outcome {
            Outcome::Passed => TestCaseStatus::success(),
            Outcome::Failed { message, text } => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_message(message.as_str())
                    .set_type("failure")
                    .set_description(text.as_str());
                st
            }
            Outcome::Skipped { message } => {
                let mut st = TestCaseStatus::skipped();
                st.set_message(message.as_str());
                st
            }
        };
        let mut tc = TestCase::new(c.name.as_str(), status);
        tc.set_classname(c.classname.as_str())
            .set_time(Duration::from_secs_f64(c.seconds.max(0.0)));
        ts.add_test_case(tc);
    }
    let mut report = Report::new(suite);
    report.add_test_suite(ts);
    report
        .to_string()
        .map(|x| x + "\n")
        .unwrap_or_else(|e| format!("<!-- cannot write the JUnit report: {e} -->\n"))
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
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(suite.attribute("name"), Some("s<&>"));
        assert_eq!(suite.attribute("failures"), Some("1"));
        let names: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| n.attribute("name").unwrap())
            .collect();
        assert_eq!(names, ["a \"b\"", "x"]);
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("`a[href=\"#x\"]` <never> visible")
        );
        assert_eq!(failure.attribute("type"), Some("failure"));
        assert!(!xml.contains('\u{1}'));
    }
}
