//! The friends' side of the plan: sign-ups, their orders and refunds, the customers' own
//! orders, and the few suspicious sign-ups and refunds every history holds.

use chrono::{DateTime, Duration, Utc};

use super::{BUY_RATE, Buyer, Device, Event, Kind, Plan, Referee, at, name};
use crate::demo::random::Rng;

impl Plan {
    pub(super) fn add_lead(&mut self, rng: &mut Rng, click: usize) {
        let (t, channel, referrer) = {
            let c = &self.clicks[click];
            (c.at, c.channel, c.referrer)
        };
        let signed_up = t + Duration::minutes(3 + rng.below(88) as i64);
        let roll = rng.unit();
        let kind = if roll < 0.03 {
            Kind::Disposable
        } else if roll < 0.045 {
            Kind::SelfReferral
        } else if roll < 0.065 && signed_up - self.referrers[referrer].joins > Duration::hours(3) {
            Kind::SharedDevice
        } else {
            Kind::Honest
        };
        let j = self.referees.len();
        let (first, last) = name(j * 5 + 3);
        self.referees.push(Referee {
            external_id: format!("cus_{:04}", 5001 + j),
            email: format!(
                "{}.{}{}@{}",
                first.to_lowercase(),
                last.to_lowercase(),
                j,
                ["example.com", "example.org", "example.net"][j % 3]
            ),
            click,
            kind,
        });
        self.set_kind(j, kind);
        self.events.push((signed_up, Event::Lead(j)));
        if kind == Kind::SharedDevice {
            self.referrer_bought_before(rng, referrer, signed_up);
        }
        let buys = match kind {
            Kind::Honest => BUY_RATE[channel],
            Kind::Disposable => 0.35,
            Kind::SharedDevice => 0.7,
            Kind::SelfReferral => 0.6,
        };
        if !rng.chance(buys) {
            return;
        }
        let bought = if rng.chance(0.35) {
            signed_up + Duration::minutes(10 + rng.below(170) as i64)
        } else {
            at(
                signed_up.date_naive() + Duration::days(1 + rng.below(4) as i64),
                8 + rng.below(15) as u32,
                rng.below(60) as u32,
            )
        };
        let carries = rng.chance(0.7).then_some(click);
        let order = self.purchase(rng, bought, Buyer::Referee(j), carries);
        if kind == Kind::Honest {
            self.first_orders.push((bought, order.clone()));
            let roll = rng.unit();
            if roll < 0.04 {
                let share = 0.2 + 0.25 * rng.unit();
                self.refund(rng, bought, &order, share);
            } else if roll < 0.065 {
                self.refund(rng, bought, &order, 1.0);
            }
        }
        if rng.chance(0.22) {
            let again = bought + Duration::days(7 + rng.below(28) as i64);
            self.purchase(rng, again, Buyer::Referee(j), None);
        }
    }

    /// A referee's kind decides their email and, for the shared device, their click's browser.
    fn set_kind(&mut self, j: usize, kind: Kind) {
        let referee = &mut self.referees[j];
        referee.kind = kind;
        let click = &mut self.clicks[referee.click];
        let referrer = &self.referrers[click.referrer];
        let (first, last) = name(j * 5 + 3);
        match kind {
            Kind::Honest | Kind::SharedDevice => {}
            Kind::Disposable => {
                referee.email = format!(
                    "{}{}.{}@mailinator.com",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    j
                );
            }
            Kind::SelfReferral => {
                referee.email = referrer.email.replacen('@', "+friend@", 1);
            }
        }
        if kind == Kind::SharedDevice {
            click.device = Device::Referrer(click.referrer);
        }
    }

    /// The referrer bought on their own device shortly before a friend signed up on it: the
    /// rules then see the device as the referrer's.
    fn referrer_bought_before(&mut self, rng: &mut Rng, referrer: usize, signed_up: DateTime<Utc>) {
        let earliest = std::cmp::max(
            self.referrers[referrer].joins,
            signed_up - Duration::days(5),
        );
        let span = (signed_up - Duration::hours(1) - earliest)
            .num_minutes()
            .max(1);
        let bought = earliest + Duration::minutes(rng.below(span as u64) as i64);
        self.purchase(rng, bought, Buyer::Referrer(referrer), None);
    }

    /// Every kind of suspicious sign-up shows at least once, whatever the draw: the first honest
    /// sign-up of the second month becomes one.
    pub(super) fn ensure_every_kind(&mut self, rng: &mut Rng) {
        for kind in [Kind::SelfReferral, Kind::SharedDevice] {
            let leads: Vec<(DateTime<Utc>, usize)> = self
                .events
                .iter()
                .filter_map(|(t, e)| match e {
                    Event::Lead(j) if *t < self.end => Some((*t, *j)),
                    _ => None,
                })
                .collect();
            if leads.iter().any(|(_, j)| self.referees[*j].kind == kind) {
                continue;
            }
            let candidate = leads.into_iter().find(|(t, j)| {
                let referrer = self.clicks[self.referees[*j].click].referrer;
                self.referees[*j].kind == Kind::Honest
                    && *t >= self.launch + Duration::days(30)
                    && *t - self.referrers[referrer].joins > Duration::hours(3)
            });
            if let Some((t, j)) = candidate {
                self.set_kind(j, kind);
                if kind == Kind::SharedDevice {
                    let referrer = self.clicks[self.referees[j].click].referrer;
                    self.referrer_bought_before(rng, referrer, t);
                }
            }
        }
    }

    fn purchase(
        &mut self,
        rng: &mut Rng,
        t: DateTime<Utc>,
        buyer: Buyer,
        click: Option<usize>,
    ) -> String {
        let order = format!("ord_{}", 10_001 + self.events.len());
        let cents = [0, 50, 99][rng.below(3) as usize];
        let amount_minor = (28 + rng.below(123) as i64) * 100 + cents;
        self.events.push((
            t,
            Event::Purchase {
                buyer,
                order: order.clone(),
                amount_minor,
                click,
            },
        ));
        order
    }

    fn refund(&mut self, rng: &mut Rng, bought: DateTime<Utc>, order: &str, share: f64) {
        let Some(amount) = self.events.iter().rev().find_map(|(_, e)| match e {
            Event::Purchase {
                order: o,
                amount_minor,
                ..
            } if o == order => Some(*amount_minor),
            _ => None,
        }) else {
            return;
        };
        let t = bought
            + Duration::days(2 + rng.below(13) as i64)
            + Duration::hours(rng.below(8) as i64);
        let amount_minor = ((amount as f64 * share).round() as i64).clamp(1, amount);
        self.events.push((
            t,
            Event::Refund {
                order: order.to_owned(),
                amount_minor,
            },
        ));
    }

    /// Customers buy for themselves now and then: the organic side of the cohort report.
    pub(super) fn add_own_purchases(&mut self, rng: &mut Rng) {
        for r in 0..self.referrers.len() {
            if self.referrers[r].reach.iter().all(|w| *w <= 0.0) {
                continue;
            }
            let joins = self.referrers[r].joins;
            let span = (self.end - joins).num_minutes().max(1) as u64;
            for _ in 0..rng.below(3) {
                let t = joins + Duration::minutes(rng.below(span) as i64);
                self.purchase(rng, t, Buyer::Referrer(r), None);
            }
        }
    }

    /// A few refunds whatever the draw: at least two partial and one full, before the end.
    pub(super) fn ensure_refunds(&mut self) {
        let amount_of = |events: &[(DateTime<Utc>, Event)], order: &str| {
            events.iter().find_map(|(_, e)| match e {
                Event::Purchase {
                    order: o,
                    amount_minor,
                    ..
                } if o == order => Some(*amount_minor),
                _ => None,
            })
        };
        let (mut partial, mut full) = (0, 0);
        let mut refunded = Vec::new();
        for (t, e) in &self.events {
            if let Event::Refund {
                order,
                amount_minor,
            } = e
                && *t < self.end
            {
                if amount_of(&self.events, order) == Some(*amount_minor) {
                    full += 1;
                } else {
                    partial += 1;
                }
                refunded.push(order.clone());
            }
        }
        let latest = self.end - Duration::days(20);
        let candidates: Vec<(DateTime<Utc>, String)> = self
            .first_orders
            .iter()
            .rev()
            .filter(|(t, o)| *t < latest && !refunded.contains(o))
            .cloned()
            .collect();
        for (bought, order) in candidates {
            let share = if full < 1 {
                full += 1;
                1.0
            } else if partial < 2 {
                partial += 1;
                0.3
            } else {
                break;
            };
            let Some(amount) = amount_of(&self.events, &order) else {
                continue;
            };
            let amount_minor = ((amount as f64 * share).round() as i64).clamp(1, amount);
            self.events.push((
                bought + Duration::days(3),
                Event::Refund {
                    order,
                    amount_minor,
                },
            ));
        }
    }

    /// The review queue is never empty when the history ends: the last week's suspicious
    /// sign-ups are still waiting for a person (at least three of them).
    pub(super) fn ensure_reviews_at_the_end(&mut self) {
        let since = self.end - Duration::days(6);
        let recent: Vec<usize> = self
            .events
            .iter()
            .filter_map(|(t, e)| match e {
                Event::Lead(j) if *t >= since && *t < self.end => Some(*j),
                _ => None,
            })
            .collect();
        let mut suspicious = recent
            .iter()
            .filter(|j| {
                matches!(
                    self.referees[**j].kind,
                    Kind::Disposable | Kind::SharedDevice
                )
            })
            .count();
        for j in recent.into_iter().rev() {
            if suspicious >= 3 {
                break;
            }
            if self.referees[j].kind == Kind::Honest {
                self.set_kind(j, Kind::Disposable);
                suspicious += 1;
            }
        }
    }
}
