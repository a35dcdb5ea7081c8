//! The page's `<title>`, in the chosen language.
//!
//! On the server the text is read once, while the page renders, and handed to `leptos_meta`
//! as a plain string. `leptos_meta` reads a title's text only later, when it injects the head
//! into the response (`ServerMetaContextOutput::inject_meta_context`), on another task than
//! the render. Reading the i18n signal there raced with the render under load: the signal's
//! lock was taken by the render and the read panicked with "Tried to access a reactive value
//! that has already been disposed" (about 2% of home-page requests with 32 connections). In
//! the browser the title stays reactive, so switching language in place retitles the page.
//!
//! Every page has one, so it also says when the page's own code has taken over: the page's
//! chunk may arrive after the header's, and only then do its forms answer. Right after the
//! page hydrates (or is built after a navigation) `<html data-page>` is set to its path; the
//! end-to-end tests wait for it.
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PageTitle(
    /// The title's text; read in the render on the server, tracked in the browser.
    text: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let text = {
        let now = text();
        move || now.clone()
    };
    // The router's path: after a navigation the browser's address changes only once the new
    // page is in place.
    #[cfg(feature = "hydrate")]
    {
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        Effect::new(move |_| {
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-page", &path);
            }
        });
    }
    view! { <Title text=text /> }
}
