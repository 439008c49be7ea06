//! Field selectors: `metadata.name=web,status.phase!=Running`.
//!
//! A field selector is a comma-separated list of `field=value`,
//! `field==value` (the same) and `field!=value` terms, all of which must
//! hold. In a value, `\`, `,` and `=` are written `\\`, `\,` and `\=`;
//! everything else, spaces included, is taken literally. Spaces around a
//! field name are ignored. The empty string selects everything.
//!
//! ```
//! use std::collections::BTreeMap;
//! use keelson_core_types::fields::Selector;
//!
//! let selector: Selector = "status.phase!=Failed,spec.nodeName==node\\,1".parse().unwrap();
//! assert_eq!(selector.to_string(), "spec.nodeName=node\\,1,status.phase!=Failed");
//! assert_eq!(selector.requires_exact_match("spec.nodeName"), Some("node,1"));
//!
//! let fields = BTreeMap::from([
//!     ("spec.nodeName".to_string(), "node,1".to_string()),
//!     ("status.phase".to_string(), "Running".to_string()),
//! ]);
//! assert!(selector.matches(&fields));
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;

/// Anything whose fields a field [`Selector`] can match against.
///
/// A field that is not there counts as the empty string, as in Kubernetes.
pub trait Fields {
    /// The value of the field `name` (`metadata.name`), if it has one.
    fn field(&self, name: &str) -> Option<&str>;
}

impl Fields for BTreeMap<String, String> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl<S: BuildHasher> Fields for HashMap<String, String, S> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl<F: Fields + ?Sized> Fields for &F {
    fn field(&self, name: &str) -> Option<&str> {
        (**self).field(name)
    }
}

/// How a field [`Requirement`] compares a field with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `field=value` (or `field==value`): the field has the value.
    Equals,
    /// `field!=value`: the field has another value.
    NotEquals,
}

/// A field name that cannot appear in a field selector.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid field name {field:?}: it must not be empty nor contain whitespace, '=', '!', ',' or '\\'"
)]
pub struct InvalidField {
    /// The field name given.
    pub field: String,
}

fn check_field(field: &str) -> Result<(), InvalidField> {
    let bad = |c: char| c.is_whitespace() || matches!(c, '=' | '!' | ',' | '\\');
    if field.is_empty() || field.contains(bad) {
        Err(InvalidField { field: field.to_string() })
    } else {
        Ok(())
    }
}

/// One term of a field [`Selector`]: a field, an [`Operator`] and a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    field: String,
    operator: Operator,
    value: String,
}

impl Requirement {
    /// Builds a term; the field name must not be empty nor contain
    /// whitespace, `=`, `!`, `,` or `\`. Any value is allowed.
    pub fn new(
        field: impl Into<String>,
        operator: Operator,
        value: impl Into<String>,
    ) -> Result<Self, InvalidField> {
        let field = field.into();
        check_field(&field)?;
        Ok(Requirement { field, operator, value: value.into() })
    }

    /// `field=value`.
    pub fn equals(
        field: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, InvalidField> {
        Self::new(field, Operator::Equals, value)
    }

    /// `field!=value`.
    pub fn not_equals(
        field: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, InvalidField> {
        Self::new(field, Operator::NotEquals, value)
    }

    /// The field name.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The value, unescaped.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether a field with value `value` (`None`: absent, the same as
    /// empty) satisfies this term.
    pub fn matches_value(&self, value: Option<&str>) -> bool {
        let equal = value.unwrap_or("") == self.value;
        match self.operator {
            Operator::Equals => equal,
            Operator::NotEquals => !equal,
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operator = match self.operator {
            Operator::Equals => "=",
            Operator::NotEquals => "!=",
        };
        write!(f, "{}{operator}{}", self.field, escape_value(&self.value))
    }
}

/// Writes `\`, `,` and `=` in a value as `\\`, `\,` and `\=`.
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A field selector: terms that must all hold.
///
/// Terms are kept sorted (by field, operator, value), the order `Display`
/// prints them in. The empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

impl Selector {
    /// The selector that matches everything.
    pub fn everything() -> Self {
        Selector::default()
    }

    /// A selector of the given terms.
    pub fn from_requirements(requirements: impl IntoIterator<Item = Requirement>) -> Self {
        let mut requirements: Vec<Requirement> = requirements.into_iter().collect();
        requirements.sort();
        Selector { requirements }
    }

    /// Parses the string form; the empty string is
    /// [`Selector::everything`].
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        input.parse()
    }

    /// This selector with one more term.
    #[must_use]
    pub fn with(mut self, requirement: Requirement) -> Self {
        let at = self.requirements.partition_point(|r| *r <= requirement);
        self.requirements.insert(at, requirement);
        self
    }

    /// The terms, sorted.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether there are no terms, so that everything matches.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether `fields` satisfy every term.
    pub fn matches<F: Fields + ?Sized>(&self, fields: &F) -> bool {
        self.matches_fn(|name| fields.field(name))
    }

    /// Whether the fields that `field` looks up satisfy every term. A field
    /// the closure returns `None` for counts as empty.
    pub fn matches_fn<S: AsRef<str>>(&self, field: impl Fn(&str) -> Option<S>) -> bool {
        self.requirements
            .iter()
            .all(|r| r.matches_value(field(&r.field).as_ref().map(AsRef::as_ref)))
    }

    /// The value `field` must have for this selector to match, if a
    /// `field=value` term pins it. The API server uses this to narrow a
    /// list (`spec.nodeName=node-1`) before matching.
    pub fn requires_exact_match(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.operator == Operator::Equals && r.field == field)
            .map(|r| r.value.as_str())
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, requirement) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{requirement}")?;
        }
        Ok(())
    }
}

impl FromIterator<Requirement> for Selector {
    fn from_iter<T: IntoIterator<Item = Requirement>>(iter: T) -> Self {
        Self::from_requirements(iter)
    }
}

/// Why a string is not a valid field selector, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse field selector {input:?}: at position {position}: {kind}")]
pub struct ParseError {
    input: String,
    position: usize,
    kind: ParseErrorKind,
}

impl ParseError {
    /// The string that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The byte offset in the input where the problem was found.
    pub fn position(&self) -> usize {
        self.position
    }

    /// What the problem is.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }
}

/// The problem a field selector [`ParseError`] reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// A term without `=`, `==` or `!=`.
    #[error("{term:?} is not a term: expected field=value, field==value or field!=value")]
    MissingOperator {
        /// The term.
        term: String,
    },
    /// The field name is empty or contains a character it may not.
    #[error(transparent)]
    InvalidField(InvalidField),
    /// A backslash in a value not followed by `\`, `,` or `=`.
    #[error("invalid escape sequence {sequence:?} in a value: only \\\\, \\, and \\= are allowed")]
    InvalidEscape {
        /// The backslash and the character after it, if any.
        sequence: String,
    },
    /// A `,` or `=` inside a value that is not escaped with `\`.
    #[error("'{character}' in a value must be escaped as '\\{character}'")]
    UnescapedCharacter {
        /// The character.
        character: char,
    },
}

impl FromStr for Selector {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let error = |position, kind| ParseError { input: input.to_string(), position, kind };
        let mut requirements = Vec::new();
        for (start, term) in split_terms(input) {
            if term.is_empty() {
                continue;
            }
            let Some((op_at, operator, op_len)) = find_operator(term) else {
                let kind = ParseErrorKind::MissingOperator { term: term.to_string() };
                return Err(error(start, kind));
            };
            let raw_field = &term[..op_at];
            let field = raw_field.trim();
            let field_at = if field.is_empty() {
                start + op_at
            } else {
                start + (raw_field.len() - raw_field.trim_start().len())
            };
            if let Err(e) = check_field(field) {
                return Err(error(field_at, ParseErrorKind::InvalidField(e)));
            }
            let value_at = start + op_at + op_len;
            let value = unescape_value(&term[op_at + op_len..])
                .map_err(|(offset, kind)| error(value_at + offset, kind))?;
            requirements.push(Requirement { field: field.to_string(), operator, value });
        }
        Ok(Selector::from_requirements(requirements))
    }
}

/// Splits on commas not escaped by a backslash, giving each term with the
/// byte offset it starts at.
fn split_terms(input: &str) -> Vec<(usize, &str)> {
    let mut terms = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in input.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' {
            terms.push((start, &input[start..i]));
            start = i + 1;
        }
    }
    terms.push((start, &input[start..]));
    terms
}

/// The first `!=`, `==` or `=` in a term: its offset, operator and length.
fn find_operator(term: &str) -> Option<(usize, Operator, usize)> {
    let bytes = term.as_bytes();
    (0..bytes.len()).find_map(|i| {
        let rest = &bytes[i..];
        if rest.starts_with(b"!=") {
            Some((i, Operator::NotEquals, 2))
        } else if rest.starts_with(b"==") {
            Some((i, Operator::Equals, 2))
        } else if rest.starts_with(b"=") {
            Some((i, Operator::Equals, 1))
        } else {
            None
        }
    })
}

/// Undoes [`escape_value`]; on failure, the offset of the problem within
/// `raw` and what it is.
fn unescape_value(raw: &str) -> Result<String, (usize, ParseErrorKind)> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, next @ ('\\' | ',' | '='))) => out.push(next),
                other => {
                    let sequence = other.map_or("\\".to_string(), |(_, next)| format!("\\{next}"));
                    return Err((i, ParseErrorKind::InvalidEscape { sequence }));
                }
            },
            ',' | '=' => return Err((i, ParseErrorKind::UnescapedCharacter { character: c })),
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn good_forms_and_their_canonical_display() {
        let cases = [
            ("", ""),
            (",", ""),
            ("a=b", "a=b"),
            ("a==b", "a=b"),
            ("a!=b", "a!=b"),
            ("a=", "a="),
            ("a!=", "a!="),
            ("  a  =b", "a=b"),
            ("a= b ", "a= b "),
            ("b=1,a=2", "a=2,b=1"),
            ("a=1,,b=2", "a=1,b=2"),
            ("a!=1,a=1", "a=1,a!=1"),
            (
                "metadata.name=web,metadata.namespace!=kube-system",
                "metadata.name=web,metadata.namespace!=kube-system",
            ),
            (r"a=x\,y", r"a=x\,y"),
            (r"a=x\=y", r"a=x\=y"),
            (r"a=x\\y", r"a=x\\y"),
            (r"a=\\", r"a=\\"),
            (r"a==\=b", r"a=\=b"),
            (r"a!=\,\=\\", r"a!=\,\=\\"),
            ("a=!b", "a=!b"),
            ("a=é b", "a=é b"),
        ];
        for (input, canonical) in cases {
            let selector = match Selector::parse(input) {
                Ok(selector) => selector,
                Err(e) => panic!("{input:?} should parse: {e}"),
            };
            assert_eq!(selector.to_string(), canonical, "display of {input:?}");
            assert_eq!(Selector::parse(canonical).unwrap(), selector, "reparse of {canonical:?}");
        }
    }

    #[test]
    fn escapes_are_undone() {
        let s = Selector::parse(r"a=x\,y\=z\\w,b!=ü").unwrap();
        assert_eq!(s.requirements()[0].value(), r"x,y=z\w");
        assert_eq!(s.requirements()[1].value(), "ü");
        assert_eq!(s.requirements()[1].operator(), Operator::NotEquals);
        assert_eq!(escape_value(r"x,y=z\w"), r"x\,y\=z\\w");
    }

    #[test]
    fn bad_forms_and_where_they_fail() {
        let cases = [
            ("a", 0),
            ("a=b,c", 4),
            ("a=b, ", 4),
            ("=b", 0),
            (" =b", 1),
            ("a=b,!=c", 4),
            ("a b=c", 0),
            ("x,a b=c", 0),
            ("a=b,x y=c", 4),
            (r"a\=b=c", 0),
            ("a=b=c", 3),
            ("a===b", 3),
            ("a!==b", 3),
            (r"a=b\", 3),
            (r"a=b\x", 3),
            (r"a=b\ ", 3),
            (r"a=é\é", 4),
            ("a!b", 0),
        ];
        for (input, position) in cases {
            match Selector::parse(input) {
                Ok(s) => panic!("{input:?} should fail, parsed as {s}"),
                Err(e) => assert_eq!(e.position(), position, "position for {input:?}: {e}"),
            }
        }
    }

    #[test]
    fn error_kinds_and_messages() {
        let err = Selector::parse("a=b,c").unwrap_err();
        assert_eq!(err.kind(), &ParseErrorKind::MissingOperator { term: "c".into() });
        assert_eq!(
            err.to_string(),
            "unable to parse field selector \"a=b,c\": at position 4: \"c\" is not a term: \
             expected field=value, field==value or field!=value"
        );
        let err = Selector::parse(r"a=b\x").unwrap_err();
        assert_eq!(err.kind(), &ParseErrorKind::InvalidEscape { sequence: r"\x".into() });
        let err = Selector::parse(r"a=b\").unwrap_err();
        assert_eq!(err.kind(), &ParseErrorKind::InvalidEscape { sequence: r"\".into() });
        let err = Selector::parse("a=b=c").unwrap_err();
        assert_eq!(err.kind(), &ParseErrorKind::UnescapedCharacter { character: '=' });
        assert_eq!(
            err.to_string(),
            "unable to parse field selector \"a=b=c\": at position 3: '=' in a value must be \
             escaped as '\\='"
        );
        let err = Selector::parse("=x").unwrap_err();
        assert_eq!(
            err.kind(),
            &ParseErrorKind::InvalidField(InvalidField { field: String::new() })
        );
    }

    #[test]
    fn matching() {
        let pod =
            fields(&[("metadata.name", "web"), ("spec.nodeName", ""), ("status.phase", "Running")]);
        let cases = [
            ("", true),
            ("metadata.name=web", true),
            ("metadata.name==web", true),
            ("metadata.name=db", false),
            ("metadata.name!=db", true),
            ("metadata.name!=web", false),
            ("spec.nodeName=", true),
            ("spec.nodeName!=", false),
            ("missing=", true),
            ("missing!=", false),
            ("missing=x", false),
            ("missing!=x", true),
            ("metadata.name=web,status.phase!=Failed", true),
            ("metadata.name=web,status.phase=Failed", false),
        ];
        for (input, expected) in cases {
            let selector = Selector::parse(input).unwrap();
            assert_eq!(selector.matches(&pod), expected, "{input}");
            let owned = |name: &str| pod.get(name).cloned();
            assert_eq!(selector.matches_fn(owned), expected, "{input} via closure");
        }
        let mut hash = HashMap::new();
        hash.insert("a".to_string(), "x,y".to_string());
        assert!(Selector::parse(r"a=x\,y").unwrap().matches(&hash));
    }

    #[test]
    fn exact_match() {
        let s =
            Selector::parse("spec.nodeName=n1,status.phase!=Failed,metadata.name==web").unwrap();
        assert_eq!(s.requires_exact_match("spec.nodeName"), Some("n1"));
        assert_eq!(s.requires_exact_match("metadata.name"), Some("web"));
        assert_eq!(s.requires_exact_match("status.phase"), None);
        assert_eq!(s.requires_exact_match("other"), None);
        assert_eq!(Selector::everything().requires_exact_match("a"), None);
    }

    #[test]
    fn building_selectors() {
        let s = Selector::everything()
            .with(Requirement::not_equals("b", "x=y").unwrap())
            .with(Requirement::equals("a", "1,2").unwrap());
        assert_eq!(s.to_string(), r"a=1\,2,b!=x\=y");
        assert_eq!(Selector::parse(&s.to_string()).unwrap(), s);
        assert!(!s.is_empty());
        assert!(Selector::everything().is_empty());
        for bad in ["", "a b", "a=b", "a!", "a,b", r"a\b", " a"] {
            assert_eq!(Requirement::equals(bad, "v"), Err(InvalidField { field: bad.to_string() }));
        }
    }
}
