//! The label-key and label-value rules selectors check, as
//! `Result<(), reason>` for the selector error types. The rules themselves
//! live in [`crate::validation::names`].

use crate::validation::names;

/// Checks a label key: an optional DNS-subdomain prefix and `/`, then a name.
pub(crate) fn check_key(key: &str) -> Result<(), String> {
    to_result(names::is_qualified_name(key))
}

/// Checks a label value: empty, or a name of at most 63 characters.
pub(crate) fn check_value(value: &str) -> Result<(), String> {
    to_result(names::is_valid_label_value(value))
}

fn to_result(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for good in [
            "a",
            "app",
            "A_b-c.D",
            "9",
            "example.com/app",
            "kubernetes.io/role",
            "a-b.c-d/x",
            &"k".repeat(63),
            &format!("{}/n", "p".repeat(253)),
        ] {
            assert_eq!(check_key(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a b",
            "/a",
            "a/",
            "a/b/c",
            "Example.com/a",
            "ex_ample.com/a",
            "a..b/c",
            ".a/b",
            "é",
            &"k".repeat(64),
            &format!("{}/n", "p".repeat(254)),
        ] {
            assert!(check_key(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn values() {
        for good in ["", "a", "prod", "v1.2_3-x", "007", &"v".repeat(63)] {
            assert_eq!(check_value(good), Ok(()), "{good}");
        }
        for bad in ["-1", "a/b", "a b", "_a", "a.", &"v".repeat(64)] {
            assert!(check_value(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
