//! Samverka's server: configuration, start-up and the HTTP surface around the Leptos app.
//!
//! # Layout
//! - [`startup`] — builds the axum router (pages, server functions, `/healthz`, the no-JS
//!   language switch, static files) and runs it until a shutdown signal.
//! - [`page_cache`] — the public pages kept rendered for visitors not signed in.
//! - [`static_files`] — the app's own files (`/pkg`, icons) from memory, precompressed, cached.
//! - [`service_worker`] — `/sw.js` with this build's cache name and file list.
//! - [`telemetry`] — `tracing` set-up.
//! - `main.rs` — reads the command line and the environment, prints the URL, runs.
//!
//! Everything the browser also runs (pages, domain rules, server functions) is in the `app`
//! crate; this crate only wires it to the network.
#![recursion_limit = "512"]

pub mod page_cache;
pub mod service_worker;
pub mod startup;
pub mod static_files;
pub mod telemetry;
