//! Where the feed reader may go. A feed or a page can name any address, and whatever the
//! bot fetches ends up in front of admins (errors) or subscribers (items): without these
//! rules a hacked site could make jarchi read its own ops listener on 127.0.0.1:9898 or a
//! cloud metadata service, and show the answer around.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The operator's choices (`FEED_ALLOW_HTTP`, `FEED_ALLOW_PRIVATE`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedPolicy {
    /// Plain http feeds; https is always allowed.
    pub allow_http: bool,
    /// Loopback, private, link-local and other inside addresses (an intranet site).
    pub allow_private: bool,
    /// Not an environment variable: inside addresses to treat as outside, so that tests
    /// can stand a "public" site on a loopback address next to a truly inside one.
    pub treat_as_public: Vec<IpAddr>,
}

/// Why a feed address, a redirect or a resolved address was refused. The text is what
/// `/feeds`, `/addfeed` and `jarchi import` show, so it names the way out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedRefusal {
    #[error("{url} is not an http(s) address")]
    NotWeb { url: String },
    #[error("{url} is plain http; feeds must be https unless FEED_ALLOW_HTTP=true")]
    NotHttps { url: String },
    #[error("refused the redirect from https to plain http ({to})")]
    Downgrade { to: String },
    #[error("{}", inside_message(host, addr, kind))]
    Inside {
        host: String,
        addr: IpAddr,
        kind: &'static str,
    },
}

fn inside_message(host: &str, addr: &IpAddr, kind: &str) -> String {
    let leads = if host == addr.to_string() || host.trim_matches(['[', ']']) == addr.to_string() {
        format!("{addr} is")
    } else {
        format!("{host} leads to {addr},")
    };
    format!("{leads} a {kind} address: refused unless FEED_ALLOW_PRIVATE=true")
}

impl FeedPolicy {
    /// Allows everything: for tests and for operators who said so for both.
    pub fn permissive() -> Self {
        Self {
            allow_http: true,
            allow_private: true,
            treat_as_public: Vec::new(),
        }
    }

    /// The checks that need no DNS: the scheme, and a host written as an IP address
    /// (such hosts are never resolved, so [`check_address`](Self::check_address) must
    /// see them here).
    pub fn check_url(&self, raw: &str) -> Result<(), FeedRefusal> {
        let not_web = || FeedRefusal::NotWeb {
            url: raw.to_string(),
        };
        let url = url::Url::parse(raw).map_err(|_| not_web())?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => {
                return Err(FeedRefusal::NotHttps {
                    url: raw.to_string(),
                });
            }
            _ => return Err(not_web()),
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_address(&ip.to_string(), IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_address(&ip.to_string(), IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => Ok(()),
            None => Err(not_web()),
        }
    }

    /// A redirect from `from` to `to`: never from https down to http, and `to` under the
    /// same rules as a feed address.
    pub fn check_redirect(&self, from: &str, to: &str) -> Result<(), FeedRefusal> {
        let scheme = |u: &str| url::Url::parse(u).map(|u| u.scheme().to_string());
        if scheme(from).is_ok_and(|s| s == "https") && scheme(to).is_ok_and(|s| s == "http") {
            return Err(FeedRefusal::Downgrade { to: to.to_string() });
        }
        self.check_url(to)
    }

    /// An address a connection is about to be made to, found for `host`.
    pub fn check_address(&self, host: &str, addr: IpAddr) -> Result<(), FeedRefusal> {
        if self.allow_private || self.treat_as_public.contains(&addr) {
            return Ok(());
        }
        match inside_kind(addr) {
            None => Ok(()),
            Some(kind) => Err(FeedRefusal::Inside {
                host: host.to_string(),
                addr,
                kind,
            }),
        }
    }
}

/// What kind of inside address `addr` is, or None for an address on the internet.
pub fn inside_kind(addr: IpAddr) -> Option<&'static str> {
    match addr {
        IpAddr::V4(v4) => inside_kind_v4(v4),
        IpAddr::V6(v6) => inside_kind_v6(v6),
    }
}

fn inside_kind_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, d] = ip.octets();
    Some(match (a, b) {
        _ if [a, b, c, d] == [169, 254, 169, 254] => "cloud metadata",
        (0, _) => "unspecified",
        (127, _) => "loopback",
        (10, _) | (172, 16..=31) | (192, 168) => "private",
        (169, 254) => "link-local",
        (100, 64..=127) => "shared (carrier-grade NAT)",
        (192, 0) if c == 0 => "reserved",
        (198, 18..=19) => "benchmarking",
        (224..=239, _) => "multicast",
        (240..=255, _) => "reserved",
        _ => return None,
    })
}

fn inside_kind_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // An IPv4 address dressed as IPv6 reaches the same host: mapped (::ffff:a.b.c.d),
    // compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
    let segments = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = ip.to_ipv4() {
        return inside_kind_v4(v4);
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return inside_kind_v4(embedded(segments[6], segments[7]));
    }
    if segments[0] == 0x2002 {
        return inside_kind_v4(embedded(segments[1], segments[2]));
    }
    Some(match segments[0] {
        0xfc00..=0xfdff => "private",
        0xfe80..=0xfebf => "link-local",
        0xfec0..=0xfeff => "private",
        0xff00..=0xffff => "multicast",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> FeedPolicy {
        FeedPolicy::default()
    }

    #[test]
    fn inside_addresses_are_named() {
        for (addr, kind) in [
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback"),
            ("0.0.0.0", "unspecified"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "cloud metadata"),
            ("169.254.1.1", "link-local"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fd00:ec2::254", "private"),
            ("fc00::1", "private"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "cloud metadata"),
            ("::ffff:10.0.0.1", "private"),
            ("::127.0.0.1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "cloud metadata"),
            ("2002:c0a8:0101::1", "private"),
        ] {
            let ip: IpAddr = addr.parse().unwrap();
            assert_eq!(inside_kind(ip), Some(kind), "{addr}");
        }
    }

    #[test]
    fn outside_addresses_pass() {
        for addr in [
            "1.1.1.1",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "2002:0808:0808::1",
        ] {
            let ip: IpAddr = addr.parse().unwrap();
            assert_eq!(inside_kind(ip), None, "{addr}");
            assert!(strict().check_address("example.org", ip).is_ok());
        }
    }

    #[test]
    fn feed_addresses_must_be_https_and_not_inside() {
        let strict = strict();
        assert!(strict.check_url("https://example.org/feed/").is_ok());
        let http = strict.check_url("http://example.org/feed/").unwrap_err();
        assert!(http.to_string().contains("FEED_ALLOW_HTTP=true"), "{http}");
        assert!(matches!(
            strict.check_url("ftp://example.org/"),
            Err(FeedRefusal::NotWeb { .. })
        ));
        for inside in [
            "https://127.0.0.1:9898/metrics",
            "https://[::1]/",
            "https://[::ffff:7f00:1]/",
            "https://169.254.169.254/latest/meta-data/",
            // WHATWG URL parsing turns these spellings into 127.0.0.1 too.
            "https://2130706433/",
            "https://0x7f.1/",
        ] {
            let refusal = strict.check_url(inside).unwrap_err();
            assert!(
                refusal.to_string().contains("FEED_ALLOW_PRIVATE=true"),
                "{inside}: {refusal}"
            );
        }
        let message = strict
            .check_url("https://127.0.0.1:9898/metrics")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("127.0.0.1 is a loopback address"),
            "{message}"
        );
        let resolved = strict
            .check_address("intranet.example", "10.0.0.5".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            resolved.starts_with("intranet.example leads to 10.0.0.5, a private address"),
            "{resolved}"
        );

        let open = FeedPolicy::permissive();
        assert!(open.check_url("http://127.0.0.1:9898/").is_ok());
        let exempt = FeedPolicy {
            treat_as_public: vec!["127.0.0.2".parse().unwrap()],
            ..FeedPolicy::default()
        };
        assert!(exempt.check_url("https://127.0.0.2/").is_ok());
        assert!(exempt.check_url("https://127.0.0.1/").is_err());
    }

    #[test]
    fn redirects_never_leave_https() {
        let open = FeedPolicy::permissive();
        let refusal = open
            .check_redirect("https://example.org/feed", "http://example.org/feed")
            .unwrap_err();
        assert_eq!(
            refusal,
            FeedRefusal::Downgrade {
                to: "http://example.org/feed".into()
            }
        );
        assert!(
            open.check_redirect("http://example.org/feed", "https://example.org/feed")
                .is_ok()
        );
        assert!(
            open.check_redirect("http://example.org/a", "http://example.org/b")
                .is_ok()
        );
        assert!(
            strict()
                .check_redirect("https://example.org/a", "https://10.0.0.1/b")
                .is_err()
        );
    }
}
