//! One module per page. Views only: data comes from server functions in `api`.
mod accessibility;
pub mod account;
pub mod admin;
mod errors;
pub mod groups;
mod home;

pub use accessibility::AccessibilityPage;
pub use errors::{ErrorPage, NotFoundPage};
pub use home::HomePage;
