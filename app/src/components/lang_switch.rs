//! The visible language switch.
//!
//! It is a plain link to `/sprak/{code}` that the server answers by setting the language cookie
//! and sending the person back, so it works before the wasm has loaded and without JavaScript.
//! Once hydrated, a click switches in place (the i18n context writes the same cookie).
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::*;

/// The locale the switch offers: the one not in use.
pub fn other_locale(current: Locale) -> Locale {
    match current {
        Locale::sv => Locale::en,
        Locale::en => Locale::sv,
    }
}

#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let target = move || other_locale(i18n.get_locale());
    let href = move || {
        let back = location.pathname.get();
        format!(
            "/sprak/{}?tillbaka={}",
            target().as_str(),
            encode_path(&back)
        )
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        i18n.set_locale(target());
    };
    view! {
        <a
            class="lang-switch"
            href=href
            hreflang=move || target().as_str()
            lang=move || target().as_str()
            title=move || t_string!(i18n, lang.switch_hint)
            data-testid="lang-switch"
            on:click=on_click
        >
            {t!(i18n, lang.other_name)}
        </a>
    }
}

/// Percent-encodes the few characters that matter in a query value of a local path.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '/' | '-' | '_' | '.' | '~' => out.push(c),
            other => {
                let mut buf = [0u8; 4];
                for b in other.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_the_language_not_in_use() {
        assert_eq!(other_locale(Locale::sv), Locale::en);
        assert_eq!(other_locale(Locale::en), Locale::sv);
    }

    #[test]
    fn encodes_query_breaking_characters_in_the_return_path() {
        assert_eq!(encode_path("/tillganglighet"), "/tillganglighet");
        assert_eq!(encode_path("/a b?c=d&e#f"), "/a%20b%3Fc%3Dd%26e%23f");
        assert_eq!(encode_path("/älta"), "/%C3%A4lta");
    }
}
