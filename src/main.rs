//! The `gw` binary: all logic lives in the library (`gw::cli`).

fn main() -> std::process::ExitCode {
    gw::cli::main()
}
