//! gw end to end over real sockets: the OpenAI API in, the real AWS SDK out, the emulator
//! speaking Bedrock's wire protocol (SigV4 checked, binary event streams) behind it.

mod access;
mod anthropic;
mod audit;
mod chat;
mod embeddings;
mod errors;
mod policies;
mod reload;
mod rig;
mod routing;
mod streaming;
mod telemetry;
mod tools;
