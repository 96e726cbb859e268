//! When two feed items are the same statement. A guid is not enough: sites that move to
//! https or a new domain, or change a plugin, re-key every item, and a bot that trusts the
//! guid sends the whole archive again. The link, normalised, survives most of that.

/// The part of a statement's link that survives re-keying: host without `www.` and path
/// without a trailing slash, then the query without `utm_*` tracking parameters. The
/// scheme, the fragment and default ports are left out. None for links that cannot name
/// one statement: not an http(s) URL, or the bare site root (some feeds give every item
/// the home page as its link, and those items must not all become one).
pub fn link_identity(link: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = url.path().trim_end_matches('/');
    let query: Vec<&str> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && !is_tracking_parameter(pair))
        .collect();
    if path.is_empty() && query.is_empty() {
        return None;
    }
    let mut identity = host.to_string();
    // The port of the other scheme (http on 443) is rare enough to be kept as given.
    if let Some(port) = url.port() {
        identity.push_str(&format!(":{port}"));
    }
    identity.push_str(path);
    if !query.is_empty() {
        identity.push('?');
        identity.push_str(&query.join("&"));
    }
    Some(identity)
}

fn is_tracking_parameter(pair: &str) -> bool {
    let name = pair.split('=').next().unwrap_or_default();
    name.get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("utm_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_www_slash_tracking_and_fragment_do_not_matter() {
        let canonical = link_identity("https://example.org/news/4391").unwrap();
        assert_eq!(canonical, "example.org/news/4391");
        for same in [
            "http://example.org/news/4391",
            "https://www.example.org/news/4391/",
            "https://WWW.Example.ORG/news/4391#comments",
            "https://example.org/news/4391?utm_source=tg&UTM_Medium=x",
            "http://www.example.org:80/news/4391/?utm_campaign=a#top",
        ] {
            assert_eq!(
                link_identity(same).as_deref(),
                Some(canonical.as_str()),
                "{same}"
            );
        }
    }

    #[test]
    fn what_names_the_statement_is_kept() {
        assert_eq!(
            link_identity("https://example.org/?p=4391&utm_source=rss").as_deref(),
            Some("example.org?p=4391")
        );
        assert_ne!(
            link_identity("https://example.org/?p=4391"),
            link_identity("https://example.org/?p=4392")
        );
        assert_ne!(
            link_identity("https://example.org/a"),
            link_identity("https://example.net/a")
        );
        assert_ne!(
            link_identity("https://example.org:8443/a"),
            link_identity("https://example.org/a")
        );
        // Case in the path is the site's business.
        assert_ne!(
            link_identity("https://example.org/A"),
            link_identity("https://example.org/a")
        );
        assert_eq!(
            link_identity("https://example.org/?utm_x=1&p=1&utmost=2").as_deref(),
            Some("example.org?p=1&utmost=2")
        );
    }

    #[test]
    fn links_that_cannot_name_one_statement_have_no_identity() {
        for link in [
            "",
            "not a url",
            "/relative/path",
            "ftp://example.org/a",
            "mailto:x@example.org",
            "https://example.org",
            "https://www.example.org/",
            "https://example.org/?utm_source=x#frag",
        ] {
            assert_eq!(link_identity(link), None, "{link}");
        }
    }
}
