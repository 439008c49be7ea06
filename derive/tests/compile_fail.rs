//! What the derives reject at compile time: every case in `tests/ui/` must
//! fail to compile with exactly the messages in its `.stderr` file.
//!
//! Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p keelson-derive --test compile_fail`,
//! then read every changed `.stderr` file.

#[test]
fn compile_fail() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
