//! The device's sync state for the views: a Leptos context holding the engine (in the browser)
//! and a plain copy of what the pages show.
//!
//! The server renders every page with an empty, "not read yet" [`LocalView`], and the browser
//! hydrates with the same; only then is `localStorage` read. So the HTML never depends on
//! browser storage and hydration never mismatches.
use leptos::prelude::*;
use uuid::Uuid;

use super::client::{CaseView, NeedView, OccasionView, OfferView, Settled, SignUpView};
use super::protocol::{Change, Context, Op};
use super::store::StoreFull;

/// What the pages show of the device's data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalView {
    /// The device's data has been read (never on the server).
    pub ready: bool,
    pub offers: Vec<OfferView>,
    pub needs: Vec<NeedView>,
    pub occasions: Vec<OccasionView>,
    pub sign_ups: Vec<SignUpView>,
    /// The cases of my groups (the municipality's handling of what they asked).
    pub cases: Vec<CaseView>,
    pub waiting: Vec<Change>,
    pub log: Vec<Settled>,
    pub context: Option<Context>,
    pub storage_full: bool,
    pub update_required: bool,
    pub signed_out: bool,
    /// A sync has ended (answered or not) since the device's data was opened. On a phone that
    /// has nothing yet, the pages wait for it instead of showing "nothing here" first.
    pub synced: bool,
}

#[derive(Clone, Copy)]
pub struct SyncContext {
    pub view: RwSignal<LocalView>,
    /// The open device, once its chunk has loaded (see [`super::browser::Device`]).
    #[cfg(feature = "hydrate")]
    engine: StoredValue<Option<std::rc::Rc<dyn super::browser::Device>>, LocalStorage>,
    /// Whose data is being opened or is open (`None`: nobody's).
    #[cfg(feature = "hydrate")]
    opened_for: StoredValue<Option<Option<Uuid>>>,
    /// A sync is out right now (then a request for another one sets `again`).
    #[cfg(feature = "hydrate")]
    syncing: StoredValue<bool>,
    #[cfg(feature = "hydrate")]
    again: StoredValue<bool>,
    /// A sync has ended since the device was opened (see [`LocalView::synced`]).
    #[cfg(feature = "hydrate")]
    synced: StoredValue<bool>,
}

/// Now, in Unix seconds, by this device's clock (the server's on the server).
pub fn now_unix() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

pub fn use_sync() -> SyncContext {
    expect_context::<SyncContext>()
}

/// False while this part of the page is rendered on the server or hydrated, true right after.
/// Views that show the device's data wait for it: a part hydrated late (inside a `Suspense`)
/// may otherwise find the data already read and not match the server's HTML.
pub fn hydrated() -> ReadSignal<bool> {
    let (done, set_done) = signal(false);
    Effect::new(move |_| set_done.set(true));
    done
}

/// Provided once by the app. In the browser it opens the signed-in person's data after
/// hydration, and syncs when the network comes back, every half minute while changes wait,
/// and after each change.
pub fn provide_sync() {
    let sync = SyncContext {
        view: RwSignal::new(LocalView::default()),
        #[cfg(feature = "hydrate")]
        engine: StoredValue::new_local(None),
        #[cfg(feature = "hydrate")]
        opened_for: StoredValue::new(None),
        #[cfg(feature = "hydrate")]
        syncing: StoredValue::new(false),
        #[cfg(feature = "hydrate")]
        again: StoredValue::new(false),
        #[cfg(feature = "hydrate")]
        synced: StoredValue::new(false),
    };
    provide_context(sync);

    #[cfg(feature = "hydrate")]
    {
        let user = crate::components::use_user();
        Effect::new(move |_| {
            let me = user.0.get().and_then(|r| r.ok()).flatten();
            sync.open(me.map(|me| me.id));
        });
        let online = window_event_listener(leptos::ev::online, move |_| sync.sync_now());
        // Another tab changed the stored data (recorded, sent, pulled): show it here too.
        let other_tab = window_event_listener(leptos::ev::storage, move |_| {
            if let Some(engine) = sync.engine.get_value() {
                engine.reload();
                sync.publish();
            }
        });
        let timer = set_interval_with_handle(
            move || {
                if !sync.view.with_untracked(|v| v.waiting.is_empty()) {
                    sync.sync_now();
                }
            },
            std::time::Duration::from_secs(30),
        );
        on_cleanup(move || {
            online.remove();
            other_tab.remove();
            if let Ok(timer) = timer {
                timer.clear();
            }
        });
    }
}

/// Tells the service worker to forget every page it kept (they show the person's name and
/// data). The app's own files stay cached; they hold nobody's data.
#[cfg(feature = "hydrate")]
fn forget_kept_pages() {
    if let Some(worker) = window().navigator().service_worker().controller() {
        let _ = worker.post_message(&wasm_bindgen::JsValue::from_str("signed-out"));
    }
}

impl SyncContext {
    /// Records a change (outbox first, then the view) and sends it when it can.
    pub fn record(&self, record: Uuid, op: impl Into<Op>) -> Result<(), StoreFull> {
        #[cfg(feature = "hydrate")]
        {
            let Some(engine) = self.engine.get_value() else {
                return Err(StoreFull);
            };
            let today = crate::domain::offer::Date::at_unix(now_unix());
            let result = engine.record(record, op.into(), today);
            self.publish();
            if result.is_ok() {
                self.sync_now();
            }
            result
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (record, op.into());
            Err(StoreFull)
        }
    }

    /// The person has seen the list of changes (refusals stop being announced).
    pub fn mark_seen(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(engine) = self.engine.get_value() {
            engine.mark_seen();
            self.publish();
        }
    }

    /// Removes the person's data from this device (signing out on a shared phone): their
    /// copy, outbox and log, and the pages the service worker kept (they show the person's
    /// name and data). The app's own files stay cached; they hold nobody's data.
    pub fn clear_local(&self) {
        #[cfg(feature = "hydrate")]
        {
            if let Some(engine) = self.engine.get_value() {
                engine.clear();
                self.engine.set_value(None);
            }
            self.opened_for.set_value(Some(None));
            forget_kept_pages();
        }
        self.view.set(LocalView {
            ready: true,
            synced: true,
            ..LocalView::default()
        });
    }

    /// Pushes and pulls now (or right after the sync already out).
    pub fn sync_now(&self) {
        #[cfg(feature = "hydrate")]
        {
            let Some(engine) = self.engine.get_value() else {
                return;
            };
            if self.syncing.get_value() {
                self.again.set_value(true);
                return;
            }
            let this = *self;
            this.syncing.set_value(true);
            leptos::task::spawn_local(async move {
                loop {
                    this.again.set_value(false);
                    engine.clone().sync().await;
                    this.synced.set_value(true);
                    if engine.signed_out() {
                        // The session ended on its own: the engine kept only the unsent
                        // changes; the kept pages show the person too.
                        forget_kept_pages();
                    }
                    this.publish();
                    if !this.again.get_value() {
                        break;
                    }
                }
                this.syncing.set_value(false);
            });
        }
    }

    #[cfg(feature = "hydrate")]
    fn open(&self, user: Option<Uuid>) {
        if self.opened_for.get_value() == Some(user) {
            return;
        }
        self.opened_for.set_value(Some(user));
        self.engine.set_value(None);
        self.synced.set_value(false);
        let Some(user) = user else {
            self.publish();
            return;
        };
        let this = *self;
        leptos::task::spawn_local(async move {
            let device = super::browser::open_device(user, Uuid::new_v4()).await;
            // Someone else signed in meanwhile: theirs is being opened.
            if this.opened_for.get_value() != Some(Some(user)) {
                return;
            }
            this.engine.set_value(Some(device));
            this.publish();
            this.sync_now();
        });
    }

    /// Copies the engine's state into the view.
    #[cfg(feature = "hydrate")]
    fn publish(&self) {
        match self.engine.get_value() {
            Some(engine) => engine.publish(self.view, self.synced.get_value()),
            None => self.view.set(LocalView {
                ready: true,
                synced: true,
                ..LocalView::default()
            }),
        }
    }
}
