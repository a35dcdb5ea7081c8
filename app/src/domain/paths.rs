//! Paths of the site: where a person may be sent back to after signing in or switching
//! language (only a path on this site; checked by the server's no-JS language switch and the
//! browser's sign-in), and which pages are public.

/// `raw` if it is a local path, never another site (`//host`, `\host`, a scheme) or a header
/// injection (control characters).
pub fn local_path(raw: &str) -> Option<&str> {
    (raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control))
    .then_some(raw)
}

/// The pages that are the same for every visitor who is not signed in (per language and
/// query): what a newcomer opens first, from a poster, a shared link or a search engine.
/// Besides these, a need's own page (`/behov/{id}`), see [`is_public_page`].
pub const PUBLIC_PAGES: [&str; 6] = [
    "/",
    "/registrera",
    "/logga-in",
    "/behov",
    "/tillganglighet",
    "/integritet",
];

/// Whether `path` is a public page. The server keeps such a page rendered for visitors who are
/// not signed in, and such a visitor's browser starts the app there only when they begin to
/// use the page (the page is complete and readable without it).
pub fn is_public_page(path: &str) -> bool {
    PUBLIC_PAGES.contains(&path)
        || path
            .strip_prefix("/behov/")
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
}

#[cfg(test)]
mod tests {
    use super::{is_public_page, local_path};

    #[test]
    fn the_public_pages_are_the_newcomers_pages_and_a_needs_page() {
        for page in [
            "/",
            "/registrera",
            "/logga-in",
            "/behov",
            "/tillganglighet",
            "/integritet",
        ] {
            assert!(is_public_page(page), "{page}");
        }
        assert!(is_public_page(
            "/behov/0190a8f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"
        ));
        for private in [
            "/behov/mina",
            "/behov/ny",
            "/behov/andra",
            "/start",
            "/personal/behov",
            "/arenden/0190a8f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
            "/registrera/",
            "",
        ] {
            assert!(!is_public_page(private), "{private}");
        }
    }

    #[test]
    fn only_a_path_on_this_site_is_a_return_target() {
        assert_eq!(local_path("/tillganglighet"), Some("/tillganglighet"));
        assert_eq!(
            local_path("/inbjudan/K7MQ2XPD9R"),
            Some("/inbjudan/K7MQ2XPD9R")
        );
        assert_eq!(local_path("//evil.example/"), None);
        assert_eq!(local_path("https://evil.example/"), None);
        assert_eq!(local_path("/\\evil.example"), None);
        assert_eq!(local_path("/a\r\nSet-Cookie: x"), None);
        assert_eq!(local_path(""), None);
    }
}
