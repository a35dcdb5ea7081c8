//! One module per page. Views only: data comes from server functions in `api`, or (offers)
//! from the device's copy in `sync::context`.
mod accessibility;
pub mod account;
pub mod admin;
pub mod cases;
mod errors;
pub mod groups;
mod home;
pub mod needs;
pub mod offers;
pub mod our_needs;
pub mod shifts;
pub mod staff_offers;

pub use accessibility::AccessibilityPage;
pub use errors::{ErrorPage, NotFoundPage};
pub use home::HomePage;
