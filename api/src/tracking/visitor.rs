//! Who clicked, without storing who: a keyed hash of client address and user agent, the client
//! address taken from `X-Forwarded-For` only when the peer is a trusted proxy, and a bot filter.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A keyed hash (first 16 bytes of HMAC-SHA256, hex) of address and user agent. Rotating the key
/// ends same-visitor matching across the rotation, by design.
pub fn visitor_hash(key: &[u8], ip: IpAddr, user_agent: &str) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(ip.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(user_agent.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A keyed hash of the address alone ("same network, another browser").
pub fn ip_hash(key: &[u8], ip: IpAddr) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"address-only\n");
    mac.update(ip.to_string().as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Both hashes of a client.
pub fn device(
    key: &[u8],
    ip: IpAddr,
    user_agent: &str,
) -> grapevine_entity::ops::conversions::Device {
    grapevine_entity::ops::conversions::Device {
        visitor_hash: visitor_hash(key, ip, user_agent),
        ip_hash: ip_hash(key, ip),
    }
}

/// The device of the client making `req` (its address as `client_ip` finds it), if known.
pub fn device_of(
    req: &actix_web::HttpRequest,
    key: &[u8],
    trusted_proxies: &[IpAddr],
) -> Option<grapevine_entity::ops::conversions::Device> {
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let ip = client_ip(req.peer_addr().map(|a| a.ip()), forwarded, trusted_proxies)?;
    let ua = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Some(device(key, ip, ua))
}

/// The client's address: the peer, or, when the peer is one of `trusted_proxies`, the last
/// `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted_proxies: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let Some(header) = forwarded_for else {
        return Some(peer);
    };
    header
        .rsplit(',')
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted_proxies.contains(ip))
        .or(Some(peer))
}

/// Crawlers, link unfurlers and monitoring probes: they follow links but are not people.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawler",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "embedly",
    "curl/",
    "wget/",
    "python-requests",
    "headlesschrome",
    "monitor",
    "pingdom",
    "linkchecker",
    "whatsapp",
    "skypeuripreview",
];

/// Is this user agent a bot? (An empty user agent counts as one.)
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.trim().is_empty() || BOT_MARKERS.iter().any(|m| ua.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxies = [ip("10.0.0.1")];
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), Some("1.2.3.4"), &proxies),
            Some(ip("203.0.113.9")),
            "untrusted peer: header ignored"
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), Some("1.2.3.4"), &proxies),
            Some(ip("1.2.3.4"))
        );
        assert_eq!(
            client_ip(
                Some(ip("10.0.0.1")),
                Some("6.6.6.6, 1.2.3.4, 10.0.0.1"),
                &proxies
            ),
            Some(ip("1.2.3.4")),
            "the spoofable left part is not used"
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), None, &proxies),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn the_visitor_hash_is_keyed_stable_and_hides_the_address() {
        let a = visitor_hash(b"k1", ip("198.51.100.7"), "Firefox");
        assert_eq!(a, visitor_hash(b"k1", ip("198.51.100.7"), "Firefox"));
        assert_ne!(
            a,
            visitor_hash(b"k2", ip("198.51.100.7"), "Firefox"),
            "another key, another hash"
        );
        assert_ne!(a, visitor_hash(b"k1", ip("198.51.100.8"), "Firefox"));
        assert_eq!(a.len(), 32);
        assert!(!a.contains("198"));
    }

    #[test]
    fn crawlers_and_unfurlers_are_bots_and_browsers_are_not() {
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_bot("facebookexternalhit/1.1"));
        assert!(is_bot(""));
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any `X-Forwarded-For`: no panic; an untrusted peer is itself; behind a trusted proxy
        /// the answer is the peer or an address written in the header that is not a proxy.
        #[test]
        fn forwarded_for_never_panics_and_never_invents_an_address(
            header in "[0-9a-f:., ]{0,80}|\\PC{0,80}",
            peer_is_proxy in proptest::bool::ANY,
            user_agent in "\\PC{0,200}",
        ) {
            let proxies = [ip("10.0.0.1"), ip("::1")];
            let peer = if peer_is_proxy { ip("10.0.0.1") } else { ip("203.0.113.9") };
            let got = client_ip(Some(peer), Some(&header), &proxies).unwrap();
            if peer_is_proxy {
                let written: Vec<IpAddr> = header
                    .split(',')
                    .filter_map(|p| p.trim().parse().ok())
                    .collect();
                proptest::prop_assert!(got == peer || (written.contains(&got) && !proxies.contains(&got)));
            } else {
                proptest::prop_assert_eq!(got, peer);
            }
            let _ = is_bot(&user_agent);
        }
    }
}
