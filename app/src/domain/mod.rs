//! Pure types and rules shared by the server and the browser. No I/O here.
pub mod account;
pub mod activity;
pub mod case;
pub mod contact;
pub mod forms;
pub mod invite;
pub mod local_time;
pub mod need;
pub mod offer;
pub mod org_number;
pub mod paths;
pub mod permissions;
pub mod reference;
pub mod site;
pub mod text;
pub mod throttle;

pub use account::{ActorKind, Contact, Me, MemberRole, Role};
pub use contact::{Email, EmailError, Phone, PhoneError};
pub use forms::FieldErrors;
pub use org_number::{OrgNumber, OrgNumberError};
pub use reference::{District, LocalizedText, PriorityArea, ReferenceData};
