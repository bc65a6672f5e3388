//! Code → redirect target, from memory. Entries live `ttl` (so other replicas see changes within
//! it) and are dropped at once on this replica when a link or campaign changes.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use grapevine_entity::tables::{CampaignStatus, Channel, campaigns, referral_links};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Where a code leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Link id.
    pub link_id: Uuid,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Channel variant of the link.
    pub channel: Option<Channel>,
    /// The canonical code (upper case).
    pub code: String,
    /// Campaign landing URL.
    pub landing_url: Option<String>,
    /// True while the campaign is active: only then does a click carry attribution.
    pub attributing: bool,
    /// The landing URL with `ref=<code>` added, split around its fragment: a click's location is
    /// `head` + `&gv_click=<id>` + `fragment`, put together without parsing a URL per click. None
    /// when the landing URL does not parse.
    pub attributed: Option<Attributed>,
}

/// A landing URL prepared for attribution (see `Target::attributed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributed {
    /// Up to and including the query, which ends with `ref=<code>`.
    pub head: String,
    /// `#fragment`, or empty.
    pub fragment: String,
}

impl Attributed {
    /// Prepare `landing` for links of `code`.
    pub fn new(landing: &str, code: &str) -> Option<Self> {
        let mut url = url::Url::parse(landing).ok()?;
        url.query_pairs_mut().append_pair("ref", code);
        let fragment = url.fragment().map(|f| format!("#{f}")).unwrap_or_default();
        url.set_fragment(None);
        Some(Self {
            head: url.into(),
            fragment,
        })
    }

    /// The location of a click: with `gv_click` when it was recorded.
    pub fn location(&self, click: Option<Uuid>) -> String {
        let Some(id) = click else {
            return format!("{}{}", self.head, self.fragment);
        };
        let mut buf = Uuid::encode_buffer();
        let id = id.hyphenated().encode_lower(&mut buf);
        let mut out = String::with_capacity(self.head.len() + 10 + id.len() + self.fragment.len());
        out.push_str(&self.head);
        out.push_str("&gv_click=");
        out.push_str(id);
        out.push_str(&self.fragment);
        out
    }
}

type Entry = (Option<Arc<Target>>, Instant);

/// The cache.
pub struct LinkCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, Entry>>,
}

/// Most entries kept; past it the cache starts over (a flood of random codes cannot grow it).
const MAX_ENTRIES: usize = 200_000;

impl LinkCache {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// Resolve a code (any case); unknown codes resolve to `None` (cached too).
    pub async fn resolve(
        &self,
        conn: &impl ConnectionTrait,
        code: &str,
    ) -> Result<Option<Arc<Target>>, DbErr> {
        if code.is_empty() || code.len() > 64 {
            return Ok(None);
        }
        // Codes are stored upper case; most arrive so, and need no copy to be looked up.
        let key = if code.bytes().any(|b| b.is_ascii_lowercase()) {
            std::borrow::Cow::Owned(code.to_ascii_uppercase())
        } else {
            std::borrow::Cow::Borrowed(code)
        };
        if let Ok(entries) = self.entries.read()
            && let Some((hit, at)) = entries.get(key.as_ref())
            && at.elapsed() < self.ttl
        {
            return Ok(hit.clone());
        }
        let key = key.into_owned();
        let target = load(conn, &key).await?.map(Arc::new);
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (target.clone(), Instant::now()));
        }
        Ok(target)
    }

    /// Forget everything (a campaign changed: its status or landing URL may differ now).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    /// Forget one code (a link was created or disabled).
    pub fn forget(&self, code: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(&code.to_ascii_uppercase());
        }
    }
}

async fn load(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Target>, DbErr> {
    let Some(link) = referral_links::Entity::find()
        .filter(referral_links::Column::Code.eq(code))
        .filter(referral_links::Column::DisabledAt.is_null())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(campaign) = campaigns::Entity::find_by_id(link.campaign_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let attributed = campaign
        .landing_url
        .as_deref()
        .and_then(|landing| Attributed::new(landing, &link.code));
    Ok(Some(Target {
        link_id: link.id,
        tenant_id: link.tenant_id,
        campaign_id: link.campaign_id,
        channel: link.channel,
        code: link.code,
        landing_url: campaign.landing_url,
        attributing: campaign.status == CampaignStatus::Active,
        attributed,
    }))
}
