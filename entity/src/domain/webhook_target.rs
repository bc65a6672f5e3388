//! Where a webhook may be sent. Endpoints are URLs a tenant types in, and our server makes the
//! request, so without rules a tenant could make it call our own network (SSRF): only `https://`
//! (plain `http://` when `webhooks.allow_http` is set), no credentials in the URL, and only public
//! addresses (loopback, private, link-local, shared and reserved ranges are refused unless
//! `webhooks.allow_private_targets` is set). Names are checked when the endpoint is saved and
//! their resolved addresses again before every attempt (`grapevine-worker`'s `hooks::target`), which
//! then connects to the address it checked (a name that changes its answer in between cannot slip
//! through).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

/// Longest endpoint URL accepted.
pub const MAX_URL_LEN: usize = 2_000;

/// What the deployment allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    /// Plain `http://` is allowed.
    pub allow_http: bool,
    /// Non-public addresses are allowed.
    pub allow_private: bool,
}

/// Check an endpoint URL as typed; returns it parsed, or why not.
pub fn check_url(raw: &str, policy: Policy) -> Result<Url, String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL_LEN {
        return Err(format!("must be 1 to {MAX_URL_LEN} characters"));
    }
    let url = Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => return Err("must use https:// (plain http is not allowed here)".into()),
        other => return Err(format!("must use https://, not {other}://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials (user:password@)".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment".into());
    }
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err("must name a host".into());
    }
    if !policy.allow_private {
        if let Some(ip) = literal_ip(host)
            && !is_public(ip)
        {
            return Err(format!(
                "points at a non-public address ({ip}); webhooks go to the internet only"
            ));
        }
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") {
            return Err("points at this machine (localhost)".into());
        }
    }
    Ok(url)
}

/// The host as an IP address, when it is one (`[::1]` included).
pub fn literal_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// True for addresses on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let reserved = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19));
    !reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let reserved = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local, fc00::/7.
        || (s[0] & 0xfe00) == 0xfc00
        // Link-local, fe80::/10.
        || (s[0] & 0xffc0) == 0xfe80
        // Documentation, 2001:db8::/32.
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        // NAT64 (64:ff9b::/96) reaches IPv4 addresses we cannot vet here.
        || (s[0] == 0x0064 && s[1] == 0xff9b);
    !reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Policy = Policy {
        allow_http: false,
        allow_private: false,
    };
    const LOCAL: Policy = Policy {
        allow_http: true,
        allow_private: true,
    };

    #[test]
    fn https_urls_on_public_hosts_are_accepted() {
        for ok in [
            "https://hooks.example.com/grapevine",
            "https://hooks.example.com:8443/x?y=1",
            "https://93.184.216.34/in",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/in",
        ] {
            assert!(check_url(ok, STRICT).is_ok(), "{ok}");
        }
    }

    #[test]
    fn bad_schemes_credentials_and_garbage_are_refused() {
        for bad in [
            "",
            "not a url",
            "ftp://example.com/x",
            "http://example.com/x",
            "https://user:pw@example.com/x",
            "https://example.com/x#frag",
            "file:///etc/passwd",
        ] {
            assert!(check_url(bad, STRICT).is_err(), "{bad}");
        }
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(2_000)), STRICT).is_err());
        assert!(check_url("http://example.com/x", LOCAL).is_ok());
    }

    #[test]
    fn private_and_special_targets_are_refused_unless_allowed() {
        for bad in [
            "https://127.0.0.1/x",
            "https://localhost/x",
            "https://api.localhost./x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[::ffff:10.0.0.1]/x",
        ] {
            assert!(check_url(bad, STRICT).is_err(), "{bad}");
            assert!(
                check_url(bad, LOCAL).is_ok(),
                "{bad} with private targets allowed"
            );
        }
    }
}
