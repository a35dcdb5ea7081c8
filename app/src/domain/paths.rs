//! Where a person may be sent back to after signing in or switching language: only a path on
//! this site. Checked by the server (the no-JS language switch) and the browser (sign-in).

/// `raw` if it is a local path, never another site (`//host`, `\host`, a scheme) or a header
/// injection (control characters).
pub fn local_path(raw: &str) -> Option<&str> {
    (raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control))
    .then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::local_path;

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
