//! Online/offline state in the header.
//!
//! The server cannot know whether the phone has signal, so it renders "checking"; after
//! hydration the browser's own `navigator.onLine` and its `online`/`offline` events take over.
use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn NetworkStatus() -> impl IntoView {
    let i18n = use_i18n();
    let online = RwSignal::new(None::<bool>);

    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| online.set(Some(window().navigator().on_line())));
        let up = window_event_listener(leptos::ev::online, move |_| online.set(Some(true)));
        let down = window_event_listener(leptos::ev::offline, move |_| online.set(Some(false)));
        on_cleanup(move || {
            up.remove();
            down.remove();
        });
    }

    let state = move || match online.get() {
        None => "unknown",
        Some(true) => "online",
        Some(false) => "offline",
    };
    let label = move || match online.get() {
        None => t_string!(i18n, network.checking),
        Some(true) => t_string!(i18n, network.online),
        Some(false) => t_string!(i18n, network.offline),
    };
    view! {
        <p class="net-status" role="status" data-state=state data-testid="net-status">
            <span class="net-status__dot" aria-hidden="true"></span>
            <span>{label}</span>
        </p>
    }
}
