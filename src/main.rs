//! The `gw` binary: all logic lives in the library (`gw::cli`).

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gw::cli::main()
}
