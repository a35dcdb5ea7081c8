//! Pure types and rules shared by the server and the browser. No I/O here.
pub mod reference;

pub use reference::{District, LocalizedText, PriorityArea, ReferenceData};
