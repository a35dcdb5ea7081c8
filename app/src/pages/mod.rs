//! One module per page. Views only: data comes from server functions in `api`.
mod accessibility;
mod errors;
mod home;

pub use accessibility::AccessibilityPage;
pub use errors::{ErrorPage, NotFoundPage};
pub use home::HomePage;
