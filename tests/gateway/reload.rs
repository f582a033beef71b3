//! Hot reload under load: valid and invalid packs mixed, no failed request, each request served
//! by exactly one pack version, bad packs rejected while the old one keeps serving.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gw::audit::{AuditRecord, AuditSink};
use gw::runtime::BuildEnv;
use serde_json::json;

use crate::rig::Harness;

#[derive(Default)]
struct Collect(Mutex<Vec<AuditRecord>>);

impl AuditSink for Collect {
    fn write(&self, record: AuditRecord) {
        self.0.lock().unwrap().push(record);
    }
}

/// Version `1.0.n` routes `m` to target `a` (even n) or `b` (odd n).
fn pack(n: u32) -> String {
    let target = if n.is_multiple_of(2) { "a" } else { "b" };
    format!(
        r#"pack: {{ name: reloading, version: 1.0.{n} }}
models:
  m: {{ targets: [{target}] }}
providers:
  targets:
    - {{ id: a, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: emulator }}
    - {{ id: b, provider: aws-bedrock, model: us.amazon.nova-lite-v1:0, base_url: emulator }}
"#
    )
}

/// Broken in a different way each time: a route to a missing target, or a misspelt key.
fn bad_pack(n: u32) -> String {
    if n.is_multiple_of(2) {
        pack(n)
            .replace("targets: [a]", "targets: [nope]")
            .replace("targets: [b]", "targets: [nope]")
    } else {
        pack(n).replace(
            "provider: aws-bedrock, model: us.amazon.nova-pro",
            "provider: aws-bedrock, modle: us.amazon.nova-pro",
        )
    }
}

async fn readyz(h: &Harness) -> serde_json::Value {
    h.http
        .get(format!("{}/readyz", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_load_without_a_failed_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pack.yaml");
    std::fs::write(&path, pack(0)).unwrap();
    let sink = Arc::new(Collect::default());
    let h = Arc::new(Harness::start_file(&path, BuildEnv::with_audit(sink.clone())).await);

    // An editor that saves by writing a temp file and renaming it over the pack.
    let tmp = dir.path().join(".pack.yaml.swp");
    std::fs::write(&tmp, pack(1)).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    let mut version = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        version = readyz(&h).await["pack"]["version"]
            .as_str()
            .unwrap()
            .to_string();
        if version == "1.0.1" {
            break;
        }
    }
    assert_eq!(version, "1.0.1", "the watcher picked up a rename-save");

    // Steady load while the pack changes 100 times.
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (h, stop, failures, served) =
            (h.clone(), stop.clone(), failures.clone(), served.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let (status, _, body) = h
                    .chat(
                        json!({"model": "m", "messages": [{"role": "user", "content": "steady"}]}),
                    )
                    .await;
                if status == 200 {
                    served.fetch_add(1, Ordering::Relaxed);
                } else {
                    eprintln!("failed during reload: {status} {body}");
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let mut valid = vec!["1.0.0".to_string(), "1.0.1".to_string()];
    let mut rejected = 0;
    for n in 2u32..102 {
        if n.is_multiple_of(3) {
            std::fs::write(&path, bad_pack(n)).unwrap();
            let err = gw::reload::reload_once(&h.gateway, &path)
                .await
                .unwrap_err();
            assert!(!err.is_empty());
            rejected += 1;
        } else {
            std::fs::write(&path, pack(n)).unwrap();
            let v = gw::reload::reload_once(&h.gateway, &path).await.unwrap();
            assert_eq!(v, format!("1.0.{n}"));
            valid.push(v);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.unwrap();
    }
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert!(served.load(Ordering::Relaxed) > 100, "load kept running");

    // Each request ran on one pack version, and its upstream matches that version's route.
    let records = sink.0.lock().unwrap().clone();
    for r in records.iter().filter(|r| r.endpoint == "chat.completions") {
        assert!(
            valid.contains(&r.pack_version),
            "served by a rejected pack: {}",
            r.pack_version
        );
        let n: u32 = r.pack_version.rsplit('.').next().unwrap().parse().unwrap();
        let expected = if n.is_multiple_of(2) { "a" } else { "b" };
        assert_eq!(r.attempts.len(), 1);
        assert_eq!(
            r.attempts[0].target, expected,
            "version {} routed by another pack",
            r.pack_version
        );
    }

    // The last write was valid; the status shows the history.
    let ready = readyz(&h).await;
    assert_eq!(ready["pack"]["version"], valid.last().unwrap().as_str());
    assert_eq!(ready["reload"]["rejected"], rejected);

    // A bad edit leaves the old pack serving, and says why.
    std::fs::write(&path, bad_pack(200)).unwrap();
    let errors = gw::reload::reload_once(&h.gateway, &path)
        .await
        .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("pack.yaml:") && e.contains("nope")),
        "{errors:?}"
    );
    let ready = readyz(&h).await;
    assert_eq!(ready["reload"]["outcome"], "rejected");
    assert_eq!(ready["pack"]["version"], valid.last().unwrap().as_str());
    let (status, _, _) = h
        .chat(json!({"model": "m", "messages": [{"role": "user", "content": "still up"}]}))
        .await;
    assert_eq!(status, 200);
}

/// A pack mounted from a Kubernetes ConfigMap: `pack.yaml` links through `..data` to a
/// timestamped directory, and an update swaps `..data` to a new one by rename. No event names
/// `pack.yaml` itself, yet the new pack is served.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_a_configmap_volume_update() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("..2026_12_05_a")).unwrap();
    std::fs::write(d.join("..2026_12_05_a/pack.yaml"), pack(0)).unwrap();
    symlink("..2026_12_05_a", d.join("..data")).unwrap();
    symlink("..data/pack.yaml", d.join("pack.yaml")).unwrap();
    let sink = Arc::new(Collect::default());
    let h = Harness::start_file(&d.join("pack.yaml"), BuildEnv::with_audit(sink)).await;
    assert_eq!(readyz(&h).await["pack"]["version"], "1.0.0");

    // What the kubelet's atomic writer does.
    std::fs::create_dir(d.join("..2026_12_05_b")).unwrap();
    std::fs::write(d.join("..2026_12_05_b/pack.yaml"), pack(1)).unwrap();
    symlink("..2026_12_05_b", d.join("..data_tmp")).unwrap();
    std::fs::rename(d.join("..data_tmp"), d.join("..data")).unwrap();
    std::fs::remove_dir_all(d.join("..2026_12_05_a")).unwrap();

    let mut version = serde_json::Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        version = readyz(&h).await["pack"]["version"].clone();
        if version == "1.0.1" {
            break;
        }
    }
    assert_eq!(version, "1.0.1", "the ConfigMap update was not picked up");
}
