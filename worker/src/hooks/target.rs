//! The address a webhook attempt connects to: the endpoint's host resolved now, and every answer
//! checked against the deployment's policy (the rules themselves are
//! `grapevine_entity::domain::webhook_target`).

use std::net::SocketAddr;

use grapevine_entity::domain::webhook_target::literal_ip;
pub use grapevine_entity::domain::webhook_target::{Policy, check_url, is_public};
use reqwest::Url;

/// The address an attempt connects to: the URL's host resolved, every answer checked against the
/// policy (a name with one private answer among public ones is refused).
pub async fn resolve(url: &Url, policy: Policy) -> Result<SocketAddr, String> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = match literal_ip(host) {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("could not resolve {host}: {e}"))?
            .collect(),
    };
    let first = *addrs
        .first()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    if !policy.allow_private
        && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip()))
    {
        return Err(format!(
            "{host} resolves to a non-public address ({}); refused",
            bad.ip()
        ));
    }
    Ok(first)
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

    #[tokio::test]
    async fn resolution_checks_every_answer() {
        let url = Url::parse("https://localhost:9/x").unwrap();
        assert!(resolve(&url, STRICT).await.is_err());
        let addr = resolve(&url, LOCAL).await.unwrap();
        assert!(addr.ip().is_loopback());
        assert_eq!(addr.port(), 9);
        let ip = Url::parse("https://10.0.0.1/x").unwrap();
        assert!(resolve(&ip, STRICT).await.is_err());
    }
}
