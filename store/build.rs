//! Compiles the etcd v3 protocol in `proto/` into Rust.
//!
//! `protox` parses the `.proto` files in pure Rust (no system `protoc`), and
//! `tonic-prost-build` turns the resulting descriptor set into prost messages
//! plus tonic clients and servers, one file per package in `OUT_DIR`
//! (`mvccpb.rs`, `etcdserverpb.rs`), included by `src/pb.rs`.

use std::path::Path;

/// Every `.proto` file compiled, relative to `PROTO_DIR`.
const PROTOS: &[&str] = &[
    "mvccpb/kv.proto",
    "etcdserverpb/kv.proto",
    "etcdserverpb/watch.proto",
    "etcdserverpb/lease.proto",
    "etcdserverpb/cluster.proto",
    "etcdserverpb/maintenance.proto",
];

/// Root of the `.proto` tree; also the import path (`import "mvccpb/kv.proto"`).
const PROTO_DIR: &str = "proto";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Rerun when anything under proto/ changes (cargo watches a directory
    // recursively), or when this script does.
    println!("cargo:rerun-if-changed={PROTO_DIR}");
    println!("cargo:rerun-if-changed=build.rs");

    let files: Vec<_> = PROTOS.iter().map(|p| Path::new(PROTO_DIR).join(p)).collect();
    let descriptors = protox::compile(&files, [PROTO_DIR])?;

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
