//! Form pieces shared by every page: labelled fields with their messages beside them, choice
//! lists, the summary at the top, and the translation of message keys.
//!
//! A form keeps what was typed in signals; the browser runs the shared `domain::forms`
//! validation before sending, the server runs it again, and both answers land in one
//! [`FormState`] so that messages appear beside the field whichever side found the problem.
use std::collections::BTreeMap;

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::i18n::*;
use leptos_i18n::I18nContext;

/// A translated text as a signal, re-read when the language changes.
#[macro_export]
macro_rules! text {
    ($i18n:ident, $($key:tt)+) => {
        ::leptos::prelude::Signal::derive(move || $crate::i18n::t_string!($i18n, $($key)+).to_string())
    };
}

/// The messages a form shows: per field, and one for the whole form.
#[derive(Clone, Copy)]
pub struct FormState {
    pub fields: RwSignal<BTreeMap<String, Vec<String>>>,
    pub general: RwSignal<Option<AppError>>,
}

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

impl FormState {
    pub fn new() -> Self {
        Self {
            fields: RwSignal::new(BTreeMap::new()),
            general: RwSignal::new(None),
        }
    }

    /// The browser's own check: shows its messages and says whether to send.
    pub fn check<T>(&self, result: Result<T, FieldErrors>) -> Option<T> {
        match result {
            Ok(value) => {
                self.clear();
                Some(value)
            }
            Err(errors) => {
                self.fields.set(errors.0.clone());
                self.general.set(Some(AppError::Validation(errors.0)));
                focus_first_error();
                None
            }
        }
    }

    /// The server's answer: field messages beside the fields, the rest at the top.
    pub fn show(&self, err: AppError) {
        match &err {
            AppError::Validation(fields) => self.fields.set(fields.clone()),
            _ => self.fields.set(BTreeMap::new()),
        }
        self.general.set(Some(err));
        focus_first_error();
    }

    pub fn clear(&self) {
        self.fields.set(BTreeMap::new());
        self.general.set(None);
    }

    pub fn field(&self, name: &str) -> Vec<String> {
        self.fields
            .with(|f| f.get(name).cloned().unwrap_or_default())
    }
}

/// Watches a server action's answer: `on_ok` with a success, the messages on the form with an
/// error (typed values stay where they are). Only the answer is tracked: whatever `on_ok` reads
/// does not make it run again.
pub fn on_answer<T>(
    value: MappedSignal<Option<Result<T, AppError>>>,
    form: FormState,
    on_ok: impl Fn(T) + 'static,
) where
    T: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| match value.get() {
        Some(Ok(answer)) => untrack(|| on_ok(answer)),
        Some(Err(err)) => untrack(|| form.show(err)),
        None => {}
    });
}

/// Moves focus to the first field with a message (or the summary), as a screen reader user
/// would otherwise not know where to go.
fn focus_first_error() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        let target = document()
            .query_selector("[aria-invalid=\"true\"], .form-summary")
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = target {
            let _ = el.focus();
        }
    });
}

/// Directive for a text control (`use:typed=move |v| value.set(v)`, before its `bind:value`):
/// what the person typed into the server-rendered control before the page's code arrived.
///
/// The page is usable as soon as its HTML is shown, but its code (the main module, then the
/// page's own split chunk) takes over later. Hydration sets every bound control from its
/// signal, which would wipe what was typed in between; this runs first, on the same element,
/// and hands its value to the signal if the person changed it (it differs from the value the
/// server rendered). A control that is built in the browser (after a navigation) is not yet
/// in the document and has nothing typed: then it does nothing.
pub fn typed<F: Fn(String) + Clone + 'static>(el: leptos::web_sys::Element, keep: F) {
    if let Some(value) = changed(&el, "value", "defaultValue").and_then(|v| v.as_string()) {
        keep(value);
    }
}

/// Directive for a check box or radio button (`use:ticked=move |on| …`): whether the person
/// ticked it before the page's code arrived (see [`typed`]).
pub fn ticked<F: Fn(bool) + Clone + 'static>(el: leptos::web_sys::Element, keep: F) {
    if let Some(on) = changed(&el, "checked", "defaultChecked").and_then(|v| v.as_bool()) {
        keep(on);
    }
}

/// A control's `property` if it is already in the document (hydration) and the person changed
/// it from what the server rendered (its `default` property), else nothing.
fn changed(
    el: &leptos::web_sys::Element,
    property: &str,
    default: &str,
) -> Option<leptos::wasm_bindgen::JsValue> {
    #[cfg(feature = "hydrate")]
    if el.is_connected() {
        use leptos::web_sys::js_sys::Reflect;
        let now = Reflect::get(el, &property.into()).ok()?;
        let rendered = Reflect::get(el, &default.into()).ok()?;
        return (now != rendered).then_some(now);
    }
    let _ = (el, property, default);
    None
}

/// The translated message for a key from `domain::forms` or the server.
pub fn message(i18n: I18nContext<Locale>, key: &str) -> String {
    let text: &str = match key {
        "required" => t_string!(i18n, errors.required),
        "too_long" => t_string!(i18n, errors.too_long),
        "tag_too_long" => t_string!(i18n, errors.tag_too_long),
        "control_character" => t_string!(i18n, errors.control_character),
        "bidi_control" => t_string!(i18n, errors.bidi_control),
        "too_many" => t_string!(i18n, errors.too_many),
        "choose_one" => t_string!(i18n, errors.choose_one),
        "unknown_choice" => t_string!(i18n, errors.unknown_choice),
        "password_too_short" => t_string!(i18n, errors.password_too_short),
        "privacy_required" => t_string!(i18n, errors.privacy_required),
        "contact_taken" => t_string!(i18n, errors.contact_taken),
        "email_or_phone_required" => t_string!(i18n, errors.email_or_phone_required),
        "credentials" => t_string!(i18n, errors.credentials),
        "password_wrong" => t_string!(i18n, errors.password_wrong),
        "invite_invalid" => t_string!(i18n, errors.invite_invalid),
        "org_number_taken" => t_string!(i18n, errors.org_number_taken),
        "malformed" => t_string!(i18n, errors.malformed),
        "email_empty" => t_string!(i18n, errors.email_empty),
        "email_missing_at" => t_string!(i18n, errors.email_missing_at),
        "email_invalid_local_part" => t_string!(i18n, errors.email_invalid_local_part),
        "email_invalid_domain" => t_string!(i18n, errors.email_invalid_domain),
        "email_too_long" => t_string!(i18n, errors.email_too_long),
        "phone_empty" => t_string!(i18n, errors.phone_empty),
        "phone_invalid_characters" => t_string!(i18n, errors.phone_invalid_characters),
        "phone_missing_prefix" => t_string!(i18n, errors.phone_missing_prefix),
        "phone_too_short" => t_string!(i18n, errors.phone_too_short),
        "phone_too_long" => t_string!(i18n, errors.phone_too_long),
        "org_number_empty" => t_string!(i18n, errors.org_number_empty),
        "org_number_invalid_characters" => t_string!(i18n, errors.org_number_invalid_characters),
        "org_number_wrong_length" => t_string!(i18n, errors.org_number_wrong_length),
        "org_number_wrong_prefix" => t_string!(i18n, errors.org_number_wrong_prefix),
        "org_number_personnummer" => t_string!(i18n, errors.org_number_personnummer),
        "org_number_not_an_organisation" => {
            t_string!(i18n, errors.org_number_not_an_organisation)
        }
        "org_number_check_digit" => t_string!(i18n, errors.org_number_check_digit),
        "last_contact" => t_string!(i18n, errors.last_contact),
        "storage_full" => t_string!(i18n, errors.storage_full),
        "date_invalid" => t_string!(i18n, errors.date_invalid),
        "time_invalid" => t_string!(i18n, errors.time_invalid),
        "same_time" => t_string!(i18n, errors.same_time),
        "window_required" => t_string!(i18n, errors.window_required),
        "until_before_from" => t_string!(i18n, errors.until_before_from),
        "duplicate" => t_string!(i18n, errors.duplicate),
        "amount_positive" => t_string!(i18n, errors.amount_positive),
        "amount_over_max" => t_string!(i18n, errors.amount_over_max),
        "amount_invalid" => t_string!(i18n, errors.amount_invalid),
        "payee_not_contact" => t_string!(i18n, errors.payee_not_contact),
        "amount_over_request" => t_string!(i18n, errors.amount_over_request),
        "amount_over_year" => t_string!(i18n, errors.amount_over_year),
        "case_not_now" => t_string!(i18n, errors.case_not_now),
        "case_changed" => t_string!(i18n, errors.case_changed),
        "year_below_request" => t_string!(i18n, errors.year_below_request),
        "kind_closed" => t_string!(i18n, errors.kind_closed),
        "people_range" => t_string!(i18n, errors.people_range),
        "date_past" => t_string!(i18n, errors.date_past),
        "untrimmed" => t_string!(i18n, errors.untrimmed),
        "hours_invalid" => t_string!(i18n, errors.hours_invalid),
        "end_before_start" => t_string!(i18n, errors.end_before_start),
        "recurrence_too_long" => t_string!(i18n, errors.recurrence_too_long),
        "except_outside" => t_string!(i18n, errors.except_outside),
        "too_many_dates" => t_string!(i18n, errors.too_many_dates),
        "too_many_shifts" => t_string!(i18n, errors.too_many_shifts),
        "places_positive" => t_string!(i18n, errors.places_positive),
        "places_range" => t_string!(i18n, errors.places_range),
        "duplicate_shift" => t_string!(i18n, errors.duplicate_shift),
        "no_future_occasion" => t_string!(i18n, errors.no_future_occasion),
        "hours_positive" => t_string!(i18n, errors.hours_positive),
        "hours_range" => t_string!(i18n, errors.hours_range),
        "hours_over_shift" => t_string!(i18n, errors.hours_over_shift),
        "occasion_closed" => t_string!(i18n, errors.occasion_closed),
        "occasion_past" => t_string!(i18n, errors.occasion_past),
        "already_signed_up" => t_string!(i18n, errors.already_signed_up),
        "shift_full" => t_string!(i18n, errors.shift_full),
        "occasion_started" => t_string!(i18n, errors.occasion_started),
        "occasion_not_started" => t_string!(i18n, errors.occasion_not_started),
        "places_below_taken" => t_string!(i18n, errors.places_below_taken),
        _ => t_string!(i18n, errors.internal),
    };
    text.to_owned()
}

/// The message for an error as a whole (the summary at the top of a form).
pub fn summary(i18n: I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Validation(fields) => {
            // A message about the whole form (wrong credentials, unreadable request) is the summary.
            match fields.get("form").or_else(|| fields.get("request")) {
                Some(keys) => keys
                    .iter()
                    .map(|k| match k.as_str() {
                        // Closing an account as a group's only contact: name the groups.
                        "last_contact_of" => format!(
                            "{} {}. {}",
                            t_string!(i18n, errors.last_contact_of),
                            fields
                                .get("groups")
                                .map(|g| g.join(", "))
                                .unwrap_or_default(),
                            t_string!(i18n, errors.last_contact_hint)
                        ),
                        k => message(i18n, k),
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                None => t_string!(i18n, common.fix_errors).to_owned(),
            }
        }
        AppError::NotFound => t_string!(i18n, errors.not_found).to_owned(),
        AppError::Unauthorized => t_string!(i18n, errors.unauthorized).to_owned(),
        AppError::Forbidden => t_string!(i18n, errors.forbidden).to_owned(),
        AppError::Conflict(key) if key == "last_contact" => message(i18n, key),
        AppError::Conflict(_) => t_string!(i18n, errors.conflict).to_owned(),
        AppError::TooManyRequests { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60).max(1);
            format!("{} {minutes} min.", t_string!(i18n, errors.throttled))
        }
        AppError::Internal => t_string!(i18n, errors.internal).to_owned(),
        AppError::Network => t_string!(i18n, errors.network).to_owned(),
    }
}

/// The message box at the top of a form; announced when it appears.
#[component]
pub fn FormSummary(form: FormState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        form.general.get().map(|err| {
            view! {
                <div class="notice notice--error form-summary" role="alert" tabindex="-1">
                    {summary(i18n, &err)}
                </div>
            }
        })
    }
}

/// The messages for one field, under it, tied to it with `aria-describedby`.
#[component]
fn FieldMessages(form: FormState, name: &'static str, dom_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{dom_id}-error");
    move || {
        let keys = form.field(name);
        (!keys.is_empty()).then(|| {
            view! {
                <p class="field__error" id=id.clone()>
                    {keys.iter().map(|k| message(i18n, k)).collect::<Vec<_>>().join(" ")}
                </p>
            }
        })
    }
}

fn described_by(
    form: FormState,
    name: &'static str,
    dom_id: String,
    hint: bool,
) -> impl Fn() -> Option<String> {
    move || {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{dom_id}-hint"));
        }
        if !form.field(name).is_empty() {
            ids.push(format!("{dom_id}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A labelled text input (or text area) with its hint and messages.
#[component]
pub fn TextField(
    form: FormState,
    /// The field's name in the form (and in the server's messages); also its id.
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// The element's id when `name` alone is not unique on the page (several forms).
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let has_hint = hint.is_some();
    let dom_id = id.unwrap_or_else(|| name.to_owned());
    let invalid = move || (!form.field(name).is_empty()).then_some("true");
    let input = if multiline {
        view! {
            <textarea
                id=dom_id.clone()
                name=name
                rows="4"
                required=required
                aria-invalid=invalid
                aria-describedby=described_by(form, name, dom_id.clone(), has_hint)
                use:typed=move |v| value.set(v)
                bind:value=value
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=dom_id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                aria-invalid=invalid
                aria-describedby=described_by(form, name, dom_id.clone(), has_hint)
                value=value.get_untracked()
                use:typed=move |v| value.set(v)
                bind:value=value
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=dom_id.clone()>
                {label} {required.then(|| view! { <span class="field__required" aria-hidden="true">" *"</span> })}
            </label>
            {hint.map(|hint| view! { <p class="field__hint" id=format!("{dom_id}-hint")>{hint}</p> })}
            {input}
            <FieldMessages form name dom_id=dom_id.clone() />
        </div>
    }
}

/// Check boxes for choosing several (districts, priority areas), in a fieldset.
#[component]
pub fn ChoiceList(
    form: FormState,
    name: &'static str,
    #[prop(into)] legend: Signal<String>,
    /// (id, label) in display order.
    #[prop(into)]
    options: Signal<Vec<(Uuid, String)>>,
    selected: RwSignal<Vec<Uuid>>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let toggle = move |id: Uuid, on: bool| {
        selected.update(|s| {
            s.retain(|x| *x != id);
            if on {
                s.push(id);
            }
        })
    };
    let items = move || {
        options
            .get()
            .into_iter()
            .map(|(id, label)| {
                let input_id = format!("{name}-{id}");
                view! {
                    <li>
                        <input
                            type="checkbox"
                            id=input_id.clone()
                            name=name
                            value=id.to_string()
                            checked=selected.with_untracked(|s| s.contains(&id))
                            use:ticked=move |on| toggle(id, on)
                            prop:checked=move || selected.with(|s| s.contains(&id))
                            on:change=move |ev| toggle(id, event_target_checked(&ev))
                        />
                        <label for=input_id>{label}</label>
                    </li>
                }
            })
            .collect_view()
    };
    view! { <Choices form name legend required>{items}</Choices> }
}

/// Radio buttons for choosing one.
#[component]
pub fn RadioList(
    form: FormState,
    name: &'static str,
    #[prop(into)] legend: Signal<String>,
    /// (value, label) in display order.
    options: Vec<(&'static str, Signal<String>)>,
    value: RwSignal<String>,
) -> impl IntoView {
    let items = options
        .into_iter()
        .map(|(option, label)| {
            let input_id = format!("{name}-{option}");
            view! {
                <li>
                    <input
                        type="radio"
                        id=input_id.clone()
                        name=name
                        value=option
                        checked=value.with_untracked(|v| v == option)
                        use:ticked=move |on| if on { value.set(option.to_owned()) }
                        prop:checked=move || value.with(|v| v == option)
                        on:change=move |_| value.set(option.to_owned())
                    />
                    <label for=input_id>{label}</label>
                </li>
            }
        })
        .collect_view();
    view! { <Choices form name legend required=true>{items}</Choices> }
}

/// The fieldset around a list of check boxes or radio buttons, with its legend and messages.
#[component]
fn Choices(
    form: FormState,
    name: &'static str,
    legend: Signal<String>,
    required: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <fieldset
            class="field choices"
            id=name
            aria-invalid=move || (!form.field(name).is_empty()).then_some("true")
            aria-describedby=described_by(form, name, name.to_owned(), false)
            tabindex="-1"
        >
            <legend>
                {legend} {required.then(|| view! { <span class="field__required" aria-hidden="true">" *"</span> })}
            </legend>
            <ul class="choices__list">{children()}</ul>
            <FieldMessages form name dom_id=name.to_owned() />
        </fieldset>
    }
}

/// A single check box (accepting the privacy notice) with its message.
#[component]
pub fn CheckField(
    form: FormState,
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    checked: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="field field--check">
            <input
                type="checkbox"
                id=name
                name=name
                aria-invalid=move || (!form.field(name).is_empty()).then_some("true")
                aria-describedby=described_by(form, name, name.to_owned(), false)
                checked=checked.get_untracked()
                use:ticked=move |on| checked.set(on)
                bind:checked=checked
            />
            <label for=name>{label} <span class="field__required" aria-hidden="true">" *"</span></label>
            <FieldMessages form name dom_id=name.to_owned() />
        </div>
    }
}

/// The submit button; says it is working while the request is out.
#[component]
pub fn Submit(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button class="button" type="submit" aria-disabled=move || pending.get().then_some("true")>
            {move || if pending.get() { t_string!(i18n, common.saving).to_owned() } else { label.get() }}
        </button>
    }
}
