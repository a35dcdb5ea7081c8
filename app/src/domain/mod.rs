//! Pure types and rules shared by the server and the browser. No I/O here.
pub mod reference;

pub use reference::{District, LocalizedText, PriorityArea, ReferenceData};
pub mod org_number;

pub use org_number::{OrgNumber, OrgNumberError};
pub mod contact;

pub use contact::{Email, EmailError, Phone, PhoneError};
