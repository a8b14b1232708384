//! The live backend.

mod effects;

pub use effects::*;
