//! The browser's store and transport (`hydrate` only): `localStorage` through gloo-storage,
//! requests through gloo-net's fetch. Everything else is the shared engine.
use gloo_net::http::{Request, Response};
use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;

use super::client::{Transport, TransportError};
use super::protocol::*;
use super::store::{Store, StoreFull};

/// `localStorage`: about 5 MB per site, kept until the person or the browser clears it.
pub struct LocalStore;

impl Store for LocalStore {
    fn get(&self, key: &str) -> Option<String> {
        LocalStorage::raw().get_item(key).ok().flatten()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreFull> {
        // The only way `setItem` fails is the quota (QuotaExceededError).
        LocalStorage::raw()
            .set_item(key, value)
            .map_err(|_| StoreFull)
    }

    fn remove(&mut self, key: &str) {
        let _ = LocalStorage::raw().remove_item(key);
    }
}

/// Same-origin fetch to the stable sync paths; the session cookie goes along.
pub struct FetchTransport;

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, TransportError> {
    match response.status() {
        200..=299 => response.json().await.map_err(|_| TransportError::Server),
        400..=499 => match response.json::<SyncError>().await {
            Ok(err) => Err(TransportError::Rejected(err)),
            // A 4xx from something in front of us (a proxy, the body limit): try later.
            Err(_) => Err(TransportError::Server),
        },
        _ => Err(TransportError::Server),
    }
}

impl Transport for FetchTransport {
    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let response = Request::post(PUSH_PATH)
            .json(request)
            .map_err(|_| TransportError::Server)?
            .send()
            .await
            .map_err(|_| TransportError::Offline)?;
        read(response).await
    }

    /// A first pull can be hundreds of records (300 KB of JSON for a group contact with a
    /// hundred cases): read in one go it held a slow phone's main thread for ~300 ms. The page
    /// is read with its records left as text, then the records a slice at a time.
    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError> {
        let response = Request::post(PULL_PATH)
            .json(request)
            .map_err(|_| TransportError::Server)?
            .send()
            .await
            .map_err(|_| TransportError::Offline)?;
        if !response.ok() {
            return read(response).await;
        }
        let text = response.text().await.map_err(|_| TransportError::Offline)?;
        let page: PullResponse<&serde_json::value::RawValue> =
            serde_json::from_str(&text).map_err(|_| TransportError::Server)?;
        let mut records = Vec::with_capacity(page.records.len());
        for slice in page.records.chunks(RECORDS_PER_SLICE) {
            self.pause().await;
            for raw in slice {
                records.push(serde_json::from_str(raw.get()).map_err(|_| TransportError::Server)?);
            }
        }
        Ok(page.with_records(records))
    }

    async fn pause(&mut self) {
        next_task().await;
    }
}

/// Records read between two pauses: ~25 ms on a phone four times slower than a laptop.
const RECORDS_PER_SLICE: usize = 40;

/// Resolves in a new task of the page's event loop (a zero timeout), so the browser can paint
/// and answer taps in between. (`scheduler.yield()` would keep the page's place in the queue,
/// but calling it costs the main module new imports; the timeout is Leptos's, already there.)
async fn next_task() {
    let (done, wait) = futures_channel::oneshot::channel();
    leptos::prelude::set_timeout(
        move || {
            let _ = done.send(());
        },
        std::time::Duration::ZERO,
    );
    let _ = wait.await;
}

/// The engine as the app's context drives it. Everything behind it — the engine, the typed
/// records' rules and `apply`, their JSON — is loaded with [`open_device`] after the page has
/// hydrated, in its own chunk, so the first page of every visit does not carry it.
pub trait Device {
    fn user(&self) -> uuid::Uuid;
    /// Records a change made `today` (outbox first).
    fn record(
        &self,
        record: uuid::Uuid,
        op: Op,
        today: crate::domain::offer::Date,
    ) -> Result<(), StoreFull>;
    fn mark_seen(&self);
    /// Removes the person's data from the device.
    fn clear(&self);
    /// Reads the store again (another tab saved).
    fn reload(&self);
    /// Sets `view` to what the engine holds, unless it already shows exactly that.
    /// `synced`: a sync has ended since the device was opened.
    fn publish(&self, view: leptos::prelude::RwSignal<super::context::LocalView>, synced: bool);
    /// The session ended on its own at the last sync.
    fn signed_out(&self) -> bool;
    /// One sync (push, then pull), borrowing the engine only between requests.
    fn sync(self: std::rc::Rc<Self>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;
}

struct BrowserDevice(std::cell::RefCell<super::client::Engine<LocalStore>>);

impl Device for BrowserDevice {
    fn user(&self) -> uuid::Uuid {
        self.0.borrow().user()
    }

    fn record(
        &self,
        record: uuid::Uuid,
        op: Op,
        today: crate::domain::offer::Date,
    ) -> Result<(), StoreFull> {
        let mut engine = self.0.borrow_mut();
        engine.today = Some(today);
        engine.record(uuid::Uuid::new_v4(), record, op)
    }

    fn mark_seen(&self) {
        self.0.borrow_mut().mark_seen();
    }

    fn clear(&self) {
        self.0.borrow_mut().clear();
    }

    fn reload(&self) {
        self.0.borrow_mut().reload();
    }

    fn publish(&self, view: leptos::prelude::RwSignal<super::context::LocalView>, synced: bool) {
        use leptos::prelude::{Set, WithUntracked};
        let e = self.0.borrow();
        let views = e.views();
        let next = super::context::LocalView {
            ready: true,
            offers: views.offers,
            needs: views.needs,
            occasions: views.occasions,
            sign_ups: views.sign_ups,
            cases: views.cases,
            waiting: e.outbox().to_vec(),
            log: e.log().to_vec(),
            context: e.context().cloned(),
            storage_full: e.storage_full,
            update_required: e.update_required,
            signed_out: e.signed_out,
            synced,
        };
        drop(e);
        // A sync that changed nothing must not re-render the pages (and close what is open).
        if view.with_untracked(|v| *v != next) {
            view.set(next);
        }
    }

    fn signed_out(&self) -> bool {
        self.0.borrow().signed_out
    }

    fn sync(self: std::rc::Rc<Self>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
        Box::pin(async move {
            super::client::sync(&self.0, &mut FetchTransport).await;
        })
    }
}

/// Opens `user`'s data on this device (a first use gets `new_device` as its id).
#[leptos::lazy]
pub fn open_device(user: uuid::Uuid, new_device: uuid::Uuid) -> std::rc::Rc<dyn Device> {
    std::rc::Rc::new(BrowserDevice(std::cell::RefCell::new(
        super::client::Engine::open(LocalStore, user, new_device),
    )))
}
