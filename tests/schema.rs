//! The JSON Schema and the pack reference are generated from the Rust pack types; the committed
//! copies must match what this build generates, and gw must reject what the schema rejects.

use std::path::PathBuf;
use std::process::Command;

const GW: &str = env!("CARGO_BIN_EXE_gw");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gw(args: &[&str]) -> String {
    let out = Command::new(GW).args(args).output().expect("gw runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf8")
}

#[test]
fn committed_schema_is_fresh() {
    let committed =
        std::fs::read_to_string(repo().join("config/pack.schema.json")).expect("schema file");
    assert!(
        gw(&["schema"]) == committed,
        "config/pack.schema.json is stale: run `cargo run -- schema > config/pack.schema.json`"
    );
}

#[test]
fn committed_reference_is_fresh() {
    let committed =
        std::fs::read_to_string(repo().join("docs/pack-reference.md")).expect("reference file");
    assert!(
        gw(&["schema", "--reference"]) == committed,
        "docs/pack-reference.md is stale: run `cargo run -- schema --reference > docs/pack-reference.md`"
    );
}

#[test]
fn gw_rejects_every_invalid_fixture() {
    let dir = repo().join("tests/fixtures/packs/invalid");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let out = Command::new(GW)
            .arg("validate")
            .arg(&path)
            .output()
            .expect("gw runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{} should be rejected",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 5);
}
