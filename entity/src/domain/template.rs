//! A tiny template language for share text and emails: literal text with `{{ name }}` placeholders.
//!
//! There are no loops, conditions or filters on purpose: a marketing manager edits these, and every
//! placeholder can be checked against the list of values the sender will supply before a campaign
//! launches. There is no way to write a literal `{{` or `}}`.

use std::collections::HashMap;
use std::fmt;

/// The placeholders campaign emails may use.
pub const EMAIL_VARS: &[&str] = &[
    "first_name",
    "campaign_name",
    "company_name",
    "referral_link",
    "referral_code",
    "unsubscribe_url",
    "reward_summary",
];

/// The largest template source accepted, in bytes (100 KB).
pub const MAX_TEMPLATE_BYTES: usize = 100 * 1024;

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// A parsed template whose every placeholder is known to be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String),
}

/// How placeholder values are written into the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// HTML-escape each value (`& < > " '`); for HTML email bodies. Literal text is left as written.
    Html,
    /// Insert values as they are; for plain text, subjects and share text.
    None,
}

/// Where in the source a problem is: byte offset plus the line and column a person can find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePos {
    /// Byte offset from the start of the source.
    pub offset: usize,
    /// Line number, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl SourcePos {
    fn locate(src: &str, offset: usize) -> SourcePos {
        let before = src.get(..offset).unwrap_or(src);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        SourcePos {
            offset,
            line: before.matches('\n').count() + 1,
            column: before.get(line_start..).unwrap_or_default().chars().count() + 1,
        }
    }
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.offset
        )
    }
}

/// Why a template could not be parsed or rendered; each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The source is over [`MAX_TEMPLATE_BYTES`].
    #[error("the template is {size} bytes long; the limit is 100 KB, so shorten it")]
    TooLarge {
        /// The size of the source in bytes.
        size: usize,
    },
    /// A `{{` without a matching `}}`.
    #[error("the placeholder opened with {{{{ at {at} is never closed: add }}}} after its name")]
    Unclosed {
        /// Where the `{{` is.
        at: SourcePos,
    },
    /// A `}}` with no `{{` before it.
    #[error("there is a }}}} at {at} with no {{{{ before it: remove it or open the placeholder")]
    StrayClose {
        /// Where the `}}` is.
        at: SourcePos,
    },
    /// `{{ }}` with nothing inside.
    #[error("the placeholder at {at} is empty: put a name inside, such as {{{{ first_name }}}}")]
    EmptyName {
        /// Where the `{{` is.
        at: SourcePos,
    },
    /// A name that is not `[a-z_][a-z0-9_]*`.
    #[error(
        "'{name}' at {at} is not a placeholder name: use lower-case letters, digits and underscores, starting with a letter or underscore"
    )]
    BadName {
        /// Where the `{{` is.
        at: SourcePos,
        /// The text found between the braces, trimmed.
        name: String,
    },
    /// A well-formed name this kind of template does not offer.
    #[error("{{{{ {name} }}}} at {at} is not available here; use one of: {}", allowed.join(", "))]
    UnknownName {
        /// Where the `{{` is.
        at: SourcePos,
        /// The name used.
        name: String,
        /// The names that may be used.
        allowed: Vec<String>,
    },
    /// Rendering was asked without a value for some placeholders.
    #[error("no value was supplied for: {}", names.join(", "))]
    MissingValues {
        /// The placeholders without a value, each once, in order of first use.
        names: Vec<String>,
    },
}

impl Template {
    /// Parses `src`, accepting only placeholders named in `allowed`.
    pub fn parse(src: &str, allowed: &[&str]) -> Result<Template, TemplateError> {
        if src.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::TooLarge { size: src.len() });
        }
        let at = |offset: usize| SourcePos::locate(src, offset);
        let mut parts = Vec::new();
        let mut pos = 0;
        while let Some(rest) = src.get(pos..) {
            let open = rest.find(OPEN).map(|i| pos + i);
            let close = rest.find(CLOSE).map(|i| pos + i);
            let open = match (open, close) {
                (_, Some(c)) if open.is_none_or(|o| c < o) => {
                    return Err(TemplateError::StrayClose { at: at(c) });
                }
                (Some(o), _) => o,
                (None, _) => {
                    push_text(&mut parts, rest);
                    break;
                }
            };
            push_text(&mut parts, src.get(pos..open).unwrap_or_default());
            let inner_start = open + OPEN.len();
            let inner_len = src
                .get(inner_start..)
                .and_then(|after| after.find(CLOSE))
                .ok_or_else(|| TemplateError::Unclosed { at: at(open) })?;
            let name = src
                .get(inner_start..inner_start + inner_len)
                .unwrap_or_default()
                .trim();
            check_name(name, allowed).map_err(|kind| kind.at(at(open), name, allowed))?;
            parts.push(Part::Var(name.to_owned()));
            pos = inner_start + inner_len + CLOSE.len();
        }
        Ok(Template { parts })
    }

    /// The placeholder names used, each once, in order of first use.
    pub fn placeholders(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for part in &self.parts {
            if let Part::Var(name) = part
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }

    /// Fills in every placeholder from `vars`, escaping values as `escape` says.
    pub fn render(
        &self,
        vars: &HashMap<&str, String>,
        escape: Escape,
    ) -> Result<String, TemplateError> {
        let missing: Vec<String> = self
            .placeholders()
            .into_iter()
            .filter(|name| !vars.contains_key(name))
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            return Err(TemplateError::MissingValues { names: missing });
        }
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var(name) => {
                    let value = vars.get(name.as_str()).map_or("", String::as_str);
                    match escape {
                        Escape::Html => push_html_escaped(&mut out, value),
                        Escape::None => out.push_str(value),
                    }
                }
            }
        }
        Ok(out)
    }
}

fn push_text(parts: &mut Vec<Part>, text: &str) {
    if !text.is_empty() {
        parts.push(Part::Text(text.to_owned()));
    }
}

/// What is wrong with a placeholder name, before its position is attached.
enum NameProblem {
    Empty,
    Malformed,
    NotAllowed,
}

impl NameProblem {
    fn at(self, at: SourcePos, name: &str, allowed: &[&str]) -> TemplateError {
        match self {
            NameProblem::Empty => TemplateError::EmptyName { at },
            NameProblem::Malformed => TemplateError::BadName {
                at,
                name: name.to_owned(),
            },
            NameProblem::NotAllowed => TemplateError::UnknownName {
                at,
                name: name.to_owned(),
                allowed: allowed.iter().map(|&s| s.to_owned()).collect(),
            },
        }
    }
}

fn check_name(name: &str, allowed: &[&str]) -> Result<(), NameProblem> {
    let mut bytes = name.bytes();
    match bytes.next() {
        None => return Err(NameProblem::Empty),
        Some(first) if !(first.is_ascii_lowercase() || first == b'_') => {
            return Err(NameProblem::Malformed);
        }
        Some(_) => {}
    }
    if !bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(NameProblem::Malformed);
    }
    if !allowed.contains(&name) {
        return Err(NameProblem::NotAllowed);
    }
    Ok(())
}

fn push_html_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vars(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
        pairs.iter().map(|&(k, v)| (k, v.to_owned())).collect()
    }

    fn render(src: &str, pairs: &[(&'static str, &str)]) -> Result<String, TemplateError> {
        Template::parse(src, EMAIL_VARS)?.render(&vars(pairs), Escape::None)
    }

    #[test]
    fn fills_placeholders_with_or_without_spaces() {
        let out = render(
            "Hi {{first_name}}, join {{ campaign_name }}!{{\treferral_link\n}}",
            &[
                ("first_name", "Ada"),
                ("campaign_name", "Spring"),
                ("referral_link", " https://x.test/r/ABCD2345"),
            ],
        );
        assert_eq!(
            out,
            Ok("Hi Ada, join Spring! https://x.test/r/ABCD2345".to_owned())
        );
    }

    #[test]
    fn a_placeholder_may_repeat_and_single_braces_are_text() {
        let out = render(
            "{ {{first_name}} } {{first_name}}}",
            &[("first_name", "Bo")],
        );
        assert_eq!(out, Ok("{ Bo } Bo}".to_owned()));
    }

    #[test]
    fn html_escape_applies_to_values_only() {
        let template = Template::parse("<b>{{ first_name }}</b>", EMAIL_VARS);
        let out = template.and_then(|t| {
            t.render(
                &vars(&[("first_name", "<Tom & \"Jerry's\">")]),
                Escape::Html,
            )
        });
        assert_eq!(
            out,
            Ok("<b>&lt;Tom &amp; &quot;Jerry&#39;s&quot;&gt;</b>".to_owned())
        );
    }

    #[test]
    fn escape_none_leaves_values_alone() {
        let out = render("{{first_name}}", &[("first_name", "<b>&")]);
        assert_eq!(out, Ok("<b>&".to_owned()));
    }

    #[test]
    fn unclosed_placeholder_names_its_position() {
        let error = Template::parse("Hello\n  {{ first_name", EMAIL_VARS).err();
        let expected_at = SourcePos {
            offset: 8,
            line: 2,
            column: 3,
        };
        assert_eq!(error, Some(TemplateError::Unclosed { at: expected_at }));
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message,
            "the placeholder opened with {{ at line 2, column 3 (byte 8) is never closed: add }} after its name"
        );
    }

    #[test]
    fn stray_close_is_refused() {
        let error = Template::parse("oops }} here", EMAIL_VARS);
        assert!(matches!(error, Err(TemplateError::StrayClose { at }) if at.offset == 5));
        let after_a_var = Template::parse("{{ first_name }} and }}", EMAIL_VARS);
        assert!(matches!(after_a_var, Err(TemplateError::StrayClose { at }) if at.offset == 21));
    }

    #[test]
    fn empty_name_is_refused() {
        for src in ["{{}}", "a {{   }} b"] {
            assert!(
                matches!(
                    Template::parse(src, EMAIL_VARS),
                    Err(TemplateError::EmptyName { .. })
                ),
                "{src}"
            );
        }
    }

    #[test]
    fn malformed_names_are_refused() {
        for src in [
            "{{ First_name }}",
            "{{ 1st }}",
            "{{ first name }}",
            "{{ first-name }}",
            "{{{ first_name }}}",
            "{{ {{ first_name }}",
        ] {
            assert!(
                matches!(
                    Template::parse(src, EMAIL_VARS),
                    Err(TemplateError::BadName { .. })
                ),
                "{src}"
            );
        }
    }

    #[test]
    fn unknown_names_are_refused_with_the_allowed_list() {
        let error = Template::parse("Hi {{ nickname }}", &["first_name", "company_name"]).err();
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message,
            "{{ nickname }} at line 1, column 4 (byte 3) is not available here; use one of: first_name, company_name"
        );
    }

    #[test]
    fn size_limit_is_100_kb() {
        let at_limit = "a".repeat(MAX_TEMPLATE_BYTES);
        assert!(Template::parse(&at_limit, EMAIL_VARS).is_ok());
        let over = "a".repeat(MAX_TEMPLATE_BYTES + 1);
        assert_eq!(
            Template::parse(&over, EMAIL_VARS),
            Err(TemplateError::TooLarge {
                size: MAX_TEMPLATE_BYTES + 1
            })
        );
    }

    #[test]
    fn missing_values_are_listed_once_each() {
        let out = render(
            "{{referral_link}} {{first_name}} {{referral_link}}",
            &[("campaign_name", "x")],
        );
        assert_eq!(
            out,
            Err(TemplateError::MissingValues {
                names: vec!["referral_link".to_owned(), "first_name".to_owned()]
            })
        );
    }

    #[test]
    fn placeholders_lists_names_in_order() {
        let template = Template::parse("{{b}}{{a}}{{b}}", &["a", "b"]);
        assert_eq!(template.map(|t| t.placeholders() == ["b", "a"]), Ok(true));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let error = Template::parse("héllo {{ x }}", EMAIL_VARS).err();
        assert!(matches!(
            error,
            Some(TemplateError::UnknownName {
                at: SourcePos {
                    offset: 7,
                    line: 1,
                    column: 7
                },
                ..
            })
        ));
    }

    proptest! {
        #[test]
        fn text_without_braces_pairs_renders_to_itself(src in "\\PC{0,200}|[{}a ]{0,16}") {
            prop_assume!(!src.contains(OPEN) && !src.contains(CLOSE));
            let template = Template::parse(&src, EMAIL_VARS);
            prop_assert!(template.is_ok());
            if let Ok(template) = template {
                prop_assert_eq!(template.render(&HashMap::new(), Escape::None), Ok(src.clone()));
                prop_assert_eq!(template.render(&HashMap::new(), Escape::Html), Ok(src));
            }
        }

        #[test]
        fn parse_never_panics(src in "[{} a_]{0,30}|\\PC{0,60}") {
            let _ = Template::parse(&src, EMAIL_VARS);
        }
    }
}
