//! The emulator's S3: the real S3 REST protocol, with SigV4 checked against the emulator's key
//! pair, over a directory (`s3s` with its filesystem backend). Batch input files land here, the
//! job runner (`jobs`) reads them and writes its output beside them, as Bedrock does in S3.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::EmulatorConfig;

/// Where the buckets are, and whether the emulator made the directory (then it removes it).
pub(crate) struct S3Root {
    pub dir: PathBuf,
    owned: bool,
}

impl S3Root {
    /// The configured directory, or a fresh one under the system's temp dir; every configured
    /// bucket exists in it.
    pub fn prepare(config: &EmulatorConfig) -> std::io::Result<Self> {
        let (dir, owned) = match &config.s3_root {
            Some(d) => (d.clone(), false),
            None => (
                std::env::temp_dir()
                    .join(format!("gw-emulator-s3-{}", uuid::Uuid::new_v4().simple())),
                true,
            ),
        };
        std::fs::create_dir_all(&dir)?;
        for bucket in &config.buckets {
            std::fs::create_dir_all(dir.join(bucket))?;
        }
        Ok(Self { dir, owned })
    }

    /// The file behind `s3://bucket/key`, when the key stays inside the bucket.
    pub fn object(&self, bucket: &str, key: &str) -> Option<PathBuf> {
        let clean = |s: &str| {
            !s.is_empty()
                && Path::new(s)
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
        };
        (clean(bucket) && clean(key)).then(|| self.dir.join(bucket).join(key))
    }
}

impl Drop for S3Root {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Serves S3 on `listener` until `stop` turns true.
pub(crate) fn spawn(
    listener: TcpListener,
    root: &Path,
    config: &EmulatorConfig,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let fs = s3s_fs::FileSystem::new(root)
        .map_err(|e| std::io::Error::other(format!("emulator S3 directory: {e:?}")))?;
    let mut builder = S3ServiceBuilder::new(fs);
    if config.verify_signatures
        && let Some((ak, sk)) = config.credentials.first()
    {
        builder.set_auth(SimpleAuth::from_single(ak.as_str(), sk.as_str()));
    }
    let service = builder.build();
    tokio::spawn(async move {
        loop {
            let socket = tokio::select! {
                r = listener.accept() => match r {
                    Ok((s, _)) => s,
                    Err(_) => continue,
                },
                _ = stop.wait_for(|v| *v) => break,
            };
            let conn =
                http1::Builder::new().serve_connection(TokioIo::new(socket), service.clone());
            tokio::spawn(async move {
                let _ = conn.await;
            });
        }
    });
    Ok(())
}

/// Binds the S3 listener on the emulator's IP, any free port.
pub(crate) async fn bind(main: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::new(main.ip(), 0)).await
}
