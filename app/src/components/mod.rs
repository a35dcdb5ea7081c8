//! Pieces of the page shared by every route.
pub mod form;
mod header;
mod lang_switch;
mod network_status;
mod sync_status;
mod title;
pub mod user;

pub use header::{SiteFooter, SiteHeader};
pub(crate) use lang_switch::encode_path;
pub use lang_switch::LangSwitch;
pub use network_status::NetworkStatus;
pub use sync_status::{SyncProblems, WaitingChanges};
pub use title::PageTitle;
pub use user::{provide_user, use_user, user_resource, user_resource_by, NotAllowed, RequireUser};
