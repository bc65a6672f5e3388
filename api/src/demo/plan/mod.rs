//! The demo programme's 90 days, planned before anything is written: a pure function of the
//! moment the history ends, drawn from a fixed seed, so every run plans the same kind of programme
//! and its shape is tested without a database. [`super::history`] plays it through the services.
//!
//! The shape: a launch cohort of customers shares from day one and others join week by week;
//! clicks grow about 2.5× over the quarter, dip at weekends and peak in the evening; email converts
//! best, social brings most clicks; some friends sign up, about half of them buy (a few again), a few
//! orders are refunded, and a few sign-ups look like fraud (a throwaway mailbox, the referrer's
//! own device, the referrer again under a `+tag` address).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use grapevine_entity::tables::Channel;

use super::random::Rng;

mod friends;

/// Days of history, today included.
pub const DAYS: i64 = 90;
/// The channels customers share on (each gets its own link and material).
pub const CHANNELS: [Channel; 3] = [Channel::Email, Channel::Social, Channel::Sms];
/// Customers enrolled before the launch.
pub const LAUNCH_COHORT: usize = 13;
/// The storefront's demo customers: enrolled as the history ends, with no activity of their own
/// (the demo's printed link and the widget are theirs to try).
pub const STOREFRONT: [(&str, &str); 3] = [
    ("demo-customer-1", "Ada"),
    ("demo-customer-2", "Grace"),
    ("demo-customer-3", "Linus"),
];
/// The one customer whose address the mail server refuses: their launch email is the dead job.
pub const BROKEN_ADDRESS: &str = "jane..doe@example.com";

const SEED: u64 = 0x6772_6170_6576_696e;
const FIRST: [&str; 24] = [
    "Olivia", "Noah", "Amara", "Mateo", "Priya", "Lucas", "Sofia", "Kenji", "Chloe", "Omar",
    "Hannah", "Diego", "Mei", "Samuel", "Leila", "Jonas", "Nadia", "Ethan", "Zara", "Felix",
    "Ines", "Tariq", "Emma", "Ravi",
];
const LAST: [&str; 16] = [
    "Garcia", "Okafor", "Nguyen", "Schmidt", "Rossi", "Kowalski", "Haddad", "Silva", "Tanaka",
    "Dubois", "Murphy", "Larsen", "Moreau", "Patel", "Novak", "Costa",
];
/// Clicks per weekday (Monday first), as a share of a weekday's.
const WEEKDAY: [f64; 7] = [1.05, 1.1, 1.1, 1.0, 0.9, 0.65, 0.6];
/// Relative clicks per hour of the day (UTC).
const HOURS: [u32; 24] = [
    1, 1, 0, 0, 0, 1, 2, 4, 6, 7, 8, 9, 10, 10, 9, 8, 8, 9, 11, 13, 14, 12, 8, 4,
];
/// Per channel (as [`CHANNELS`]): share of clicks, sign-ups per new visitor, purchases per sign-up.
const SHARE: [f64; 3] = [0.3, 0.5, 0.2];
const LEAD_RATE: [f64; 3] = [0.11, 0.045, 0.08];
const BUY_RATE: [f64; 3] = [0.62, 0.45, 0.55];

/// Whose browser a click came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// A friend's (numbered visitors).
    Visitor(u32),
    /// The referrer's own (the shared-device fraud case).
    Referrer(usize),
}

/// A customer who shares their links.
#[derive(Debug, Clone)]
pub struct Referrer {
    /// The shop's customer id.
    pub external_id: String,
    /// First name.
    pub first_name: String,
    /// Email.
    pub email: String,
    /// When they are enrolled.
    pub joins: DateTime<Utc>,
    /// How much they share on each channel (all zero: never).
    pub reach: [f64; 3],
}

/// One click on a referrer's channel link.
#[derive(Debug, Clone)]
pub struct Click {
    /// When.
    pub at: DateTime<Utc>,
    /// Whose link.
    pub referrer: usize,
    /// Index into [`CHANNELS`].
    pub channel: usize,
    /// From which browser.
    pub device: Device,
}

/// What a sign-up looks like to the fraud rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A new customer.
    Honest,
    /// A throwaway mailbox (disposable domain): to review.
    Disposable,
    /// Signed up on the referrer's own device: to review.
    SharedDevice,
    /// The referrer again under a `+tag` address: rejected.
    SelfReferral,
}

/// A friend who signed up through a click.
#[derive(Debug, Clone)]
pub struct Referee {
    /// The shop's customer id.
    pub external_id: String,
    /// Email.
    pub email: String,
    /// The click that brought them.
    pub click: usize,
    /// How they look to the fraud rules.
    pub kind: Kind,
}

/// Who bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buyer {
    /// A referred friend.
    Referee(usize),
    /// A referrer, for themselves (organic).
    Referrer(usize),
}

/// Something that happens at a moment of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A customer joins the programme after the launch.
    Join(usize),
    /// A friend signs up.
    Lead(usize),
    /// An order, with the click it carries (if the shop passed `gv_click` on).
    Purchase {
        /// Who.
        buyer: Buyer,
        /// Order id.
        order: String,
        /// Amount in cents.
        amount_minor: i64,
        /// The click it carries.
        click: Option<usize>,
    },
    /// An order refunded in part or in full.
    Refund {
        /// Order id.
        order: String,
        /// Amount in cents.
        amount_minor: i64,
    },
    /// The marketing manager works through the review queue.
    Reviews,
    /// Finance approves the large payouts waiting for it.
    Approvals,
    /// The scheduler's end-of-day work: release held rewards, run payouts.
    Close,
}

/// The whole history.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Its first day.
    pub first_day: NaiveDate,
    /// When the campaign launches.
    pub launch: DateTime<Utc>,
    /// When it ends (now).
    pub end: DateTime<Utc>,
    /// Everyone who shares, the launch cohort first.
    pub referrers: Vec<Referrer>,
    /// Every click, by time.
    pub clicks: Vec<Click>,
    /// Every sign-up.
    pub referees: Vec<Referee>,
    /// Everything else, by time.
    pub events: Vec<(DateTime<Utc>, Event)>,
    /// New customers' first orders (time, order id), candidates for a refund.
    first_orders: Vec<(DateTime<Utc>, String)>,
}

/// `day` at `h:m` UTC.
pub fn at(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
        .and_utc()
}

fn name(i: usize) -> (&'static str, &'static str) {
    (
        FIRST[i % FIRST.len()],
        LAST[(i * 7 + i / FIRST.len()) % LAST.len()],
    )
}

impl Plan {
    /// The history that ends at `end`.
    pub fn new(end: DateTime<Utc>) -> Plan {
        let mut rng = Rng::new(SEED);
        let first_day = (end - Duration::days(DAYS - 1)).date_naive();
        let launch = at(first_day, 9, 0);
        let mut plan = Plan {
            first_day,
            launch,
            end,
            referrers: Vec::new(),
            clicks: Vec::new(),
            referees: Vec::new(),
            events: Vec::new(),
            first_orders: Vec::new(),
        };
        plan.add_referrers(&mut rng);
        for day in 0..DAYS {
            plan.add_day(&mut rng, day);
        }
        plan.add_own_purchases(&mut rng);
        plan.ensure_every_kind(&mut rng);
        plan.ensure_reviews_at_the_end();
        plan.ensure_refunds();
        plan.events.retain(|(t, _)| *t < end);
        plan.events.sort_by_key(|(t, _)| *t);
        plan
    }

    /// The day `d` (0-based).
    pub fn day(&self, d: i64) -> NaiveDate {
        self.first_day + Duration::days(d)
    }

    fn add_referrers(&mut self, rng: &mut Rng) {
        let before_launch = self.launch - Duration::hours(1);
        let mut i = 0;
        let mut join = |rng: &mut Rng, joins: DateTime<Utc>, plan: &mut Plan| {
            let (first, last) = name(i);
            // Two of the cohort and one who joins later are the programme's stars (social most).
            let star = matches!(i, 2 | 7 | 30);
            let reach = [
                0.5 + rng.unit(),
                0.3 + rng.unit() * 1.2,
                0.2 + rng.unit() * 0.8,
            ];
            plan.referrers.push(Referrer {
                external_id: format!("cus_{:04}", 1001 + i),
                first_name: first.to_owned(),
                email: format!(
                    "{}.{}{}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    i
                ),
                joins,
                reach: if star { [3.0, 9.0, 1.0] } else { reach },
            });
            i += 1;
        };
        while self.referrers.len() < LAUNCH_COHORT - 1 {
            join(rng, before_launch, self);
        }
        // Jane never got her launch email (the mail server refuses her address), so never shares.
        self.referrers.push(Referrer {
            external_id: "cus_0999".into(),
            first_name: "Jane".into(),
            email: BROKEN_ADDRESS.into(),
            joins: before_launch,
            reach: [0.0; 3],
        });
        for d in 1..DAYS {
            // More customers join as the programme becomes known.
            if rng.chance(0.2 + 0.25 * d as f64 / DAYS as f64) {
                let joins = at(self.day(d), 10 + rng.below(8) as u32, rng.below(60) as u32);
                join(rng, joins, self);
                self.events
                    .push((joins, Event::Join(self.referrers.len() - 1)));
            }
        }
    }

    fn add_day(&mut self, rng: &mut Rng, d: i64) {
        let day = self.day(d);
        let growth = 1.0 + 1.5 * d as f64 / (DAYS - 1) as f64;
        let weekday = WEEKDAY[day.weekday().num_days_from_monday() as usize];
        // The launch emails bring a burst of email clicks on the first two days.
        let burst = match d {
            0 => 1.8,
            1 => 1.3,
            _ => 1.0,
        };
        let n = (24.0 * growth * weekday * burst * (0.85 + 0.3 * rng.unit())).round() as usize;
        let mut share = SHARE;
        if d < 2 {
            share = [0.55, 0.3, 0.15];
        }
        // (click, is the visitor's first click on the link)
        let mut today: Vec<(Click, bool)> = Vec::with_capacity(n);
        for _ in 0..n {
            let hour = rng.weighted(&HOURS.map(f64::from));
            let t = at(day, hour as u32, 0) + Duration::seconds(rng.below(3600) as i64);
            let channel = rng.weighted(&share);
            let weights: Vec<f64> = self
                .referrers
                .iter()
                .map(|r| if r.joins <= t { r.reach[channel] } else { 0.0 })
                .collect();
            if t < self.launch || t >= self.end || weights.iter().all(|w| *w <= 0.0) {
                continue;
            }
            let referrer = rng.weighted(&weights);
            let visitor = u32::try_from(self.clicks.len() + today.len()).unwrap_or(u32::MAX);
            let click = Click {
                at: t,
                referrer,
                channel,
                device: Device::Visitor(visitor),
            };
            // Some friends click twice; only a first click brings a sign-up.
            if rng.chance(0.12) {
                let mut again = click.clone();
                again.at = t + Duration::minutes(5 + rng.below(600) as i64);
                if again.at.date_naive() == day && again.at < self.end {
                    today.push((again, false));
                }
            }
            today.push((click, true));
        }
        today.sort_by_key(|(c, _)| c.at);
        for (click, first) in today {
            let channel = click.channel;
            self.clicks.push(click);
            if first && rng.chance(LEAD_RATE[channel]) {
                self.add_lead(rng, self.clicks.len() - 1);
            }
        }
        self.events.push((at(day, 10, 0), Event::Reviews));
        self.events.push((at(day, 11, 0), Event::Approvals));
        self.events.push((at(day, 23, 55), Event::Close));
    }
}
