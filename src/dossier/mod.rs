//! Dossiers: the records of each case, stored as JSON in the encrypted
//! database, with every version kept, every change audited and indexed for
//! search in the same transaction.

pub mod date;
pub mod model;
pub mod store;
pub mod views;

pub use model::*;
pub use store::{DossierError, StoredRecord};
