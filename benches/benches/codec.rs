//! Decoding and encoding a realistic Pod with Keelson's model beside
//! k8s-openapi's, in the same run.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keelson_benches::fixtures::POD_JSON;

fn pod_codec(c: &mut Criterion) {
    let bytes = POD_JSON.as_bytes();
    let ours: keelson_core_types::api::core::v1::Pod = serde_json::from_slice(bytes).unwrap();
    let theirs: k8s_openapi::api::core::v1::Pod = serde_json::from_slice(bytes).unwrap();

    let mut decode = c.benchmark_group("pod/decode");
    decode.throughput(Throughput::Bytes(bytes.len() as u64));
    decode.bench_function("keelson", |b| {
        b.iter(|| {
            serde_json::from_slice::<keelson_core_types::api::core::v1::Pod>(black_box(bytes))
                .unwrap()
        })
    });
    decode.bench_function("k8s-openapi", |b| {
        b.iter(|| {
            serde_json::from_slice::<k8s_openapi::api::core::v1::Pod>(black_box(bytes)).unwrap()
        })
    });
    decode.finish();

    let mut encode = c.benchmark_group("pod/encode");
    encode.throughput(Throughput::Bytes(bytes.len() as u64));
    encode.bench_function("keelson", |b| b.iter(|| serde_json::to_vec(black_box(&ours)).unwrap()));
    encode.bench_function("k8s-openapi", |b| {
        b.iter(|| serde_json::to_vec(black_box(&theirs)).unwrap())
    });
    encode.finish();
}

criterion_group!(benches, pod_codec);
criterion_main!(benches);
