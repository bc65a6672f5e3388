//! A visit to a referral link (`GET /r/{code}`) as a browser makes it, the redirect not followed:
//! the one place the tests click and read the click id (`gv_click`) the redirect carries.

use std::net::IpAddr;

/// Firefox on Linux: a person's browser, whose clicks are counted (a bot's are not).
pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// One visit to `/r/{code}`, built by [`crate::TestApp::visit`] or
/// [`crate::client::GraphqlClient::visit`], adjusted, then sent: [`Visit::click`] for the click
/// id, [`Visit::try_click`] when the server may be down, [`Visit::send`] for the raw response.
pub struct Visit {
    http: reqwest::Client,
    url: String,
    user_agent: String,
    headers: Vec<(String, String)>,
    from: Option<IpAddr>,
}

impl Visit {
    /// A visit to `{base}/r/{code}` through `http`, which must not follow redirects.
    pub fn new(http: &reqwest::Client, base: &str, code: &str) -> Self {
        Self {
            http: http.clone(),
            url: format!("{base}/r/{code}"),
            user_agent: FIREFOX.to_owned(),
            headers: Vec::new(),
            from: None,
        }
    }

    /// The browser's `User-Agent` ([`FIREFOX`] unless set; visitors are told apart by it).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Send this header too (`referer`, `x-forwarded-for`, …).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Connect from this local (loopback) address, so that "same address" means what it says.
    pub fn from_address(mut self, address: IpAddr) -> Self {
        self.from = Some(address);
        self
    }

    async fn request(self) -> reqwest::Result<reqwest::Response> {
        let http = match self.from {
            Some(address) => reqwest::Client::builder()
                .local_address(address)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            None => self.http,
        };
        let mut request = http.get(&self.url).header("user-agent", &self.user_agent);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request.send().await
    }

    /// The response as it came (a redirect is not followed); panics if the server does not answer.
    pub async fn send(self) -> reqwest::Response {
        let url = self.url.clone();
        self.request()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// The click id of an attributed visit: panics unless the answer is a redirect carrying one.
    /// The click itself is stored a moment later (batched): see [`crate::TestApp::clicks_stored`].
    pub async fn click(self) -> uuid::Uuid {
        let url = self.url.clone();
        let res = self.send().await;
        assert_eq!(res.status(), 302, "GET {url}");
        click_id(&res).unwrap_or_else(|| panic!("GET {url}: no click id in {res:?}"))
    }

    /// The click id if the server answered with a redirect carrying one; `None` if it did not answer
    /// (down, restarting) or dropped the click.
    pub async fn try_click(self) -> Option<uuid::Uuid> {
        click_id(&self.request().await.ok()?)
    }
}

/// The click id (`gv_click`) in a response's `Location`, if there is one.
pub fn click_id(res: &reqwest::Response) -> Option<uuid::Uuid> {
    let location = res.headers().get("location")?.to_str().ok()?;
    url::Url::parse(location)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == "gv_click")
        .and_then(|(_, v)| v.parse().ok())
}
