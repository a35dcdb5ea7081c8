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

    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError> {
        let response = Request::get(&request.path())
            .send()
            .await
            .map_err(|_| TransportError::Offline)?;
        read(response).await
    }
}
