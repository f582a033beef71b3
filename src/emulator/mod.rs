//! A Bedrock Runtime stand-in on a real socket.
//!
//! Tests, the benchmark and the zero-AWS-account demo need an upstream that the real
//! `aws-sdk-bedrockruntime` client cannot tell from Bedrock: the same paths, SigV4 (or bearer)
//! checks, error headers, event-stream frames and validation messages. This module is the public
//! face of that emulator: configuration, [`start`], and the [`EmulatorHandle`] through which
//! tests script faults and read back what arrived. Everything else lives in submodules:
//! `server` (routing and request recording), `auth`, `wire` (error responses and frames),
//! `converse` + `schema` (reply synthesis and validation), `script` (scripted tool loops for
//! agents, see [`SCRIPT_MARKER`]), `stream`, `embed`, `faults`, `admin`.

mod admin;
mod auth;
mod converse;
mod embed;
mod faults;
pub mod images;
mod jobs;
mod reply;
mod s3;
mod schema;
mod script;
mod server;
mod stream;
mod wire;

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use jobs::FAIL_RECORD_MARKER;
pub use reply::{GUARDRAIL_MESSAGE, GUARDRAIL_TRIGGER};

/// Starts a line in a user message that scripts the emulated model's tool calls, one per turn:
/// `gw-emulator: Read {"file_path": "/p/a.txt"}; Grep {"pattern": "TODO"}`. After N tool results
/// the model calls step N+1; after the last it ends the turn quoting every result. Lets real
/// agents (Claude Code) run deterministic tool loops through gw.
pub const SCRIPT_MARKER: &str = script::MARKER;

/// Access key id the emulator accepts out of the box, so demos need no AWS account.
pub const ACCESS_KEY_ID: &str = "AKIDGWEMULATOR000001";
/// Secret paired with [`ACCESS_KEY_ID`]; clients sign with it and the emulator re-computes.
pub const SECRET_ACCESS_KEY: &str = "gw-emulator-secret-access-key";
/// Bedrock API key the emulator accepts as `Authorization: Bearer`, for bearer-auth paths.
pub const API_KEY: &str = "gw-emulator-bedrock-api-key";

/// The bucket the emulator's S3 has out of the box (the default pack's batch bucket).
pub const DEFAULT_BUCKET: &str = "gw-batch";

/// Most requests kept by the recorder; older ones are dropped so a long benchmark stays bounded.
const MAX_RECORDED: usize = 10_000;

/// How an emulator instance authenticates and streams; tests vary it per instance.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Accepted SigV4 key pairs as `(access key id, secret access key)`.
    pub credentials: Vec<(String, String)>,
    /// Accepted bearer API keys.
    pub api_keys: Vec<String>,
    /// When false every request is accepted whatever its auth (it is still recorded).
    pub verify_signatures: bool,
    /// Characters of text per `contentBlockDelta` in ConverseStream (0 is treated as 1).
    pub stream_chunk_chars: usize,
    /// Directory behind the emulator's S3 (one sub-directory per bucket); `None`: a fresh
    /// directory under the system's temp dir, removed when the emulator is dropped.
    pub s3_root: Option<std::path::PathBuf>,
    /// Buckets that exist from the start.
    pub buckets: Vec<String>,
    /// Time between two status changes of a batch job, in milliseconds.
    pub batch_step_ms: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            credentials: vec![(ACCESS_KEY_ID.to_owned(), SECRET_ACCESS_KEY.to_owned())],
            api_keys: vec![API_KEY.to_owned()],
            verify_signatures: true,
            stream_chunk_chars: 16,
            s3_root: None,
            buckets: vec![DEFAULT_BUCKET.to_owned()],
            batch_step_ms: 1000,
        }
    }
}

/// Which Bedrock Runtime operation a request addressed; recorded so tests can assert on calls.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum Operation {
    /// `POST /model/{id}/converse`
    Converse,
    /// `POST /model/{id}/converse-stream`
    ConverseStream,
    /// `POST /model/{id}/invoke`
    InvokeModel,
    /// `POST /model/{id}/invoke-with-response-stream`
    InvokeModelWithResponseStream,
    /// `POST /model/{id}/count-tokens`
    CountTokens,
    /// `POST /model-invocation-job` (control plane)
    CreateModelInvocationJob,
    /// `GET /model-invocation-job/{id}`
    GetModelInvocationJob,
    /// `POST /model-invocation-job/{id}/stop`
    StopModelInvocationJob,
    /// `GET /model-invocation-jobs`
    ListModelInvocationJobs,
}

/// The authentication a request carried, as parsed (not necessarily valid).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub enum AuthSeen {
    /// A SigV4 `Authorization` header with this credential scope.
    SigV4 {
        /// Access key id from the credential scope.
        access_key_id: String,
        /// Region from the credential scope.
        region: String,
        /// Signing name from the credential scope (Bedrock expects `bedrock`).
        service: String,
    },
    /// `Authorization: Bearer …` (the key itself is not kept).
    Bearer,
    /// No usable `Authorization` header.
    None,
}

/// One request as it arrived, for tests that check what gw actually sent upstream.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedRequest {
    /// The addressed operation.
    pub operation: Operation,
    /// Model id from the path, percent-decoded.
    pub model_id: String,
    /// The authentication the request carried.
    pub auth: AuthSeen,
    /// Headers with lower-case names; the `authorization` value is replaced by `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The JSON body (`null` when the body was not JSON).
    pub body: serde_json::Value,
}

/// One scripted failure rule; see [`EmulatorHandle::set_faults`] for how rules are picked.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// Apply to the next N matching calls only; `None` = always.
    #[serde(default)]
    pub times: Option<u32>,
    /// Apply with this chance (0..1, from a seeded generator); `None` = always.
    #[serde(default)]
    pub probability: Option<f64>,
    /// Wait this long before answering (for `event_delay`: between stream events).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// For stream faults: how many events go out before the cut or the exception (default 0).
    #[serde(default)]
    pub after_events: Option<u32>,
    /// Overrides the error message; for `stream_error`, names the exception type.
    #[serde(default)]
    pub message: Option<String>,
}

/// The failure modes Bedrock exhibits that gw must survive.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 ThrottlingException.
    Throttle,
    /// 500 InternalServerException.
    ServerError,
    /// 503 ServiceUnavailableException.
    Unavailable,
    /// 429 ModelNotReadyException.
    ModelNotReady,
    /// 408 ModelTimeoutException.
    ModelTimeout,
    /// 424 ModelErrorException.
    ModelError,
    /// 400 ValidationException with `message`.
    Validation,
    /// 403 AccessDeniedException.
    AccessDenied,
    /// 404 ResourceNotFoundException.
    NotFound,
    /// 400 ServiceQuotaExceededException.
    QuotaExceeded,
    /// Wait `delay_ms` before the response headers, then answer normally.
    Delay,
    /// Streams: wait `delay_ms` between events.
    EventDelay,
    /// Streams: drop the connection after `after_events` events, without `messageStop`.
    StreamCut,
    /// Streams: after `after_events` events send an exception frame (`message` = its type).
    StreamError,
    /// Never answer (until the client gives up or the emulator shuts down).
    Hang,
}

/// State shared by the server task and every handle clone.
struct Shared {
    config: EmulatorConfig,
    addr: SocketAddr,
    faults: Mutex<faults::FaultBook>,
    requests: Mutex<VecDeque<RecordedRequest>>,
    /// Hashes of cache prefixes already written, so the second sighting reads instead.
    cache: Mutex<HashSet<[u8; 32]>>,
    shutdown: watch::Sender<bool>,
    /// Batch jobs, oldest first.
    jobs: Mutex<Vec<jobs::Job>>,
    batch: Mutex<jobs::BatchControl>,
    s3: s3::S3Root,
    s3_addr: SocketAddr,
}

/// Locks a mutex, recovering the data if a panicking holder poisoned it (the data stays usable).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn record(&self, req: RecordedRequest) {
        let mut list = lock(&self.requests);
        if list.len() >= MAX_RECORDED {
            list.pop_front();
        }
        list.push_back(req);
    }

    fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).iter().cloned().collect()
    }

    fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    fn set_faults(&self, model_id: &str, rules: Vec<Fault>) {
        lock(&self.faults).set(model_id, rules);
    }

    fn clear_faults(&self) {
        lock(&self.faults).clear();
    }
}

/// A running emulator; cheap to clone, so tests and the demo can share one instance.
#[derive(Clone)]
pub struct EmulatorHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// The bound address (useful when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Base URL to hand to the SDK's `endpoint_url`, e.g. `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The emulator's S3 endpoint, e.g. `http://127.0.0.1:PORT` (path-style buckets).
    pub fn s3_url(&self) -> String {
        format!("http://{}", self.shared.s3_addr)
    }

    /// The directory behind the emulator's S3: `<dir>/<bucket>/<key>` is the object.
    pub fn s3_dir(&self) -> &std::path::Path {
        &self.shared.s3.dir
    }

    /// Replaces the fault rules of one model id (`"*"` = every model).
    pub fn set_faults(&self, model_id: &str, faults: Vec<Fault>) {
        self.shared.set_faults(model_id, faults);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Every operation request that arrived, oldest first (bounded to the last 10 000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Stops accepting connections; in-flight responses finish, hanging ones are released.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}

/// Binds `listen` (port 0 is fine), spawns the server task and returns at once.
pub async fn start(config: EmulatorConfig, listen: SocketAddr) -> std::io::Result<EmulatorHandle> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (shutdown, _) = watch::channel(false);
    let s3_root = s3::S3Root::prepare(&config)?;
    let s3_listener = s3::bind(addr).await?;
    let s3_addr = s3_listener.local_addr()?;
    s3::spawn(s3_listener, &s3_root.dir, &config, shutdown.subscribe())?;
    let shared = Arc::new(Shared {
        config,
        addr,
        jobs: Mutex::new(Vec::new()),
        batch: Mutex::new(jobs::BatchControl::default()),
        s3: s3_root,
        s3_addr,
        faults: Mutex::new(faults::FaultBook::default()),
        requests: Mutex::new(VecDeque::new()),
        cache: Mutex::new(HashSet::new()),
        shutdown,
    });
    let app = server::router(Arc::clone(&shared));
    let mut stop = shared.shutdown.subscribe();
    tokio::spawn(async move {
        let signal = async move {
            // An error means every sender is gone, which also means stop.
            let _ = stop.wait_for(|v| *v).await;
        };
        // Bedrock streams each event as it is made; without TCP_NODELAY the kernel would hold
        // a small last write back until the reader acknowledged the one before (up to the
        // peer's 40 ms delayed ACK), a stall real Bedrock does not have.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(signal)
            .await
        {
            tracing::warn!(error = %err, "bedrock emulator server stopped with an error");
        }
    });
    Ok(EmulatorHandle { shared })
}
