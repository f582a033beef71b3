//! Loading and checking policy packs.

pub mod pack;
