//! `gw console`: checks its arguments and serves the review console (`crate::console`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::output::{err, out};
use super::pack::print_diagnostics;
use super::serve::block_on;
use crate::console::{self, Console};

/// The env var holding the access token a non-loopback console requires.
const TOKEN_ENV: &str = "GW_CONSOLE_TOKEN";

pub(super) fn run(dirs: Vec<PathBuf>, pack: Option<PathBuf>, listen: SocketAddr) -> ExitCode {
    if let Some(d) = dirs.iter().find(|d| !d.is_dir()) {
        err(format_args!(
            "gw console: `{}` is not a directory",
            d.display()
        ));
        return ExitCode::from(2);
    }
    let pack = match pack.map(|p| crate::config::load_file(&p)).transpose() {
        Ok(p) => p,
        Err(diags) => {
            print_diagnostics(&diags);
            return ExitCode::FAILURE;
        }
    };
    let token = std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty());
    if !listen.ip().is_loopback() && token.is_none() {
        err(format_args!(
            "gw console: {listen} is reachable from other machines; set {TOKEN_ENV} to an access token first"
        ));
        return ExitCode::from(2);
    }
    let console = match Console::new(dirs, pack, token) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            err(format_args!("gw console: a page template is broken: {e}"));
            return ExitCode::FAILURE;
        }
    };
    block_on(async move {
        let listener = match tokio::net::TcpListener::bind(listen).await {
            Ok(l) => l,
            Err(e) => {
                err(format_args!("gw console: cannot listen on {listen}: {e}"));
                return ExitCode::FAILURE;
            }
        };
        let local = listener.local_addr().unwrap_or(listen);
        out(format_args!("gw: console on http://{local}"));
        match console::serve(listener, console).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                err(format_args!("gw console: {e}"));
                ExitCode::FAILURE
            }
        }
    })
}
