//! Email addresses, normalised once at the edge, and their canonical form for fraud checks.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// The longest local part (before the `@`) RFC 5321 allows.
pub const MAX_LOCAL_LEN: usize = 64;

/// The longest DNS label.
const MAX_LABEL_LEN: usize = 63;

/// A syntactically plausible email address, stored lower-cased.
///
/// Deliberately looser than RFC 5322 in the local part (only whitespace and control characters are
/// refused) and stricter in the domain (a public, dotted host name): deliverability is proven by
/// sending, not by parsing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email {
    address: String,
    at: usize,
}

impl Email {
    /// Parses an address as typed: trimmed, then lower-cased, then checked.
    pub fn parse(s: &str) -> Result<Email, FieldError> {
        let address = s.trim().to_lowercase();
        let error = |message: String| Err(FieldError::new("email", message));
        if address.is_empty() {
            return error("enter an email address".to_owned());
        }
        if address.len() > MAX_EMAIL_LEN {
            return error(format!(
                "is {} characters long; the limit is {MAX_EMAIL_LEN}",
                address.len()
            ));
        }
        let (local, domain) = match address.split_once('@') {
            Some((_, domain)) if domain.contains('@') => {
                return error("must contain exactly one @".to_owned());
            }
            Some(parts) => parts,
            None => return error("must contain an @, as in name@example.com".to_owned()),
        };
        if let Err(message) = check_local(local).and_then(|()| check_domain(domain)) {
            return error(message);
        }
        let at = local.len();
        Ok(Email { address, at })
    }

    /// The whole address, lower-cased.
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.address.get(..self.at).unwrap_or_default()
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.address.get(self.at + 1..).unwrap_or_default()
    }

    /// The form two addresses of one mailbox share, for self-referral checks: `+tag` stripped from
    /// the local part for every provider, and for Gmail dots removed too and `googlemail.com`
    /// read as `gmail.com` (Gmail delivers all of those to one inbox).
    ///
    /// Never use it to send mail: providers other than Gmail may treat dots and tags as distinct.
    pub fn canonical_for_fraud(&self) -> String {
        let mut local = self.local_part();
        // A leading '+' is the whole name, not a tag: stripping it would make every such address
        // collide with every other and flag strangers as one person.
        if let Some(plus) = local.find('+').filter(|&i| i > 0) {
            local = local.get(..plus).unwrap_or(local);
        }
        match self.domain() {
            "gmail.com" | "googlemail.com" => {
                let undotted: String = local.chars().filter(|&c| c != '.').collect();
                let local = if undotted.is_empty() {
                    local
                } else {
                    &undotted
                };
                format!("{local}@gmail.com")
            }
            domain => format!("{local}@{domain}"),
        }
    }
}

fn check_local(local: &str) -> Result<(), String> {
    if local.is_empty() {
        return Err("needs a name before the @".to_owned());
    }
    if local.len() > MAX_LOCAL_LEN {
        return Err(format!(
            "the part before the @ is {} characters long; the limit is {MAX_LOCAL_LEN}",
            local.len()
        ));
    }
    if local.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".to_owned());
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), String> {
    if !domain.contains('.') {
        return Err(format!(
            "'{domain}' is not a full domain; it needs a dot, as in example.com"
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Err(format!(
                "'{domain}' is not a valid domain: each part between dots must be 1-63 letters, digits or '-', not starting or ending with '-'"
            ));
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(format!(
            "'{domain}' must end in a top-level domain of at least two letters, such as .com"
        ));
    }
    Ok(())
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.address
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.address
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(s: &str) -> Option<String> {
        Email::parse(s).ok().map(String::from)
    }

    fn canonical(s: &str) -> Option<String> {
        Email::parse(s).ok().map(|e| e.canonical_for_fraud())
    }

    #[test]
    fn trims_and_lower_cases() {
        assert_eq!(
            parsed("  Ada.Lovelace@Example.COM \n"),
            Some("ada.lovelace@example.com".to_owned())
        );
    }

    #[test]
    fn splits_local_part_and_domain() {
        let email = Email::parse("ada+news@mail.example.org");
        assert_eq!(email.as_ref().map(Email::local_part), Ok("ada+news"));
        assert_eq!(email.as_ref().map(Email::domain), Ok("mail.example.org"));
    }

    #[test]
    fn length_limit_is_254() {
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(57)
        );
        let at_limit = format!("{}@{domain}", "x".repeat(254 - domain.len() - 1));
        assert_eq!(at_limit.len(), 254);
        assert!(parsed(&at_limit).is_some());
        let over = format!("x{at_limit}");
        assert!(parsed(&over).is_none());
    }

    #[test]
    fn needs_exactly_one_at() {
        assert!(parsed("ada.example.com").is_none());
        assert!(parsed("ada@@example.com").is_none());
        assert!(parsed("a@b@example.com").is_none());
    }

    #[test]
    fn local_part_rules() {
        assert!(parsed("@example.com").is_none());
        assert!(parsed(&format!("{}@example.com", "a".repeat(64))).is_some());
        assert!(parsed(&format!("{}@example.com", "a".repeat(65))).is_none());
        assert!(parsed("ada lovelace@example.com").is_none());
        assert!(parsed("ada\tl@example.com").is_none());
        assert!(parsed("ada\u{7}@example.com").is_none());
        assert!(parsed("o'brien+x_y=z@example.com").is_some());
        assert!(parsed("jürgen@example.de").is_some());
    }

    #[test]
    fn domain_needs_a_dot() {
        assert!(parsed("ada@localhost").is_none());
    }

    #[test]
    fn domain_labels_are_letters_digits_and_inner_hyphens() {
        assert!(parsed("ada@my-shop.example.com").is_some());
        assert!(parsed("ada@-shop.com").is_none());
        assert!(parsed("ada@shop-.com").is_none());
        assert!(parsed("ada@shop..com").is_none());
        assert!(parsed("ada@.shop.com").is_none());
        assert!(parsed("ada@shop.com.").is_none());
        assert!(parsed("ada@sh_op.com").is_none());
        assert!(parsed("ada@bücher.de").is_none());
        assert!(parsed(&format!("ada@{}.com", "a".repeat(64))).is_none());
    }

    #[test]
    fn top_level_domain_is_two_or_more_letters() {
        assert!(parsed("ada@example.c").is_none());
        assert!(parsed("ada@example.c0m").is_none());
        assert!(parsed("ada@10.0.0.1").is_none());
        assert!(parsed("ada@example.io").is_some());
    }

    #[test]
    fn errors_name_the_email_field() {
        assert_eq!(
            Email::parse("nope").err().map(|e| e.field),
            Some("email".to_owned())
        );
        assert!(Email::parse("").is_err());
    }

    #[test]
    fn canonical_strips_plus_tags_everywhere() {
        assert_eq!(
            canonical("Ada+Promo@Example.com"),
            Some("ada@example.com".to_owned())
        );
        assert_eq!(
            canonical("a.da+x+y@example.com"),
            Some("a.da@example.com".to_owned())
        );
    }

    #[test]
    fn canonical_keeps_a_leading_plus() {
        assert_eq!(
            canonical("+ada@example.com"),
            Some("+ada@example.com".to_owned())
        );
    }

    #[test]
    fn canonical_removes_dots_only_for_gmail() {
        assert_eq!(
            canonical("a.d.a+ref@gmail.com"),
            Some("ada@gmail.com".to_owned())
        );
        assert_eq!(
            canonical("A.da@GoogleMail.com"),
            Some("ada@gmail.com".to_owned())
        );
        assert_eq!(
            canonical("a.da@outlook.com"),
            Some("a.da@outlook.com".to_owned())
        );
        assert_eq!(
            canonical("a.da@mail.gmail.com"),
            Some("a.da@mail.gmail.com".to_owned())
        );
    }

    #[test]
    fn serde_goes_through_parse() {
        let email: Result<Email, _> = serde_json::from_str("\"Ada@Example.com\"");
        assert_eq!(
            email.ok().map(String::from),
            Some("ada@example.com".to_owned())
        );
        assert!(serde_json::from_str::<Email>("\"not an email\"").is_err());
    }

    proptest! {
        #[test]
        fn parsing_a_parsed_address_gives_it_back(
            s in "[A-Za-z0-9._%+'-]{1,64}@([A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?\\.){1,3}[A-Za-z]{2,6}"
        ) {
            let email = Email::parse(&s);
            prop_assert!(email.is_ok(), "{s}: {email:?}");
            if let Ok(email) = email {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
            }
        }

        #[test]
        fn any_accepted_input_is_a_fixed_point(s in "\\PC{0,20}@\\PC{0,20}|.{0,40}") {
            if let Ok(email) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
            }
        }
    }
}
