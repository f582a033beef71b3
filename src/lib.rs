//! gw: a policy-enforcing gateway in front of AWS Bedrock.
//!
//! The request path, in order: a front door (`server`) parses the client's API (`openai`) into the
//! neutral chat model (`ir`); the policy chain (`policy`) inspects and rewrites it; the router
//! (`routing`) picks targets; the provider (`provider`) translates to Converse (`translate`) and
//! calls Bedrock through the AWS SDK; the reply flows back through the policies to the client, and
//! one audit record (`audit`) closes the request. `config` loads and checks the pack; `runtime`
//! is the built, immutable view of one pack that a request runs against; `emulator` is a Bedrock
//! stand-in that speaks the real wire protocol. `access` checks client keys, rate limits and budgets
//! and prices each reply.
// Library and binary code never panics on a failed unwrap and never prints outside the CLI's
// output module; tests and benches (their own crates) may (`clippy.toml` covers unit tests).
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

pub mod access;
pub mod anthropic;
pub mod attempt;
pub mod audit;
pub mod bounded;
mod checks;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod emulator;
pub mod error;
pub mod ir;
mod media;
pub mod openai;
mod parts;
pub mod pipeline;
pub mod policy;
pub mod provider;
pub mod reload;
pub mod replay;
pub mod routing;
pub mod runtime;
pub mod server;
pub mod sse;
pub mod telemetry;
pub mod terms;
pub mod translate;
