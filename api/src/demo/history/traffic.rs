//! Clicks, as the redirect records them: each planned click is resolved like a code on
//! `/r/{code}` and handed to a batch writer of the redirect's kind, from the address and browser
//! of the device that made it.

use std::net::IpAddr;

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::Player;
use crate::{
    demo::plan::Device,
    tracking::{clicks, visitor},
};

const USER_AGENTS: [&str; 6] = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
];

impl Player<'_> {
    /// Hand the day's clicks to a batch writer of the kind the redirect uses, then wait for it
    /// to store them all (stopping it flushes).
    pub(super) async fn record_clicks(
        &mut self,
        range: std::ops::Range<usize>,
    ) -> anyhow::Result<()> {
        let tracking = &self.config.tracking;
        let settings = clicks::WriterSettings {
            capacity: tracking.click_buffer.max(range.len()),
            batch: tracking.click_batch,
            flush_every: std::time::Duration::from_millis(tracking.click_flush_ms),
            writers: tracking.click_writers,
        };
        let metrics = clicks::ClickMetrics::register(&prometheus::Registry::new())?;
        let stop = CancellationToken::new();
        let (sink, writer) = clicks::spawn(
            self.db.clone(),
            settings,
            metrics,
            self.tally.clone(),
            stop.clone(),
        );
        for i in range {
            let click = &self.plan.clicks[i];
            let Some(link) = self.links[click.referrer].get(click.channel) else {
                continue;
            };
            // Resolved as the redirect resolves a code: only a live campaign's click counts.
            let Some(target) = self
                .state
                .caches
                .links
                .resolve(&self.db, &link.code)
                .await?
            else {
                continue;
            };
            if !target.attributing {
                continue;
            }
            let (ip, user_agent) = browser(click.device);
            let id = Uuid::now_v7();
            let stored = sink.record(clicks::NewClick {
                id,
                tenant_id: target.tenant_id,
                campaign_id: target.campaign_id,
                link_id: target.link_id,
                channel: target.channel,
                visitor_hash: visitor::visitor_hash(&self.state.visitor_key, ip, user_agent),
                at: click.at,
            });
            if stored {
                self.clicks[i] = Some(id);
            }
        }
        drop(sink);
        stop.cancel();
        writer.await?;
        Ok(())
    }
}

/// The address and browser of a device: friends on documentation-range addresses, each
/// referrer on one of their own.
pub(super) fn browser(device: Device) -> (IpAddr, &'static str) {
    let (ip, n) = match device {
        Device::Visitor(n) => {
            let [_, _, hi, lo] = n.to_be_bytes();
            (IpAddr::from([198, 18, hi, lo]), n as usize)
        }
        Device::Referrer(r) => (
            IpAddr::from([203, 0, 113, u8::try_from(r % 250 + 1).unwrap_or(1)]),
            r,
        ),
    };
    (ip, USER_AGENTS[n % USER_AGENTS.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friends_and_referrers_browse_from_distinct_addresses() {
        let friend = browser(Device::Visitor(300)).0;
        let referrer = browser(Device::Referrer(0)).0;
        assert_ne!(friend, referrer);
        assert_eq!(friend, IpAddr::from([198, 18, 1, 44]));
        assert_ne!(browser(Device::Visitor(1)), browser(Device::Visitor(2)));
    }
}
