//! Field paths and field errors: the vocabulary every validator reports in.
//!
//! A [`Path`] names a field (`spec.containers[0].name`), an [`Error`] says
//! what is wrong with it, and an [`ErrorList`] collects the problems of one
//! object. [`to_status`] turns a list into the `422 Invalid` [`Status`] the
//! API server returns.
//!
//! ```
//! use keelson_core_types::validation::field::{self, Error, ErrorList, Path};
//!
//! let name = Path::new("metadata").child("name");
//! let mut errors = ErrorList::new();
//! errors.push(Error::invalid(&name, "Foo_Bar", "must be lower case"));
//! assert_eq!(
//!     errors.to_string(),
//!     r#"metadata.name: Invalid value: "Foo_Bar": must be lower case"#
//! );
//!
//! let status = field::to_status(&errors, "ConfigMap", "", "Foo_Bar");
//! assert_eq!(status.code, Some(422));
//! assert_eq!(status.reason.as_deref(), Some("Invalid"));
//! ```

use std::fmt;

use crate::meta::{Status, StatusCause, StatusDetails};

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Segment {
    /// A struct field, written `.name`.
    Child(String),
    /// A list position, written `[3]`.
    Index(usize),
    /// A map key, written `[key]` (without quotes).
    Key(String),
}

/// The location of a field inside an object, written as Kubernetes writes
/// it: `spec.containers[0].name`, `metadata.labels[app]`.
///
/// Paths are values: [`child`](Path::child), [`index`](Path::index) and
/// [`key`](Path::key) return a new, longer path and leave `self` alone, so a
/// parent path can be shared by the validators of all its fields.
///
/// ```
/// use keelson_core_types::validation::field::Path;
///
/// let containers = Path::new("spec").child("containers");
/// assert_eq!(containers.index(0).child("name").to_string(), "spec.containers[0].name");
/// assert_eq!(Path::new("metadata").child("labels").key("app").to_string(), "metadata.labels[app]");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path {
    segments: Vec<Segment>,
}

impl Path {
    /// A path of one field name, usually the root of an object (`metadata`,
    /// `spec`).
    pub fn new(name: impl Into<String>) -> Self {
        Path { segments: vec![Segment::Child(name.into())] }
    }

    /// The empty path, written as the empty string; its first child is
    /// written without a leading dot.
    pub fn empty() -> Self {
        Path::default()
    }

    /// Whether the path has no segments.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// This path followed by the struct field `name`.
    #[must_use]
    pub fn child(&self, name: impl Into<String>) -> Self {
        self.with(Segment::Child(name.into()))
    }

    /// This path followed by the list position `index`.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        self.with(Segment::Index(index))
    }

    /// This path followed by the map key `key`.
    #[must_use]
    pub fn key(&self, key: impl Into<String>) -> Self {
        self.with(Segment::Key(key.into()))
    }

    fn with(&self, segment: Segment) -> Self {
        let mut segments = Vec::with_capacity(self.segments.len() + 1);
        segments.extend(self.segments.iter().cloned());
        segments.push(segment);
        Path { segments }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Child(name) if i == 0 => f.write_str(name)?,
                Segment::Child(name) => write!(f, ".{name}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Key(key) => write!(f, "[{key}]")?,
            }
        }
        Ok(())
    }
}

/// The kind of problem a field [`Error`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// A required field is missing or empty.
    Required,
    /// The value is malformed or out of range.
    Invalid,
    /// The value repeats one that must be unique.
    Duplicate,
    /// The value is not one of a fixed set of choices.
    NotSupported,
    /// The field may not be set, or not to this value, in this context.
    Forbidden,
    /// The value is longer than allowed.
    TooLong,
    /// The list or map has more items than allowed.
    TooMany,
    /// Validation itself failed; not the client's fault.
    Internal,
}

impl ErrorType {
    /// The phrase that opens the error's message (`Invalid value`,
    /// `Required value`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Required => "Required value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Internal => "Internal error",
        }
    }

    /// The machine-readable `reason` of the [`StatusCause`] this error
    /// becomes (`FieldValueInvalid`, `FieldValueRequired`, ...).
    pub fn cause_reason(self) -> &'static str {
        match self {
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::Internal => "InternalError",
        }
    }

    /// Whether messages of this type leave the offending value out.
    fn hides_value(self) -> bool {
        matches!(
            self,
            ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong | ErrorType::Internal
        )
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that can appear in an error message as the offending value.
///
/// Strings are shown in double quotes with Go-style escapes (`"Foo_Bar"`,
/// `"a\nb"`), numbers and booleans bare, lists of strings as `["a", "b"]`,
/// and a missing optional value as `null`.
pub trait BadValue {
    /// The value as it appears in a message.
    fn render(&self) -> String;
}

impl BadValue for str {
    fn render(&self) -> String {
        quote(self)
    }
}

impl BadValue for String {
    fn render(&self) -> String {
        quote(self)
    }
}

impl<T: BadValue + ?Sized> BadValue for &T {
    fn render(&self) -> String {
        (**self).render()
    }
}

impl<T: BadValue> BadValue for Option<T> {
    fn render(&self) -> String {
        self.as_ref().map_or_else(|| "null".to_owned(), BadValue::render)
    }
}

impl BadValue for [String] {
    fn render(&self) -> String {
        let items: Vec<String> = self.iter().map(|s| quote(s)).collect();
        format!("[{}]", items.join(", "))
    }
}

impl BadValue for Vec<String> {
    fn render(&self) -> String {
        self.as_slice().render()
    }
}

macro_rules! bare_bad_value {
    ($($t:ty),*) => {
        $(impl BadValue for $t {
            fn render(&self) -> String {
                self.to_string()
            }
        })*
    };
}

bare_bad_value!(bool, i32, i64, u16, u32, u64, usize);

/// Quotes `s` as Go's `strconv.Quote` does, which is how Kubernetes shows
/// string values in messages: printable characters stay as they are,
/// everything else is escaped.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space are printable; controls, other
/// spaces, format characters and private-use characters are not.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e000}'..='\u{f8ff}'
            | '\u{f0000}'..='\u{10ffff}'
    )
}

/// One problem with one field.
///
/// Displays as Kubernetes writes field errors:
/// `<field>: <type>[: <value>][: <detail>]`, for example
/// `metadata.name: Invalid value: "Foo_Bar": <detail>` or
/// `spec.containers: Required value`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// What kind of problem this is.
    pub type_: ErrorType,
    /// The path of the field, as written by [`Path`]'s `Display`.
    pub field: String,
    /// The offending value as it appears in the message (strings quoted,
    /// numbers bare; see [`BadValue`]), or `None` to leave it out.
    pub bad_value: Option<String>,
    /// What is wrong and, ideally, what would be right; may be empty.
    pub detail: String,
}

impl Error {
    /// An error of any type; prefer the specific constructors.
    pub fn new(
        type_: ErrorType,
        field: &Path,
        bad_value: Option<String>,
        detail: impl Into<String>,
    ) -> Self {
        Error { type_, field: field.to_string(), bad_value, detail: detail.into() }
    }

    /// A required field is missing; `detail` may be empty.
    pub fn required(field: &Path, detail: impl Into<String>) -> Self {
        Error::new(ErrorType::Required, field, None, detail)
    }

    /// The field's `value` is invalid, for the reason in `detail`.
    pub fn invalid(field: &Path, value: impl BadValue, detail: impl Into<String>) -> Self {
        Error::new(ErrorType::Invalid, field, Some(value.render()), detail)
    }

    /// `value` repeats a value that must be unique.
    pub fn duplicate(field: &Path, value: impl BadValue) -> Self {
        Error::new(ErrorType::Duplicate, field, Some(value.render()), "")
    }

    /// `value` is not one of `supported`, which the message lists.
    pub fn not_supported<S: AsRef<str>>(
        field: &Path,
        value: impl BadValue,
        supported: &[S],
    ) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|s| quote(s.as_ref())).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Error::new(ErrorType::NotSupported, field, Some(value.render()), detail)
    }

    /// The field may not be set (or not to this value) here; `detail` says
    /// why.
    pub fn forbidden(field: &Path, detail: impl Into<String>) -> Self {
        Error::new(ErrorType::Forbidden, field, None, detail)
    }

    /// The field's value is longer than `max_bytes`.
    pub fn too_long(field: &Path, max_bytes: usize) -> Self {
        let unit = if max_bytes == 1 { "byte" } else { "bytes" };
        Error::new(ErrorType::TooLong, field, None, format!("must have at most {max_bytes} {unit}"))
    }

    /// The field holds `actual` items where at most `max` are allowed.
    pub fn too_many(field: &Path, actual: usize, max: usize) -> Self {
        let unit = if max == 1 { "item" } else { "items" };
        Error::new(
            ErrorType::TooMany,
            field,
            Some(actual.render()),
            format!("must have at most {max} {unit}"),
        )
    }

    /// Validation could not be completed; `detail` describes the failure.
    pub fn internal(field: &Path, detail: impl Into<String>) -> Self {
        Error::new(ErrorType::Internal, field, None, detail)
    }

    /// The message without the field path: `Invalid value: "x": detail`.
    /// This is the `message` of the error's [`StatusCause`].
    pub fn body(&self) -> String {
        let mut s = self.type_.as_str().to_owned();
        if let Some(value) = &self.bad_value
            && !self.type_.hides_value()
        {
            s.push_str(": ");
            s.push_str(value);
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    /// This error as one cause of a [`Status`].
    pub fn to_cause(&self) -> StatusCause {
        StatusCause {
            reason: Some(self.type_.cause_reason().to_owned()),
            message: Some(self.body()),
            field: Some(self.field.clone()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

impl std::error::Error for Error {}

/// All the problems found in one object, in the order they were found.
///
/// Displays as Kubernetes aggregates errors: a single distinct message as
/// is, several as `[first, second]` (repeated messages are shown once).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorList(pub Vec<Error>);

impl ErrorList {
    /// An empty list.
    pub fn new() -> Self {
        ErrorList(Vec::new())
    }

    /// Adds one error.
    pub fn push(&mut self, error: Error) {
        self.0.push(error);
    }

    /// Adds all errors of `other`.
    pub fn append(&mut self, mut other: ErrorList) {
        self.0.append(&mut other.0);
    }

    /// The errors as a vector.
    pub fn into_vec(self) -> Vec<Error> {
        self.0
    }

    /// `Ok(())` when the list is empty, the list itself otherwise.
    pub fn into_result(self) -> Result<(), ErrorList> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The `422 Invalid` [`Status`] for these errors; see [`to_status`].
    pub fn to_status(&self, kind: &str, group: &str, name: &str) -> Status {
        to_status(self, kind, group, name)
    }
}

impl std::ops::Deref for ErrorList {
    type Target = [Error];

    fn deref(&self) -> &[Error] {
        &self.0
    }
}

impl From<Vec<Error>> for ErrorList {
    fn from(errors: Vec<Error>) -> Self {
        ErrorList(errors)
    }
}

impl From<Error> for ErrorList {
    fn from(error: Error) -> Self {
        ErrorList(vec![error])
    }
}

impl FromIterator<Error> for ErrorList {
    fn from_iter<I: IntoIterator<Item = Error>>(iter: I) -> Self {
        ErrorList(iter.into_iter().collect())
    }
}

impl Extend<Error> for ErrorList {
    fn extend<I: IntoIterator<Item = Error>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for ErrorList {
    type Item = Error;
    type IntoIter = std::vec::IntoIter<Error>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ErrorList {
    type Item = &'a Error;
    type IntoIter = std::slice::Iter<'a, Error>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for ErrorList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut seen: Vec<String> = Vec::new();
        for error in &self.0 {
            let message = error.to_string();
            if !seen.contains(&message) {
                seen.push(message);
            }
        }
        match seen.as_slice() {
            [] => Ok(()),
            [only] => f.write_str(only),
            many => write!(f, "[{}]", many.join(", ")),
        }
    }
}

impl std::error::Error for ErrorList {}

/// The `422 Invalid` [`Status`] the API server returns when an object of
/// `kind` in `group` (empty for the core group) named `name` fails
/// validation with `errors`.
///
/// The message reads `<Kind>[.<group>] "<name>" is invalid: <errors>`, and
/// the details carry one cause per error with its reason, its message
/// without the field, and its field path.
///
/// ```
/// use keelson_core_types::validation::field::{to_status, Error, ErrorList, Path};
///
/// let errors = ErrorList::from(Error::required(&Path::new("spec").child("replicas"), ""));
/// let status = to_status(&errors, "Deployment", "apps", "web");
/// assert_eq!(
///     status.message.as_deref(),
///     Some(r#"Deployment.apps "web" is invalid: spec.replicas: Required value"#)
/// );
/// ```
pub fn to_status(errors: &ErrorList, kind: &str, group: &str, name: &str) -> Status {
    let qualified_kind = if group.is_empty() { kind.to_owned() } else { format!("{kind}.{group}") };
    let message = if errors.is_empty() {
        format!("{qualified_kind} {} is invalid", quote(name))
    } else {
        format!("{qualified_kind} {} is invalid: {errors}", quote(name))
    };
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Status::failure(422, "Invalid", message).with_details(StatusDetails {
        name: non_empty(name),
        group: non_empty(group),
        kind: non_empty(kind),
        uid: None,
        causes: errors.iter().map(Error::to_cause).collect(),
        retry_after_seconds: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_like_kubernetes() {
        let cases = [
            (Path::new("metadata").child("name"), "metadata.name"),
            (
                Path::new("spec").child("containers").index(0).child("name"),
                "spec.containers[0].name",
            ),
            (Path::new("metadata").child("labels").key("app"), "metadata.labels[app]"),
            (Path::new("data").key("a.b/c"), "data[a.b/c]"),
            (Path::new("spec").index(2).index(3), "spec[2][3]"),
            (Path::empty().child("spec"), "spec"),
            (Path::empty().index(1).child("x"), "[1].x"),
            (Path::empty(), ""),
        ];
        for (path, want) in cases {
            assert_eq!(path.to_string(), want);
        }
    }

    #[test]
    fn child_does_not_change_the_parent() {
        let parent = Path::new("spec");
        let a = parent.child("a");
        let b = parent.child("b");
        assert_eq!(parent.to_string(), "spec");
        assert_eq!(a.to_string(), "spec.a");
        assert_eq!(b.to_string(), "spec.b");
        assert!(!parent.is_empty());
        assert!(Path::empty().is_empty());
    }

    #[test]
    fn every_error_type_displays_like_kubernetes() {
        let p = Path::new("spec").child("x");
        let cases = [
            (
                Error::required(&Path::new("spec").child("containers"), ""),
                "spec.containers: Required value",
            ),
            (Error::required(&p, "must be set"), "spec.x: Required value: must be set"),
            (
                Error::invalid(&Path::new("metadata").child("name"), "Foo_Bar", "bad name"),
                r#"metadata.name: Invalid value: "Foo_Bar": bad name"#,
            ),
            (Error::invalid(&p, -1i64, "must be >= 0"), "spec.x: Invalid value: -1: must be >= 0"),
            (Error::invalid(&p, "", ""), r#"spec.x: Invalid value: """#),
            (Error::duplicate(&p, "a"), r#"spec.x: Duplicate value: "a""#),
            (
                Error::not_supported(
                    &Path::new("spec").child("restartPolicy"),
                    "Sometimes",
                    &["Always", "Never", "OnFailure"],
                ),
                r#"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure""#,
            ),
            (Error::not_supported::<&str>(&p, "b", &[]), r#"spec.x: Unsupported value: "b""#),
            (Error::forbidden(&p, "not allowed"), "spec.x: Forbidden: not allowed"),
            (
                Error::too_long(&Path::new("metadata").child("annotations"), 262144),
                "metadata.annotations: Too long: must have at most 262144 bytes",
            ),
            (Error::too_long(&p, 1), "spec.x: Too long: must have at most 1 byte"),
            (Error::too_many(&p, 5, 3), "spec.x: Too many: 5: must have at most 3 items"),
            (Error::too_many(&p, 2, 1), "spec.x: Too many: 2: must have at most 1 item"),
            (Error::internal(&p, "store unavailable"), "spec.x: Internal error: store unavailable"),
        ];
        for (error, want) in cases {
            assert_eq!(error.to_string(), want);
        }
    }

    #[test]
    fn types_that_hide_the_value_do_so_even_when_one_is_set() {
        let p = Path::new("x");
        for type_ in
            [ErrorType::Required, ErrorType::Forbidden, ErrorType::TooLong, ErrorType::Internal]
        {
            let e = Error::new(type_, &p, Some("\"v\"".into()), "d");
            assert_eq!(e.to_string(), format!("x: {}: d", type_.as_str()));
        }
        let e = Error::new(ErrorType::Invalid, &p, None, "d");
        assert_eq!(e.to_string(), "x: Invalid value: d");
    }

    #[test]
    fn strings_are_quoted_like_go() {
        let cases = [
            ("plain", r#""plain""#),
            ("a\"b", r#""a\"b""#),
            ("back\\slash", r#""back\\slash""#),
            ("line\nbreak\ttab\r", r#""line\nbreak\ttab\r""#),
            ("\u{0}\u{7f}", r#""\x00\x7f""#),
            ("héllo 世界", "\"héllo 世界\""),
            ("nb\u{a0}sp", r#""nb\u00a0sp""#),
            ("zw\u{200b}", r#""zw\u200b""#),
            ("\u{f0000}", r#""\U000f0000""#),
            ("😀", "\"😀\""),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), want, "quoting {input:?}");
        }
    }

    #[test]
    fn bad_values_render_by_type() {
        assert_eq!("x".render(), r#""x""#);
        assert_eq!(String::from("x").render(), r#""x""#);
        assert_eq!(7i32.render(), "7");
        assert_eq!(true.render(), "true");
        assert_eq!(vec!["a".to_string(), "b".to_string()].render(), r#"["a", "b"]"#);
        assert_eq!(Some(3i64).render(), "3");
        assert_eq!(None::<String>.render(), "null");
    }

    #[test]
    fn cause_reasons() {
        let cases = [
            (ErrorType::Required, "FieldValueRequired"),
            (ErrorType::Invalid, "FieldValueInvalid"),
            (ErrorType::Duplicate, "FieldValueDuplicate"),
            (ErrorType::NotSupported, "FieldValueNotSupported"),
            (ErrorType::Forbidden, "FieldValueForbidden"),
            (ErrorType::TooLong, "FieldValueTooLong"),
            (ErrorType::TooMany, "FieldValueTooMany"),
            (ErrorType::Internal, "InternalError"),
        ];
        for (type_, reason) in cases {
            assert_eq!(type_.cause_reason(), reason);
        }
    }

    #[test]
    fn lists_aggregate_like_kubernetes() {
        let p = Path::new("spec");
        let one = ErrorList::from(Error::required(&p, ""));
        assert_eq!(one.to_string(), "spec: Required value");

        let two: ErrorList =
            [Error::required(&p, ""), Error::forbidden(&p.child("x"), "no")].into_iter().collect();
        assert_eq!(two.to_string(), "[spec: Required value, spec.x: Forbidden: no]");

        let repeated: ErrorList =
            [Error::required(&p, ""), Error::required(&p, "")].into_iter().collect();
        assert_eq!(repeated.to_string(), "spec: Required value");

        assert_eq!(ErrorList::new().to_string(), "");
        assert!(ErrorList::new().into_result().is_ok());
        assert_eq!(one.clone().into_result(), Err(one));
    }

    #[test]
    fn list_collection_helpers() {
        let p = Path::new("a");
        let mut list = ErrorList::new();
        list.push(Error::required(&p, ""));
        list.extend([Error::required(&p, "x")]);
        list.append(ErrorList::from(vec![Error::forbidden(&p, "y")]));
        assert_eq!(list.len(), 3);
        assert_eq!(list[2].type_, ErrorType::Forbidden);
        assert_eq!((&list).into_iter().count(), 3);
        assert_eq!(list.into_vec().len(), 3);
    }

    #[test]
    fn status_for_one_error() {
        let errors = ErrorList::from(Error::invalid(
            &Path::new("metadata").child("name"),
            "Foo_Bar",
            "must be lower case",
        ));
        let status = to_status(&errors, "ConfigMap", "", "Foo_Bar");
        assert_eq!(status.code, Some(422));
        assert_eq!(status.reason.as_deref(), Some("Invalid"));
        assert_eq!(status.status.as_deref(), Some("Failure"));
        assert_eq!(status.kind.as_deref(), Some("Status"));
        assert_eq!(status.api_version.as_deref(), Some("v1"));
        assert_eq!(
            status.message.as_deref(),
            Some(
                r#"ConfigMap "Foo_Bar" is invalid: metadata.name: Invalid value: "Foo_Bar": must be lower case"#
            )
        );
        let details = status.details.unwrap();
        assert_eq!(details.name.as_deref(), Some("Foo_Bar"));
        assert_eq!(details.group, None);
        assert_eq!(details.kind.as_deref(), Some("ConfigMap"));
        assert_eq!(
            details.causes,
            vec![StatusCause {
                reason: Some("FieldValueInvalid".into()),
                message: Some(r#"Invalid value: "Foo_Bar": must be lower case"#.into()),
                field: Some("metadata.name".into()),
            }]
        );
    }

    #[test]
    fn status_for_several_errors_serializes_like_kubernetes() {
        let errors: ErrorList = [
            Error::required(&Path::new("spec").child("selector"), ""),
            Error::not_supported(
                &Path::new("spec").child("strategy").child("type"),
                "Fast",
                &["Recreate", "RollingUpdate"],
            ),
        ]
        .into_iter()
        .collect();
        let status = errors.to_status("Deployment", "apps", "web");
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "apiVersion": "v1",
                "kind": "Status",
                "metadata": {},
                "status": "Failure",
                "message": "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.strategy.type: Unsupported value: \"Fast\": supported values: \"Recreate\", \"RollingUpdate\"]",
                "reason": "Invalid",
                "details": {
                    "name": "web",
                    "group": "apps",
                    "kind": "Deployment",
                    "causes": [
                        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.selector"},
                        {
                            "reason": "FieldValueNotSupported",
                            "message": "Unsupported value: \"Fast\": supported values: \"Recreate\", \"RollingUpdate\"",
                            "field": "spec.strategy.type"
                        }
                    ]
                },
                "code": 422
            })
        );
    }

    #[test]
    fn status_for_no_errors_and_no_name() {
        let status = to_status(&ErrorList::new(), "Pod", "", "");
        assert_eq!(status.message.as_deref(), Some(r#"Pod "" is invalid"#));
        let details = status.details.unwrap();
        assert_eq!(details.name, None);
        assert!(details.causes.is_empty());
    }
}
