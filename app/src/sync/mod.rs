//! Offline-first sync: the wire protocol, the one shared `apply`, and the device's engine.
//!
//! # Layout
//! - [`protocol`] — what travels: changes with device-made ids and per-device numbers, pull
//!   pages by server cursor, and the reasons for refusing.
//! - [`apply`] — the one function deciding what a change does to a record; the server runs it
//!   to decide, the browser to show the result before the server has seen it.
//! - [`store`], [`client`] — the device's copy, outbox and log over any key → text store, and
//!   the driver that pushes and pulls over any transport (browser fetch, or the simulator's
//!   faulty one in `server/tests`).
//! - [`context`] — the Leptos context the pages read: the engine (browser only) and a plain
//!   copy of what to show, empty until hydration has happened.
//! - `browser` (`hydrate` only) — the store and transport the engine runs over in the
//!   browser: `localStorage` via gloo-storage, fetch via gloo-net; and `open_device`, which
//!   loads the engine (with every kind's JSON, rules and `apply`) as its own wasm chunk after
//!   the page has hydrated, so the first page of a visit does not carry it.
//!
//! The server's side is `api::sync` (HTTP) over `db::sync` (SQL). `docs/SYNC.md` has the whole
//! protocol and its failure cases.
pub mod apply;
pub mod client;
pub mod context;
pub mod kinds;
pub mod protocol;
pub mod store;

#[cfg(feature = "hydrate")]
pub mod browser;
