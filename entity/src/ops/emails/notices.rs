//! Transactional notices about a participant's own referral rewards: welcome to a referred
//! friend, "you earned a reward", "your reward is ready" (a coupon or gift card code) and "your
//! reward was paid". Each is recorded with a dedupe key, so it is sent at most once.

use std::collections::HashMap;

use crate::{
    domain::{
        money::Currency,
        template::{Escape, Template},
    },
    tables::EmailKind,
};
use anyhow::anyhow;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::{self as send, NewEmail};

/// Variables the notices use.
const VARS: &[&str] = &[
    "first_name",
    "company_name",
    "campaign_name",
    "amount",
    "code",
    "release_date",
];

/// One notice's three templates.
struct Notice {
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

fn notice(kind: EmailKind) -> Option<Notice> {
    Some(match kind {
        EmailKind::Welcome => Notice {
            subject: "Welcome to {{company_name}}",
            text: "Hi {{first_name}},\n\nwelcome to {{company_name}}! A friend referred you through {{campaign_name}}.{{amount}}\n",
            html: "<p>Hi {{first_name}},</p><p>welcome to {{company_name}}! A friend referred you through {{campaign_name}}.{{amount}}</p>",
        },
        EmailKind::RewardEarned => Notice {
            subject: "You earned {{amount}} from {{company_name}}",
            text: "Hi {{first_name}},\n\na friend you referred joined {{company_name}}: you earned {{amount}} ({{campaign_name}}). It becomes available on {{release_date}}.\n",
            html: "<p>Hi {{first_name}},</p><p>a friend you referred joined {{company_name}}: you earned <b>{{amount}}</b> ({{campaign_name}}). It becomes available on {{release_date}}.</p>",
        },
        EmailKind::RewardPaid => Notice {
            subject: "Your {{company_name}} reward of {{amount}} is on its way",
            text: "Hi {{first_name}},\n\nyour referral reward of {{amount}} has been paid.{{code}}\n",
            html: "<p>Hi {{first_name}},</p><p>your referral reward of <b>{{amount}}</b> has been paid.{{code}}</p>",
        },
        _ => return None,
    })
}

/// A notice to record.
pub struct NoticeInput<'a> {
    /// Tenant.
    pub tenant_id: Uuid,
    /// Campaign, if the notice is about one.
    pub campaign_id: Option<Uuid>,
    /// Recipient participant.
    pub participant_id: Option<Uuid>,
    /// Which notice.
    pub kind: EmailKind,
    /// The at-most-once key.
    pub dedupe_key: String,
    /// Recipient address.
    pub to: &'a str,
    /// Values for the templates (missing ones render empty).
    pub vars: HashMap<&'static str, String>,
}

/// Record a notice and its send job in the caller's transaction. An empty address records
/// nothing (a referee reported without an email).
pub async fn record(
    conn: &impl ConnectionTrait,
    input: NoticeInput<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if input.to.trim().is_empty() {
        return Ok(());
    }
    let Some(n) = notice(input.kind) else {
        return Err(DbErr::Custom(format!(
            "no notice template for {}",
            input.kind
        )));
    };
    let mut vars: HashMap<&str, String> = VARS.iter().map(|v| (*v, String::new())).collect();
    vars.extend(input.vars);
    if vars.get("first_name").is_none_or(|f| f.is_empty()) {
        vars.insert("first_name", "there".to_owned());
    }
    let render = |src: &str, escape| -> Result<String, DbErr> {
        Template::parse(src, VARS)
            .and_then(|t| t.render(&vars, escape))
            .map_err(|e| DbErr::Custom(anyhow!("notice template: {e}").to_string()))
    };
    send::create(
        conn,
        NewEmail {
            tenant_id: input.tenant_id,
            campaign_id: input.campaign_id,
            participant_id: input.participant_id,
            kind: input.kind,
            dedupe_key: input.dedupe_key,
            to: input.to.to_owned(),
            subject: render(n.subject, Escape::None)?,
            html: render(n.html, Escape::Html)?,
            text: render(n.text, Escape::None)?,
        },
        now,
    )
    .await?;
    Ok(())
}

/// `12.50 USD` from 1250 and `USD` (the currency's own number of decimals).
pub fn format_money(minor: i64, currency: &str) -> String {
    let exponent = Currency::parse(currency).map(|c| c.exponent()).unwrap_or(2);
    let scale = 10_i64.pow(u32::from(exponent));
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    if scale == 1 {
        format!("{sign}{abs} {currency}")
    } else {
        format!(
            "{sign}{}.{:0width$} {currency}",
            abs / scale,
            abs % scale,
            width = usize::from(exponent)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_with_the_currencys_decimals_and_sign() {
        assert_eq!(format_money(1250, "USD"), "12.50 USD");
        assert_eq!(format_money(-5, "EUR"), "-0.05 EUR");
        assert_eq!(format_money(1500, "JPY"), "1500 JPY");
        assert_eq!(format_money(i64::MIN, "USD"), "-92233720368547758.08 USD");
    }

    #[test]
    fn every_notice_parses_with_its_variables() {
        for kind in [
            EmailKind::Welcome,
            EmailKind::RewardEarned,
            EmailKind::RewardPaid,
        ] {
            let n = notice(kind).unwrap();
            for src in [n.subject, n.text, n.html] {
                assert!(Template::parse(src, VARS).is_ok(), "{kind}: {src}");
            }
        }
    }
}
