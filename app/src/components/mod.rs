//! Pieces of the page shared by every route.
mod header;
mod lang_switch;
mod network_status;

pub use header::{SiteFooter, SiteHeader};
pub use lang_switch::LangSwitch;
pub use network_status::NetworkStatus;
