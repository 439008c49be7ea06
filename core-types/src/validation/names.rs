//! Rules for names and small scalar values: DNS names, qualified names,
//! label values, environment variable names, ports, IP addresses, CIDRs and
//! percentages.
//!
//! Each `is_*` function returns the list of problems with a value, one
//! message per broken rule; an empty list means the value is valid. The
//! messages are details for a field [`Error`](super::field::Error): they do
//! not name the field, and they say what the rule is with an example.
//!
//! Lengths are counted in bytes, as Kubernetes counts them.
//!
//! ```
//! use keelson_core_types::validation::names;
//!
//! assert!(names::is_dns1123_label("web-1").is_empty());
//! assert!(!names::is_dns1123_label("Web_1").is_empty());
//! assert!(names::is_qualified_name("app.kubernetes.io/name").is_empty());
//! ```

/// The longest DNS-1123 label, in bytes.
pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
/// The longest DNS-1123 subdomain, in bytes.
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
/// The longest DNS-1035 label, in bytes.
pub const DNS1035_LABEL_MAX_LENGTH: usize = 63;
/// The longest name part of a qualified name, in bytes.
pub const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
/// The longest label value, in bytes.
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;
/// The longest port name (an IANA service name), in bytes.
pub const PORT_NAME_MAX_LENGTH: usize = 15;
/// The longest ConfigMap or Secret key, in bytes.
pub const CONFIG_MAP_KEY_MAX_LENGTH: usize = 253;

/// A rule for `metadata.name` (or, with `prefix`, for `metadata.generateName`):
/// returns the problems with the name, empty when it is valid.
///
/// When `prefix` is true the value is a `generateName` prefix to which the
/// server appends random characters, so a trailing `-` is allowed.
pub type NameFn = fn(name: &str, prefix: bool) -> Vec<String>;

/// The problem with a value longer than `max` bytes.
fn max_len_error(max: usize) -> String {
    format!("must be at most {max} characters long")
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Whether `s` is non-empty, made of lower-case letters, digits and `-`, and
/// begins and ends with a letter or digit.
fn matches_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            is_lower_alnum(first)
                && is_lower_alnum(last)
                && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

/// Whether `s` is non-empty, made of letters, digits, `-`, `_` and `.`, and
/// begins and ends with a letter or digit.
fn matches_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

const DNS1123_LABEL_RULE: &str = "a DNS-1123 label may contain only lower-case letters, digits \
     and '-', and must begin and end with a letter or digit (for example 'web' or 'my-app-2')";

const DNS1123_SUBDOMAIN_RULE: &str = "a DNS-1123 subdomain may contain only lower-case \
     letters, digits, '-' and '.', and each '.'-separated part must be non-empty and begin and \
     end with a letter or digit (for example 'example.com' or 'my-name')";

const DNS1035_LABEL_RULE: &str = "a DNS-1035 label may contain only lower-case letters, digits \
     and '-', must begin with a letter and must end with a letter or digit (for example 'web' \
     or 'api-v2')";

const QUALIFIED_NAME_PART_RULE: &str = "may contain only letters, digits, '-', '_' and '.', and \
     must begin and end with a letter or digit (for example 'MyName', 'my.name' or '123-abc')";

const LABEL_VALUE_RULE: &str = "a label value must be empty or contain only letters, digits, \
     '-', '_' and '.', beginning and ending with a letter or digit (for example 'v1', \
     'my_value' or '12345')";

/// Checks a DNS-1123 label (RFC 1123): 1 to 63 lower-case letters, digits
/// and `-`, beginning and ending with a letter or digit. Used for namespace
/// names and most names that become host names.
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errors.push(max_len_error(DNS1123_LABEL_MAX_LENGTH));
    }
    if !matches_dns_label(value) {
        errors.push(DNS1123_LABEL_RULE.to_owned());
    }
    errors
}

/// Checks a DNS-1123 subdomain: at most 253 bytes of DNS-1123 label
/// characters and `.`, where every `.`-separated part is non-empty and
/// begins and ends with a letter or digit. The rule for most object names.
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errors.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !value.split('.').all(matches_dns_label) {
        errors.push(DNS1123_SUBDOMAIN_RULE.to_owned());
    }
    errors
}

/// Checks a DNS-1035 label (RFC 1035): like a DNS-1123 label but beginning
/// with a letter. The rule for Service names.
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1035_LABEL_MAX_LENGTH {
        errors.push(max_len_error(DNS1035_LABEL_MAX_LENGTH));
    }
    if !(matches_dns_label(value) && value.as_bytes()[0].is_ascii_lowercase()) {
        errors.push(DNS1035_LABEL_RULE.to_owned());
    }
    errors
}

/// Checks a qualified name, the rule for label keys, annotation keys and
/// finalizers: an optional DNS-1123 subdomain prefix and `/`, then a name of
/// at most 63 letters, digits, `-`, `_` and `.` that begins and ends with a
/// letter or digit (`app`, `example.com/MyKey`).
///
/// At most one `/` is allowed, and neither side of it may be empty.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let name = match value.split_once('/') {
        None => value,
        Some((_, rest)) if rest.contains('/') => {
            errors.push(format!(
                "a qualified name is a name part that {QUALIFIED_NAME_PART_RULE}, optionally \
                 preceded by a DNS subdomain prefix and a single '/' (for example \
                 'example.com/MyName')"
            ));
            return errors;
        }
        Some((prefix, name)) => {
            if prefix.is_empty() {
                errors.push("prefix part must not be empty".to_owned());
            } else {
                errors.extend(
                    is_dns1123_subdomain(prefix).into_iter().map(|m| format!("prefix part {m}")),
                );
            }
            name
        }
    };
    if name.is_empty() {
        errors.push("name part must not be empty".to_owned());
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errors.push(format!("name part {}", max_len_error(QUALIFIED_NAME_MAX_LENGTH)));
    }
    if !matches_qualified_name_part(name) {
        errors.push(format!("name part {QUALIFIED_NAME_PART_RULE}"));
    }
    errors
}

/// Checks a label value: empty, or at most 63 letters, digits, `-`, `_` and
/// `.` beginning and ending with a letter or digit.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errors.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !matches_qualified_name_part(value) {
        errors.push(LABEL_VALUE_RULE.to_owned());
    }
    errors
}

/// Checks a C identifier: letters, digits and `_`, not beginning with a
/// digit (`MY_VAR`).
pub fn is_c_identifier(value: &str) -> Vec<String> {
    let b = value.as_bytes();
    let valid = b.first().is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_');
    if valid {
        Vec::new()
    } else {
        vec![
            "a C identifier may contain only letters, digits and '_', and must not begin with \
             a digit (for example 'MY_VAR' or 'var_1')"
                .to_owned(),
        ]
    }
}

/// Checks an environment variable name as current Kubernetes does: any
/// non-empty string of printable ASCII characters (space included) other
/// than `=`.
pub fn is_env_var_name(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.is_empty() {
        errors.push("environment variable name must not be empty".to_owned());
    }
    if value.chars().any(|c| !(' '..='~').contains(&c) || c == '=') {
        errors.push(
            "an environment variable name may contain only printable ASCII characters other \
             than '=' (for example 'MY_VAR' or 'my.var')"
                .to_owned(),
        );
    }
    errors
}

/// Checks a ConfigMap or Secret key: at most 253 letters, digits, `-`, `_`
/// and `.`, not `.` or `..`, and not beginning with `..`.
pub fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > CONFIG_MAP_KEY_MAX_LENGTH {
        errors.push(max_len_error(CONFIG_MAP_KEY_MAX_LENGTH));
    }
    if value.is_empty()
        || !value.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        errors.push(
            "a key may contain only letters, digits, '-', '_' and '.' (for example \
             'key.name', 'KEY_NAME' or 'key-name')"
                .to_owned(),
        );
    }
    if value == "." {
        errors.push("must not be '.'".to_owned());
    } else if value == ".." {
        errors.push("must not be '..'".to_owned());
    } else if value.starts_with("..") {
        errors.push("must not begin with '..'".to_owned());
    }
    errors
}

/// Checks a port number: 1 to 65535.
pub fn is_valid_port_num(port: i64) -> Vec<String> {
    if (1..=65535).contains(&port) {
        Vec::new()
    } else {
        vec!["must be a port number between 1 and 65535".to_owned()]
    }
}

/// Checks a port name (an IANA service name): at most 15 lower-case
/// letters, digits and `-`, with at least one letter, and no leading,
/// trailing or doubled `-` (`http`, `metrics-2`).
pub fn is_valid_port_name(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > PORT_NAME_MAX_LENGTH {
        errors.push(max_len_error(PORT_NAME_MAX_LENGTH));
    }
    if value.is_empty() || !value.bytes().all(|c| is_lower_alnum(c) || c == b'-') {
        errors.push(
            "a port name may contain only lower-case letters, digits and '-' (for example \
             'http' or 'metrics-2')"
                .to_owned(),
        );
    }
    if !value.bytes().any(|c| c.is_ascii_lowercase()) {
        errors.push("a port name must contain at least one letter (a-z)".to_owned());
    }
    if value.contains("--") {
        errors.push("a port name must not contain two '-' in a row".to_owned());
    }
    if value.starts_with('-') || value.ends_with('-') {
        errors.push("a port name must not begin or end with '-'".to_owned());
    }
    errors
}

/// Checks an IPv4 or IPv6 address in its usual text form (`10.0.0.1`,
/// `2001:db8::1`).
///
/// IPv4 octets with leading zeros (`010.0.0.1`) are rejected: they are
/// ambiguous (octal or decimal?), and newer Kubernetes versions reject them
/// as well.
pub fn is_valid_ip(value: &str) -> Vec<String> {
    if value.parse::<std::net::IpAddr>().is_ok() {
        Vec::new()
    } else {
        vec!["must be an IPv4 or IPv6 address (for example '10.0.0.1' or '2001:db8::1')".to_owned()]
    }
}

/// Checks a CIDR block: an IP address, `/`, and a prefix length of at most
/// 32 (IPv4) or 128 (IPv6) without leading zeros (`10.0.0.0/8`,
/// `2001:db8::/32`). Bits set after the prefix are accepted, as Kubernetes
/// accepts them.
pub fn is_valid_cidr(value: &str) -> Vec<String> {
    let valid = value.split_once('/').is_some_and(|(ip, bits)| {
        let max = match ip.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => 32,
            Ok(std::net::IpAddr::V6(_)) => 128,
            Err(_) => return false,
        };
        !bits.is_empty()
            && bits.len() <= 3
            && bits.bytes().all(|c| c.is_ascii_digit())
            && (bits == "0" || !bits.starts_with('0'))
            && bits.parse::<u32>().is_ok_and(|n| n <= max)
    });
    if valid {
        Vec::new()
    } else {
        vec![
            "must be a CIDR block: an IP address, '/' and a prefix length (for example \
             '10.0.0.0/8' or '2001:db8::/32')"
                .to_owned(),
        ]
    }
}

/// Checks a percentage: one or more digits followed by `%` (`25%`).
pub fn is_valid_percent(value: &str) -> Vec<String> {
    let valid = value
        .strip_suffix('%')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()));
    if valid {
        Vec::new()
    } else {
        vec!["a percentage must be digits followed by '%' (for example '5%' or '100%')".to_owned()]
    }
}

/// Checks a name that becomes one segment of a URL path: not `.` or `..`,
/// and without `/` or `%`. The loosest name rule, used by kinds such as
/// RBAC roles whose names may contain `:`.
pub fn is_valid_path_segment_name(value: &str) -> Vec<String> {
    if value == "." || value == ".." {
        return vec![format!("must not be '{value}'")];
    }
    is_valid_path_segment_prefix(value)
}

/// Checks a prefix of a path segment name: without `/` or `%`.
fn is_valid_path_segment_prefix(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    for forbidden in ["/", "%"] {
        if value.contains(forbidden) {
            errors.push(format!("must not contain '{forbidden}'"));
        }
    }
    errors
}

/// A `generateName` prefix may end with `-`: replace a trailing `-` with a
/// letter so that the name rules (which forbid a trailing `-`) check the
/// rest, while the length stays the same.
fn mask_trailing_dash(name: &str) -> std::borrow::Cow<'_, str> {
    match name.strip_suffix('-') {
        Some(rest) if !rest.is_empty() => format!("{rest}a").into(),
        _ => name.into(),
    }
}

/// A [`NameFn`]: the name must be a DNS-1123 subdomain (the rule for most
/// kinds). With `prefix`, one trailing `-` is allowed.
pub fn name_is_dns_subdomain(name: &str, prefix: bool) -> Vec<String> {
    if prefix {
        is_dns1123_subdomain(&mask_trailing_dash(name))
    } else {
        is_dns1123_subdomain(name)
    }
}

/// A [`NameFn`]: the name must be a DNS-1123 label (namespaces, nodes'
/// host names). With `prefix`, one trailing `-` is allowed.
pub fn name_is_dns_label(name: &str, prefix: bool) -> Vec<String> {
    if prefix { is_dns1123_label(&mask_trailing_dash(name)) } else { is_dns1123_label(name) }
}

/// A [`NameFn`]: the name must be a DNS-1035 label (Services). With
/// `prefix`, one trailing `-` is allowed.
pub fn name_is_dns1035_label(name: &str, prefix: bool) -> Vec<String> {
    if prefix { is_dns1035_label(&mask_trailing_dash(name)) } else { is_dns1035_label(name) }
}

/// A [`NameFn`]: the name must be usable as a URL path segment (RBAC kinds
/// and others with loose names). A prefix may be `.` or `..`, since
/// characters follow it.
pub fn name_is_path_segment(name: &str, prefix: bool) -> Vec<String> {
    if prefix { is_valid_path_segment_prefix(name) } else { is_valid_path_segment_name(name) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(errors: Vec<String>) -> bool {
        errors.is_empty()
    }

    #[track_caller]
    fn table(rule: fn(&str) -> Vec<String>, good: &[&str], bad: &[&str]) {
        for value in good {
            let errors = rule(value);
            assert!(errors.is_empty(), "{value:?} should be valid, got {errors:?}");
        }
        for value in bad {
            assert!(!ok(rule(value)), "{value:?} should be invalid");
        }
    }

    #[test]
    fn dns1123_label() {
        let max = "a".repeat(63);
        let too_long = "a".repeat(64);
        table(
            is_dns1123_label,
            &["a", "0", "abc", "a-b", "a--b", "1-2", "0abc", "abc9", &max],
            &["", "-", "-a", "a-", "A", "aB", "a_b", "a.b", "a b", "é", "a/b", "ab\n", &too_long],
        );
        assert_eq!(is_dns1123_label(&too_long), vec![max_len_error(63)]);
        assert_eq!(is_dns1123_label("A").len(), 1);
        assert!(is_dns1123_label("a_b")[0].contains("'my-app-2'"));
        // Too long and malformed: both problems are reported.
        assert_eq!(is_dns1123_label(&"A".repeat(64)).len(), 2);
    }

    #[test]
    fn dns1123_subdomain() {
        let max =
            format!("{}.{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assert_eq!(max.len(), 253);
        let too_long = format!("{max}e");
        table(
            is_dns1123_subdomain,
            &[
                "a",
                "a.b",
                "example.com",
                "my-name",
                "a-b.c-d",
                "0.1.2",
                "a.b.c.d.e",
                &"x".repeat(100),
                &max,
            ],
            &[
                "", ".", "a.", ".a", "a..b", "-a", "a-", "a-.b", "a.-b", "A.b", "a_b", "a b",
                "a/b", "ü.com", &too_long,
            ],
        );
        assert_eq!(is_dns1123_subdomain(&too_long), vec![max_len_error(253)]);
    }

    #[test]
    fn dns1035_label() {
        let max = "a".repeat(63);
        let too_long = "a".repeat(64);
        table(
            is_dns1035_label,
            &["a", "abc", "a-1", "web-api", "z9", &max],
            &["", "0", "0a", "1-a", "-a", "a-", "A", "a.b", "a_b", &too_long],
        );
    }

    #[test]
    fn qualified_name() {
        let name63 = "a".repeat(63);
        let name64 = "a".repeat(64);
        let prefix253 =
            format!("{}.{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        let with_max_prefix = format!("{prefix253}/{name63}");
        let with_long_prefix = format!("{prefix253}x/a");
        let with_long_name = format!("a/{name64}");
        table(
            is_qualified_name,
            &[
                "a",
                "A",
                "MyName",
                "my.name",
                "my_name",
                "123-abc",
                "a-_.b",
                "example.com/MyName",
                "app.kubernetes.io/name",
                "k8s.io/a",
                "a/b",
                &name63,
                &with_max_prefix,
            ],
            &[
                "",
                "/",
                "/a",
                "a/",
                "a/b/c",
                "-a",
                "a-",
                "_a",
                "a_",
                ".a",
                "a.",
                "a b",
                "a:b",
                "Example.com/a",
                "exa_mple.com/a",
                "é",
                "ä/b",
                &name64,
                &with_long_prefix,
                &with_long_name,
            ],
        );
        assert_eq!(is_qualified_name("/a"), vec!["prefix part must not be empty".to_owned()]);
        let errors = is_qualified_name("a/");
        assert_eq!(errors[0], "name part must not be empty");
        assert_eq!(errors.len(), 2);
        assert_eq!(is_qualified_name("a/b/c").len(), 1);
        assert!(is_qualified_name("a/b/c")[0].contains("single '/'"));
        assert!(is_qualified_name("Foo.com/a")[0].starts_with("prefix part "));
        assert_eq!(is_qualified_name(&name64), vec![format!("name part {}", max_len_error(63))]);
    }

    #[test]
    fn label_value() {
        let max = "a".repeat(63);
        let too_long = "a".repeat(64);
        table(
            is_valid_label_value,
            &["", "a", "V1", "my_value", "12345", "a.b-c_d", &max],
            &["-", "_", ".", "a-", "-a", "a b", "a/b", "a:b", "é", &too_long],
        );
        assert_eq!(is_valid_label_value(&too_long), vec![max_len_error(63)]);
    }

    #[test]
    fn c_identifier() {
        table(
            is_c_identifier,
            &["a", "_", "A1", "MY_VAR", "_x9"],
            &["", "1a", "a-b", "a.b", "a b", "é"],
        );
    }

    #[test]
    fn env_var_name() {
        table(
            is_env_var_name,
            &["A", "MY_VAR", "my.var", "1abc", "a-b", "with space", "!@#$%^&*()", "~", " "],
            &["", "A=B", "=", "tab\t", "new\nline", "é", "\u{7f}", "日本"],
        );
        assert_eq!(
            is_env_var_name(""),
            vec!["environment variable name must not be empty".to_owned()]
        );
    }

    #[test]
    fn config_map_key() {
        let max = "k".repeat(253);
        let too_long = "k".repeat(254);
        table(
            is_config_map_key,
            &["a", "key.name", "KEY_NAME", "key-name", ".hidden", "a..b", &max],
            &["", ".", "..", "..a", "a/b", "a b", "é", &too_long],
        );
        assert_eq!(is_config_map_key(".."), vec!["must not be '..'".to_owned()]);
    }

    #[test]
    fn port_number() {
        for good in [1, 80, 8080, 65535] {
            assert!(ok(is_valid_port_num(good)), "{good}");
        }
        for bad in [-1, 0, 65536, i64::MAX, i64::MIN] {
            assert!(!ok(is_valid_port_num(bad)), "{bad}");
        }
    }

    #[test]
    fn port_name() {
        let max = format!("a{}", "1".repeat(14));
        assert_eq!(max.len(), 15);
        let too_long = format!("{max}1");
        table(
            is_valid_port_name,
            &["a", "http", "https", "metrics-2", "a-b-c", "1a", "a1", "h2c", &max],
            &["", "1", "123", "-a", "a-", "a--b", "HTTP", "a_b", "a.b", "é", &too_long],
        );
        assert_eq!(is_valid_port_name(&too_long), vec![max_len_error(15)]);
        assert_eq!(
            is_valid_port_name("-"),
            vec![
                "a port name must contain at least one letter (a-z)".to_owned(),
                "a port name must not begin or end with '-'".to_owned(),
            ]
        );
    }

    #[test]
    fn ip_addresses() {
        table(
            is_valid_ip,
            &[
                "10.0.0.1",
                "0.0.0.0",
                "255.255.255.255",
                "::",
                "::1",
                "2001:db8::1",
                "::ffff:1.2.3.4",
            ],
            &[
                "",
                "1.2.3",
                "1.2.3.4.5",
                "256.0.0.1",
                "010.0.0.1",
                "1.2.3.4/8",
                "fe80::1%eth0",
                "::g",
                " 1.2.3.4",
                "a",
            ],
        );
    }

    #[test]
    fn cidrs() {
        table(
            is_valid_cidr,
            &[
                "10.0.0.0/8",
                "0.0.0.0/0",
                "1.2.3.4/32",
                "10.0.0.1/24",
                "2001:db8::/32",
                "::/0",
                "::1/128",
            ],
            &[
                "",
                "10.0.0.0",
                "10.0.0.0/",
                "10.0.0.0/33",
                "::/129",
                "10.0.0.0/08",
                "10.0.0.0/+8",
                "10.0.0.0/-1",
                "/8",
                "a/8",
                "10.0.0.0/8/8",
                "10.0.0.0/ 8",
            ],
        );
    }

    #[test]
    fn percentages() {
        table(
            is_valid_percent,
            &["0%", "5%", "100%", "250%", "007%"],
            &["", "%", "5", "5.5%", "-5%", "5 %", "%5", "5%%", "a%"],
        );
    }

    #[test]
    fn path_segment_names() {
        table(
            is_valid_path_segment_name,
            &["a", "system:admin", "UPPER", "a.b", "...", "with space"],
            &[".", "..", "a/b", "50%", "/"],
        );
        assert_eq!(
            is_valid_path_segment_name("a/%"),
            vec!["must not contain '/'".to_owned(), "must not contain '%'".to_owned()]
        );
        assert!(ok(name_is_path_segment("..", true)));
        assert!(!ok(name_is_path_segment("..", false)));
        assert!(!ok(name_is_path_segment("a/", true)));
    }

    #[test]
    fn generate_name_prefixes() {
        // A trailing '-' is fine for a prefix, not for a name.
        assert!(ok(name_is_dns_subdomain("web-", true)));
        assert!(!ok(name_is_dns_subdomain("web-", false)));
        assert!(ok(name_is_dns_subdomain("a.b-", true)));
        assert!(ok(name_is_dns_label("web-", true)));
        assert!(ok(name_is_dns1035_label("web-", true)));
        // Only one trailing '-' is masked, and the rest must still be valid.
        assert!(ok(name_is_dns_subdomain("web--", true)));
        assert!(!ok(name_is_dns_subdomain("-", true)));
        assert!(!ok(name_is_dns_subdomain("Web-", true)));
        // "a.-" masks to "a.a", which is fine; "a..-" masks to "a..a", which is not.
        assert!(ok(name_is_dns_subdomain("a.-", true)));
        assert!(!ok(name_is_dns_subdomain("a..-", true)));
        assert!(!ok(name_is_dns1035_label("1web-", true)));
        // The length limit still applies to the prefix.
        assert!(ok(name_is_dns_label(&format!("{}-", "a".repeat(62)), true)));
        assert!(!ok(name_is_dns_label(&format!("{}-", "a".repeat(63)), true)));
        // Without prefix the functions are the plain rules.
        assert_eq!(name_is_dns_subdomain("Foo", false), is_dns1123_subdomain("Foo"));
        assert_eq!(name_is_dns_label("a.b", false), is_dns1123_label("a.b"));
        let f: NameFn = name_is_dns_subdomain;
        assert!(ok(f("ok", false)));
    }
}
