//! What the device has not sent yet, in the header, and the sync problems a person must know
//! about (a full phone, an outdated app, an ended session), under it.
use leptos::prelude::*;

use crate::i18n::*;
use crate::sync::context::{hydrated, use_sync};

/// "2 changes waiting to be sent", linking to the list; nothing when all is sent.
#[component]
pub fn WaitingChanges() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let hydrated = hydrated();
    let count = move || {
        if hydrated.get() {
            sync.view
                .with(|v| if v.ready { v.waiting.len() } else { 0 })
        } else {
            0
        }
    };
    view! {
        <p class="waiting" role="status" data-testid="waiting" data-count=move || count().to_string()>
            {move || (count() > 0).then(|| {
                let n = count();
                view! {
                    <a href="/andringar">
                        {move || if n == 1 {
                            t_string!(i18n, sync.one_waiting).to_owned()
                        } else {
                            format!("{n} {}", t_string!(i18n, sync.many_waiting))
                        }}
                    </a>
                }
            })}
        </p>
    }
}

/// Problems that stop sending, each saying what to do. The changes stay on the device.
#[component]
pub fn SyncProblems() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let hydrated = hydrated();
    let reload = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().location().reload();
    };
    view! {
        {move || {
            let refused = if hydrated.get() { sync.view.with(|v| v.log.iter().filter(|s| !s.seen).count()) } else { 0 };
            (refused > 0).then(|| view! {
                <p class="notice notice--error banner" role="alert" data-testid="refused">
                    {move || if refused == 1 {
                        t_string!(i18n, sync.one_refused).to_owned()
                    } else {
                        format!("{refused} {}", t_string!(i18n, sync.many_refused))
                    }}
                    " " <a href="/andringar">{t!(i18n, sync.see_why)}</a>
                </p>
            })
        }}
        {move || (hydrated.get() && sync.view.with(|v| v.storage_full)).then(|| view! {
            <p class="notice notice--error banner" role="alert" data-testid="storage-full">{t!(i18n, sync.storage_full)}</p>
        })}
        {move || (hydrated.get() && sync.view.with(|v| v.update_required)).then(|| view! {
            <div class="notice notice--error banner" role="alert" data-testid="update-required">
                <p>{t!(i18n, sync.update_required)}</p>
                <button class="button" type="button" on:click=reload>{t!(i18n, sync.reload)}</button>
            </div>
        })}
        {move || (hydrated.get() && sync.view.with(|v| v.signed_out && !v.waiting.is_empty())).then(|| view! {
            <p class="notice notice--error banner" role="alert">
                {t!(i18n, sync.signed_out)} " " <a href="/logga-in?tillbaka=/andringar">{t!(i18n, nav.sign_in)}</a>
            </p>
        })}
    }
}
