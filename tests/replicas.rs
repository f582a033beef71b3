//! Several gw replicas behind one set of limits: three `gw run` processes share a real
//! `redis-server`, each with its own working directory (its own audit chain, as pods have), and
//! one standalone emulator. Also what Redis outages do, what SIGTERM does to streams in flight,
//! and `gw audit` reading the replicas' trails together.

mod process;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use process::redis::Redis;
use process::{GW, Proc, spawn, spawn_in};
use serde_json::{Value, json};

const LIMITED: &str = "sk-limited-0123456789";
const SPENDER: &str = "sk-spender-0123456789";
const RPM: usize = 30;

/// The pack every replica serves: `limited` may make `rpm` requests a minute, `spender` may
/// spend `usd_per_day`; counters in `store`.
fn pack(dir: &Path, emu: &str, store: &str, rpm: usize, usd_per_day: f64, extra: &str) -> PathBuf {
    let path = dir.join("pack.yaml");
    let text = format!(
        r#"pack: {{ name: replicas, version: 1.0.0 }}
limits:
  store: "{store}"
  timeout_ms: 200
{extra}
auth:
  keys:
    - {{ id: limited, key_env: KEY_LIMITED, rate_limit: {{ requests_per_minute: {rpm} }} }}
    - {{ id: spender, key_env: KEY_SPENDER, budget: {{ usd_per_day: {usd_per_day} }} }}
models:
  claude: {{ targets: [emu] }}
providers:
  retry: {{ max_attempts: 1 }}
  targets:
    - id: emu
      provider: aws-bedrock
      model: us.anthropic.claude-sonnet-4-5-20250929-v1:0
      base_url: "{emu}"
      aws_access_key_env: EMU_AKID
      aws_secret_key_env: EMU_SECRET
      pricing: {{ input_per_1m: 1000, output_per_1m: 2000 }}
policies:
  chain: [audit-logger]
  policy:
    audit-logger: {{ path: ./audit }}
"#
    );
    std::fs::write(&path, text).expect("write pack");
    path
}

/// `n` replicas of `pack`, each in its own directory under `root` and named `r<i>`.
fn replicas(root: &Path, pack: &Path, n: usize, drain: &str) -> Vec<(Proc, String, PathBuf)> {
    (0..n)
        .map(|i| {
            let dir = root.join(format!("r{i}"));
            std::fs::create_dir_all(&dir).expect("replica dir");
            let name = format!("r{i}");
            let envs = [
                ("KEY_LIMITED", LIMITED),
                ("KEY_SPENDER", SPENDER),
                ("EMU_AKID", gw::emulator::ACCESS_KEY_ID),
                ("EMU_SECRET", gw::emulator::SECRET_ACCESS_KEY),
                ("GW_REPLICA", name.as_str()),
            ];
            let args = [
                "run",
                "--listen",
                "127.0.0.1:0",
                "--drain-seconds",
                drain,
                "--policy-config",
                pack.to_str().expect("utf8"),
            ];
            let (p, url) = spawn_in(&dir, &args, &envs);
            (p, url, dir.join("audit"))
        })
        .collect()
}

async fn chat(http: &reqwest::Client, url: &str, key: &str) -> (u16, Value) {
    let r = http
        .post(format!("{url}/v1/chat/completions"))
        .bearer_auth(key)
        .json(&json!({"model": "claude", "messages": [{"role": "user", "content": "hello"}]}))
        .send()
        .await
        .expect("sent");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

fn gw_audit(args: &[&str], dirs: &[PathBuf]) -> (bool, String) {
    let out = Command::new(GW)
        .arg("audit")
        .args(args)
        .args(dirs)
        .output()
        .expect("gw audit runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_enforce_one_limit_and_one_budget() {
    let redis = Redis::start();
    let (_emu, emu) = spawn(&["emulate", "--listen", "127.0.0.1:0"], &[]);
    let root = tempfile::tempdir().expect("tmp");
    let pack = pack(root.path(), &emu, &redis.url(), RPM, 0.000_001, "");
    let mut gws = replicas(root.path(), &pack, 3, "5");
    let urls: Vec<String> = gws.iter().map(|g| g.1.clone()).collect();
    let http = reqwest::Client::new();

    // 3 × RPM requests, spread over the replicas, 12 at a time.
    let started = Instant::now();
    let mut statuses = Vec::new();
    for wave in 0..(3 * RPM).div_ceil(12) {
        let calls = (0..12)
            .map(|i| wave * 12 + i)
            .filter(|n| *n < 3 * RPM)
            .map(|n| chat(&http, &urls[n % 3], LIMITED));
        statuses.extend(join_all(calls).await.into_iter().map(|(s, _)| s));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    // GCRA: the bucket holds RPM, and refills one request every 60/RPM s while the test runs.
    let slack = (elapsed * RPM as f64 / 60.0).ceil() as usize;
    assert_eq!(ok + limited, 3 * RPM, "{statuses:?}");
    assert!(
        ok >= RPM && ok <= RPM + slack,
        "{ok} admitted across 3 replicas for a limit of {RPM} (+{slack} refilled in {elapsed:.1}s)"
    );

    // One request spends the whole budget on r0; r1 and r2 refuse the key from then on.
    let (status, body) = chat(&http, &urls[0], SPENDER).await;
    assert_eq!(status, 200, "{body}");
    let mut refused = Vec::new();
    for url in &urls[1..] {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let (status, body) = chat(&http, url, SPENDER).await;
            if status == 429 || Instant::now() > deadline {
                refused.push((status, body["error"]["code"].clone()));
                break;
            }
            // The spend is added in the background after the reply; give it a moment.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    for (status, code) in &refused {
        assert_eq!(*status, 429);
        assert_eq!(code, "budget_exceeded");
    }

    // Each replica's chain verifies on its own; together they hold every request once, merged by
    // time, and every record names its replica.
    for g in &mut gws {
        g.0.stop();
    }
    let dirs: Vec<PathBuf> = gws.iter().map(|g| g.2.clone()).collect();
    let (verified, text) = gw_audit(&["verify"], &dirs);
    assert!(verified, "{text}");
    assert_eq!(
        text.lines().filter(|l| l.contains(": ok: ")).count(),
        3,
        "{text}"
    );
    let (queried, lines) = gw_audit(&["query", "--format", "jsonl"], &dirs);
    assert!(queried);
    let rows: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let spender_calls = 1 + refused.len();
    assert!(
        rows.len() >= 3 * RPM + spender_calls,
        "{} records",
        rows.len()
    );
    // Interleaved by time, each replica's records in its own chain order.
    for name in ["r0", "r1", "r2"] {
        let seqs: Vec<u64> = rows
            .iter()
            .filter(|r| r["replica"] == name)
            .map(|r| r["seq"].as_u64().expect("seq"))
            .collect();
        assert!(!seqs.is_empty(), "{name} missing");
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{name}: {seqs:?}");
    }
    let first_of = |name: &str| rows.iter().position(|r| r["replica"] == name);
    assert!(
        first_of("r2") < Some(rows.len() / 2),
        "replicas interleave, not concatenate"
    );
    let (_, stats) = gw_audit(&["stats", "--format", "json"], &dirs);
    let stats: Value = serde_json::from_str(&stats).expect("stats json");
    let by_replica: u64 = stats["by_replica"]
        .as_object()
        .expect("by_replica")
        .values()
        .map(|v| v.as_u64().expect("count"))
        .sum();
    assert_eq!(by_replica, rows.len() as u64);
    let (_, r1_only) = gw_audit(&["query", "--format", "jsonl", "--replica", "r1"], &dirs);
    assert!(r1_only.lines().all(|l| l.contains("\"replica\":\"r1\"")));
    assert!(r1_only.lines().count() >= RPM);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_outage_fails_rate_limits_open_and_budgets_closed_as_the_pack_says() {
    let mut redis = Redis::start();
    let (_emu, emu) = spawn(&["emulate", "--listen", "127.0.0.1:0"], &[]);
    let root = tempfile::tempdir().expect("tmp");
    let rpm = 5;
    let default_pack = pack(root.path(), &emu, &redis.url(), rpm, 100.0, "");
    let gws = replicas(root.path(), &default_pack, 2, "5");
    // A third replica whose pack flips both choices.
    let flipped_dir = root.path().join("flipped");
    std::fs::create_dir_all(&flipped_dir).expect("dir");
    let flipped = pack(
        &flipped_dir,
        &emu,
        &redis.url(),
        rpm,
        100.0,
        "  on_store_error: { rate_limits: refuse, budgets: allow }",
    );
    let flipped_gw = replicas(&flipped_dir, &flipped, 1, "5");
    let urls: Vec<String> = gws.iter().map(|g| g.1.clone()).collect();
    let flipped_url = flipped_gw[0].1.clone();
    let http = reqwest::Client::new();

    let (status, _) = chat(&http, &urls[0], SPENDER).await;
    assert_eq!(
        status, 200,
        "store up: the budget is checked and not reached"
    );

    // A store that hangs (SIGSTOP) holds no request past the pack's timeout (200 ms).
    let signal = |sig: &str| {
        Command::new("kill")
            .args([sig, &redis.pid().to_string()])
            .status()
            .expect("kill")
    };
    signal("-STOP");
    let started = Instant::now();
    let (status, body) = chat(&http, &urls[0], LIMITED).await;
    let took = started.elapsed();
    signal("-CONT");
    assert_eq!(status, 200, "{body}");
    assert!(
        took < Duration::from_millis(1500),
        "a hung store held the request {took:?}"
    );

    redis.kill();
    // A spend read stands for up to a second; past that the budget needs the store.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // Rate-limited traffic keeps flowing, past the limit; the budgeted key is refused.
    for i in 0..(2 * rpm) {
        let (status, body) = chat(&http, &urls[i % 2], LIMITED).await;
        assert_eq!(status, 200, "rate limits fail open: {body}");
    }
    for url in &urls {
        let (status, body) = chat(&http, url, SPENDER).await;
        assert_eq!(status, 503, "budgets fail closed: {body}");
        assert_eq!(body["error"]["code"], "limits_store_unavailable");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains("spender"), "{message}");
    }
    // The flipped pack: rate limits refuse, budgets admit.
    let (status, body) = chat(&http, &flipped_url, LIMITED).await;
    assert_eq!(status, 503, "{body}");
    let (status, body) = chat(&http, &flipped_url, SPENDER).await;
    assert_eq!(status, 200, "{body}");
    // Nobody crashed; each replica says the store is down and counts the errors.
    for url in urls.iter().chain([&flipped_url]) {
        let health = get_json(&http, &format!("{url}/healthz")).await;
        assert_eq!(health["status"], "ok");
        let ready = get_json(&http, &format!("{url}/readyz")).await;
        assert_eq!(ready["status"], "ready");
        assert_eq!(ready["limits_store"]["kind"], "redis");
        assert_eq!(ready["limits_store"]["status"], "down", "{ready}");
    }
    let metrics = http
        .get(format!("{}/metrics", urls[0]))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let errors: f64 = metrics
        .lines()
        .filter(|l| l.starts_with("gw_limits_store_errors_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(errors >= 2.0, "{metrics}");

    // Redis back (empty): the limits resume once the replicas reconnect.
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    for url in &urls {
        while get_json(&http, &format!("{url}/readyz")).await["limits_store"]["status"] != "up" {
            assert!(Instant::now() < deadline, "{url} did not reconnect");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let mut statuses = Vec::new();
    for i in 0..(rpm + 3) {
        statuses.push(chat(&http, &urls[i % 2], LIMITED).await.0);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        rpm,
        "{statuses:?}"
    );
    assert_eq!(chat(&http, &urls[1], SPENDER).await.0, 200);
}

/// SIGTERM while streams are open: they finish within the drain time, the process exits, and
/// every request has its record. Streams that outlast the drain time are cut, and recorded too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_drains_streams_and_every_request_is_recorded() {
    let (_emu, emu) = spawn(&["emulate", "--listen", "127.0.0.1:0"], &[]);
    let http = reqwest::Client::new();
    // Every stream event 400 ms apart: a reply takes a few seconds.
    let model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let faults = json!([{"kind": "event_delay", "delay_ms": 400}]);
    let r = http
        .put(format!("{emu}/_emulator/faults/{model}"))
        .json(&faults)
        .send()
        .await
        .expect("faults");
    assert!(r.status().is_success());

    for (drain, completes) in [("10", true), ("1", false)] {
        let root = tempfile::tempdir().expect("tmp");
        let pack = pack(root.path(), &emu, "memory", 1000, 100.0, "");
        let mut gws = replicas(root.path(), &pack, 1, drain);
        let url = gws[0].1.clone();
        let streams = (0..4).map(|_| {
            let http = http.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let r = http
                    .post(format!("{url}/v1/chat/completions"))
                    .bearer_auth(LIMITED)
                    .json(
                        &json!({"model": "claude", "stream": true, "max_tokens": 400,
                        "messages": [{"role": "user", "content": "write a long story"}]}),
                    )
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(r.status(), 200);
                r.text().await.unwrap_or_default()
            })
        });
        let streams: Vec<_> = streams.collect();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let pid = gws[0].0.0.id().to_string();
        let killed = Instant::now();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        let bodies: Vec<String> = join_all(streams)
            .await
            .into_iter()
            .map(|r| r.expect("task"))
            .collect();
        let _ = gws[0].0.0.wait();
        let took = killed.elapsed();
        let done = bodies.iter().filter(|b| b.contains("[DONE]")).count();
        if completes {
            assert_eq!(done, 4, "every stream finishes inside the drain time");
        } else {
            assert!(done < 4, "streams longer than the drain time are cut");
            assert!(
                took < Duration::from_secs(5),
                "exit soon after the drain time: {took:?}"
            );
        }
        let dirs = vec![gws[0].2.clone()];
        let (verified, text) = gw_audit(&["verify"], &dirs);
        assert!(verified, "{text}");
        let (_, lines) = gw_audit(&["query", "--format", "jsonl"], &dirs);
        let rows: Vec<Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(
            rows.len(),
            4,
            "one record per stream (drain {drain}s): {lines}"
        );
        if !completes {
            assert!(
                rows.iter().any(|r| r["outcome"] == "cancelled"),
                "cut streams are recorded as cancelled: {lines}"
            );
        }
    }
}

/// The Redis store keeps the in-memory store's semantics (its unit tests, replayed on a real
/// Redis): buckets run out and say when to come back, unused tokens are credited and overruns
/// owed, a request larger than the whole bucket is told so, and spend adds up per period.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_store_keeps_the_memory_store_semantics() {
    use gw::access::store::{CounterStore, RateCounter, RedisStore, Refused};
    use gw::access::{RateLimits, RedisSpec};

    let redis = Redis::start();
    let store = RedisStore::connect(
        &RedisSpec {
            url: redis.url(),
            password: None,
            ca_pem: None,
            timeout: Duration::from_millis(500),
            prefix: "gw:test".into(),
        },
        None,
    )
    .expect("store");
    let limit = |rpm, tpm| RateLimits {
        requests_per_minute: rpm,
        tokens_per_minute: tpm,
    };
    async fn take(r: &dyn RateCounter, tokens: u64) -> Result<u32, gw::access::store::Denied> {
        match r.acquire(tokens).await {
            Ok(s) => Ok(s.requests.or(s.tokens).expect("a bucket").remaining),
            Err(Refused::Limit(d)) => Err(d),
            Err(Refused::Store(e)) => panic!("{e}"),
        }
    }
    // Settlements travel through the batching writer: give them a moment.
    let settled = || tokio::time::sleep(Duration::from_millis(100));

    let r = store.rate("key:a", &limit(Some(2), None)).expect("counter");
    assert_eq!(take(r.as_ref(), 0).await.expect("first"), 1);
    assert_eq!(take(r.as_ref(), 0).await.expect("second"), 0);
    let d = take(r.as_ref(), 0).await.expect_err("third");
    assert_eq!(d.bucket, "requests");
    assert!(d.retry_after > Duration::from_secs(20), "{d:?}");
    assert_eq!(r.state().requests.expect("bucket").remaining, 0);

    let r = store
        .rate("key:b", &limit(None, Some(1000)))
        .expect("counter");
    take(r.as_ref(), 900).await.expect("900 of 1000");
    assert!(take(r.as_ref(), 900).await.is_err(), "only 100 left");
    r.settle(900, 100); // 800 credited
    settled().await;
    take(r.as_ref(), 900)
        .await
        .expect("800 credit + 100 from the bucket");
    // Empty again, but for what refilled while the settlement travelled (1 token per 60 ms).
    assert!(take(r.as_ref(), 10).await.is_err());
    let r = store
        .rate("key:c", &limit(None, Some(1000)))
        .expect("counter");
    take(r.as_ref(), 100).await.expect("100");
    r.settle(100, 700); // 600 owed
    settled().await;
    assert!(
        take(r.as_ref(), 350).await.is_err(),
        "350 + 600 owed > 900 left"
    );
    assert!(
        take(r.as_ref(), 5000)
            .await
            .expect_err("too large")
            .too_large
    );
    assert!(store.rate("key:d", &limit(None, None)).is_none());
    // A request that uses exactly the credit leaves a balance of zero that later settlements
    // still add to (a balance written as "-0" would refuse every INCRBY).
    let r = store
        .rate("key:e", &limit(None, Some(1000)))
        .expect("counter");
    take(r.as_ref(), 900).await.expect("900");
    r.settle(900, 100); // 800 credited
    settled().await;
    take(r.as_ref(), 800).await.expect("exactly the credit");
    r.settle(300, 0); // 300 credited
    settled().await;
    take(r.as_ref(), 350)
        .await
        .expect("300 credit + 50 of the ~100 left in the bucket");

    let s = store.spend("key:a");
    let t = 1_700_000_000;
    s.add(t, 1.5);
    s.add(t, 0.25);
    settled().await;
    assert_eq!(s.spent(t).await.expect("spent"), (1.75, 1.75));
    assert_eq!(s.spent(t + 86_400).await.expect("next day").0, 0.0);
    assert!(store.probe().expect("a shared store probes").await.is_ok());
}

/// `rediss://` with a password: the store trusts the pack's CA file, authenticates with the
/// password from the pack's env var, and works; without the CA the server's certificate is
/// refused, and with a wrong password Redis refuses gw, so no counter is ever read unverified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_store_with_a_password_and_a_private_ca() {
    use gw::access::RedisSpec;
    use gw::access::store::{CounterStore, RedisStore};

    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let openssl = |args: &[&str]| {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .expect("openssl runs")
            .status
            .success();
        assert!(ok, "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=gw test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        d.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .expect("ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ]);
    let path = |f: &str| d.join(f).to_str().expect("utf8").to_string();
    let redis = Redis::start_with(|port| {
        vec![
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            path("server.pem"),
            "--tls-key-file".into(),
            path("server.key"),
            "--tls-ca-cert-file".into(),
            path("ca.pem"),
            "--tls-auth-clients".into(),
            "no".into(),
            "--requirepass".into(),
            "correct horse".into(),
        ]
    });
    let spec = |ca: bool, password: &str| RedisSpec {
        url: format!("rediss://127.0.0.1:{}/0", redis.port),
        password: Some(password.into()),
        ca_pem: ca.then(|| std::fs::read(d.join("ca.pem")).expect("ca")),
        timeout: Duration::from_millis(2000),
        prefix: "gw:tls".into(),
    };
    let probe = |s: RedisSpec| async move {
        let store = RedisStore::connect(&s, None).expect("store");
        store.probe().expect("probe").await
    };
    probe(spec(true, "correct horse"))
        .await
        .expect("TLS, trusted CA, right password");
    let untrusted = probe(spec(false, "correct horse"))
        .await
        .expect_err("unknown CA");
    let wrong = probe(spec(true, "not-the-pass-7731"))
        .await
        .expect_err("wrong password");
    for e in [untrusted.to_string(), wrong.to_string()] {
        assert!(
            !e.contains("correct horse") && !e.contains("not-the-pass-7731"),
            "{e}"
        );
    }
}
