//! Turning the SDK builders' failures into gw's error.
//!
//! Why it exists apart: every part of the translator builds SDK types; as a leaf this keeps the
//! request, message and tool builders from importing each other for it.

use aws_smithy_types::error::operation::BuildError;

use crate::error::ApiError;

/// SDK builder failures (a required field left unset) are gw bugs, not client errors.
pub(crate) fn sdk<T>(built: Result<T, BuildError>) -> Result<T, ApiError> {
    built.map_err(|e| ApiError::internal(format!("could not build the Bedrock request: {e}")))
}
