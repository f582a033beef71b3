//! `gw console`: a read-only web console over audit directories, for compliance reviewers.
//! Pages are rendered on the server (`minijinja`, templates and CSS embedded in the binary) with
//! every value escaped, under a strict Content-Security-Policy: no script at all, no external
//! request. Charts are SVG drawn by `plotters`. Nothing here writes to the trail.
//!
//! Bound to loopback by default; any other address needs an access token (`GW_CONSOLE_TOKEN`),
//! sent as `Authorization: Bearer` or as the cookie `/login?token=…` sets.

mod chart;
mod data;
mod pages;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::Environment;

use crate::config::LoadedPack;

pub use data::{Keep, Overview, overview, page};

/// The response headers every page carries: nothing runs, nothing loads from elsewhere.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// What the console serves from.
pub struct Console {
    dirs: Vec<PathBuf>,
    pack: Option<LoadedPack>,
    templates: Environment<'static>,
    verifier: data::Verifier,
    /// Required on every request when set.
    token: Option<String>,
}

impl Console {
    /// A console over `dirs`, with the playground when `pack` is given.
    pub fn new(
        dirs: Vec<PathBuf>,
        pack: Option<LoadedPack>,
        token: Option<String>,
    ) -> Result<Self, minijinja::Error> {
        let mut templates = Environment::new();
        for (name, source) in [
            ("base.html", include_str!("templates/base.html")),
            ("overview.html", include_str!("templates/overview.html")),
            ("records.html", include_str!("templates/records.html")),
            ("record.html", include_str!("templates/record.html")),
            ("playground.html", include_str!("templates/playground.html")),
            ("replay.html", include_str!("templates/replay.html")),
        ] {
            templates.add_template(name, source)?;
        }
        Ok(Self {
            dirs,
            pack,
            templates,
            verifier: data::Verifier::default(),
            token,
        })
    }
}

type Shared = State<Arc<Console>>;

/// The console's routes.
pub fn router(console: Arc<Console>) -> Router {
    Router::new()
        .route("/", get(pages::overview))
        .route("/chart.svg", get(pages::chart))
        .route("/records", get(pages::records))
        .route("/record", get(pages::record))
        .route("/export.csv", get(pages::export_csv))
        .route("/export.jsonl", get(pages::export_jsonl))
        .route("/playground", get(pages::playground))
        .route("/replay", get(pages::replay))
        .route("/assets/console.css", get(css))
        .route("/login", get(pages::login))
        .layer(middleware::from_fn_with_state(console.clone(), guard))
        .with_state(console)
}

/// Serves the console on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(
    listener: tokio::net::TcpListener,
    console: Arc<Console>,
) -> std::io::Result<()> {
    axum::serve(listener, router(console))
        .with_graceful_shutdown(stopped())
        .await
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("assets/console.css"),
    )
        .into_response()
}

/// The access token (when one is set) and the security headers on every response. Without a
/// token only a loopback `Host` is served: a web page that rebinds its own name to 127.0.0.1
/// cannot read the console from a reviewer's browser.
async fn guard(State(c): Shared, req: Request, next: Next) -> Response {
    if c.token.is_none() && !loopback_host(&req) {
        let mut r = (
            StatusCode::MISDIRECTED_REQUEST,
            "this console answers only to localhost, 127.0.0.1 or [::1]",
        )
            .into_response();
        secure(&mut r);
        return r;
    }
    if let Some(token) = &c.token
        && req.uri().path() != "/login"
        && !presented(&req, token)
    {
        let mut r = (
            StatusCode::UNAUTHORIZED,
            "this console needs its access token: open /login?token=… or send Authorization: Bearer",
        )
            .into_response();
        secure(&mut r);
        return r;
    }
    let mut r = next.run(req).await;
    secure(&mut r);
    r
}

fn secure(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// Whether the request's `Host` names the loopback interface (any port).
fn loopback_host(req: &Request) -> bool {
    let Some(host) = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1")
}

/// The token as a bearer header or the console's cookie, compared in constant time.
fn presented(req: &Request, token: &str) -> bool {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("gw_console="));
    [bearer, cookie]
        .into_iter()
        .flatten()
        .any(|given| same(given.as_bytes(), token.as_bytes()))
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Ctrl-C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
