//! The parsed form of a label selector ([`Selector`]) and how it matches
//! labels.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use super::validation;
use crate::meta::ObjectMeta;

/// Anything that carries labels a [`Selector`] can match against.
///
/// Implemented for label maps and for [`ObjectMeta`]; other callers can
/// use [`Selector::matches_fn`] with a lookup closure instead.
pub trait Labels {
    /// The value of the label `key`, or `None` when it is not set.
    fn label(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<S: BuildHasher> Labels for HashMap<String, String, S> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl Labels for ObjectMeta {
    fn label(&self, key: &str) -> Option<&str> {
        self.labels.label(key)
    }
}

impl<L: Labels + ?Sized> Labels for &L {
    fn label(&self, key: &str) -> Option<&str> {
        (**self).label(key)
    }
}

/// How a [`Requirement`] relates a label to its values.
///
/// The order of the variants is the order requirements on the same key are
/// printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `key=value`: the label is set to the value.
    Equals,
    /// `key==value`: the same as [`Operator::Equals`], in another spelling.
    DoubleEquals,
    /// `key!=value`: the label is unset or set to something else.
    NotEquals,
    /// `key in (a,b)`: the label is set to one of the values.
    In,
    /// `key notin (a,b)`: the label is unset or set to none of the values.
    NotIn,
    /// `key`: the label is set, to anything.
    Exists,
    /// `!key`: the label is not set.
    DoesNotExist,
    /// `key>3`: the label is set to an integer greater than the value.
    GreaterThan,
    /// `key<3`: the label is set to an integer less than the value.
    LessThan,
}

impl Operator {
    /// The operator's short name, as used in messages: `=`, `==`, `!=`,
    /// `in`, `notin`, `exists`, `!`, `gt`, `lt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a [`Requirement`] could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequirementError {
    /// The key is not a valid label key.
    #[error("invalid label key {key:?}: {reason}")]
    InvalidKey {
        /// The key given.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A value is not a valid label value.
    #[error("invalid label value {value:?}: {reason}")]
    InvalidValue {
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `in` or `notin` was given no values.
    #[error("operator '{operator}' needs at least one value")]
    NoValues {
        /// The operator.
        operator: Operator,
    },
    /// `=`, `==`, `!=`, `>` or `<` was given other than exactly one value.
    #[error("operator '{operator}' takes exactly one value, not {count}")]
    NotOneValue {
        /// The operator.
        operator: Operator,
        /// How many values were given.
        count: usize,
    },
    /// `exists` or `!` was given values.
    #[error("operator '{operator}' takes no values")]
    UnexpectedValues {
        /// The operator.
        operator: Operator,
    },
    /// `>` or `<` was given a value that is not a 64-bit integer.
    #[error("operator '{operator}' needs an integer value, not {value:?}")]
    NotAnInteger {
        /// The operator.
        operator: Operator,
        /// The value given.
        value: String,
    },
}

/// One condition of a [`Selector`]: a label key, an [`Operator`] and the
/// values it compares with.
///
/// A requirement is always valid: the constructors check the key, the
/// values and how many values the operator takes. The values are kept
/// sorted and without duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

impl Requirement {
    /// Builds a requirement, checking the key, the values, and that the
    /// operator gets as many values as it takes (`in`/`notin`: one or more;
    /// `exists`/`!`: none; the others: exactly one, an integer for `>`/`<`).
    pub fn new<I, V>(
        key: impl Into<String>,
        operator: Operator,
        values: I,
    ) -> Result<Self, RequirementError>
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        let key = key.into();
        let mut values: Vec<String> = values.into_iter().map(Into::into).collect();
        validation::check_key(&key)
            .map_err(|reason| RequirementError::InvalidKey { key: key.clone(), reason })?;
        match operator {
            Operator::In | Operator::NotIn if values.is_empty() => {
                return Err(RequirementError::NoValues { operator });
            }
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                return Err(RequirementError::UnexpectedValues { operator });
            }
            Operator::Equals
            | Operator::DoubleEquals
            | Operator::NotEquals
            | Operator::GreaterThan
            | Operator::LessThan
                if values.len() != 1 =>
            {
                return Err(RequirementError::NotOneValue { operator, count: values.len() });
            }
            Operator::GreaterThan | Operator::LessThan if values[0].parse::<i64>().is_err() => {
                return Err(RequirementError::NotAnInteger { operator, value: values.remove(0) });
            }
            _ => {}
        }
        for value in &values {
            validation::check_value(value).map_err(|reason| RequirementError::InvalidValue {
                value: value.clone(),
                reason,
            })?;
        }
        values.sort_unstable();
        values.dedup();
        Ok(Requirement { key, operator, values })
    }

    /// `key=value`.
    pub fn equals(
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, RequirementError> {
        Self::new(key, Operator::Equals, [value.into()])
    }

    /// `key!=value`.
    pub fn not_equals(
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, RequirementError> {
        Self::new(key, Operator::NotEquals, [value.into()])
    }

    /// `key`: the label is set.
    pub fn exists(key: impl Into<String>) -> Result<Self, RequirementError> {
        Self::new(key, Operator::Exists, Vec::<String>::new())
    }

    /// `!key`: the label is not set.
    pub fn does_not_exist(key: impl Into<String>) -> Result<Self, RequirementError> {
        Self::new(key, Operator::DoesNotExist, Vec::<String>::new())
    }

    /// The label key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, sorted; empty for `exists` and `!`.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether `labels` satisfy this requirement.
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        self.matches_value(labels.label(&self.key))
    }

    /// Whether a label whose value is `value` (`None`: not set) satisfies
    /// this requirement.
    ///
    /// `!=` and `notin` hold for an unset label; `>` and `<` fail for an
    /// unset label and for one whose value is not an integer.
    pub fn matches_value(&self, value: Option<&str>) -> bool {
        match self.operator {
            Operator::Equals | Operator::DoubleEquals | Operator::In => {
                value.is_some_and(|v| self.has_value(v))
            }
            Operator::NotEquals | Operator::NotIn => value.is_none_or(|v| !self.has_value(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let label = value.and_then(|v| v.parse::<i64>().ok());
                let bound = self.values.first().and_then(|v| v.parse::<i64>().ok());
                match (label, bound) {
                    (Some(label), Some(bound)) if self.operator == Operator::GreaterThan => {
                        label > bound
                    }
                    (Some(label), Some(bound)) => label < bound,
                    _ => false,
                }
            }
        }
    }

    fn has_value(&self, value: &str) -> bool {
        self.values.binary_search_by(|v| v.as_str().cmp(value)).is_ok()
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = &self.key;
        let first = self.values.first().map_or("", String::as_str);
        match self.operator {
            Operator::Equals => write!(f, "{key}={first}"),
            Operator::DoubleEquals => write!(f, "{key}=={first}"),
            Operator::NotEquals => write!(f, "{key}!={first}"),
            Operator::GreaterThan => write!(f, "{key}>{first}"),
            Operator::LessThan => write!(f, "{key}<{first}"),
            Operator::Exists => write!(f, "{key}"),
            Operator::DoesNotExist => write!(f, "!{key}"),
            Operator::In | Operator::NotIn => {
                let word = if self.operator == Operator::In { "in" } else { "notin" };
                write!(f, "{key} {word} ({})", self.values.join(","))
            }
        }
    }
}

/// A parsed label selector: a list of [`Requirement`]s that must all hold.
///
/// The empty selector ([`Selector::everything`], also `Default`) matches
/// every set of labels. [`Selector::nothing`] matches none.
///
/// Requirements are kept in a canonical order (by key, then operator, then
/// values), which is also the order `Display` prints them in, so two
/// selectors that differ only in the order they were written in compare
/// equal and print the same.
///
/// ```
/// use std::collections::BTreeMap;
/// use keelson_core_types::labels::Selector;
///
/// let selector: Selector = "tier notin (cache), env in (qa,prod)".parse().unwrap();
/// assert_eq!(selector.to_string(), "env in (prod,qa),tier notin (cache)");
///
/// let labels = BTreeMap::from([("env".to_string(), "qa".to_string())]);
/// assert!(selector.matches(&labels));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    requirements: Vec<Requirement>,
    nothing: bool,
}

impl Selector {
    /// The selector that matches everything (no requirements).
    pub fn everything() -> Self {
        Selector::default()
    }

    /// The selector that matches nothing.
    ///
    /// It has no string form: `Display` prints it as the empty string, as
    /// Kubernetes does, which would read back as [`Selector::everything`].
    /// Check [`Selector::is_nothing`] before sending a selector anywhere.
    pub fn nothing() -> Self {
        Selector { requirements: Vec::new(), nothing: true }
    }

    /// A selector of the given requirements (all must hold).
    pub fn from_requirements(requirements: impl IntoIterator<Item = Requirement>) -> Self {
        let mut requirements: Vec<Requirement> = requirements.into_iter().collect();
        requirements.sort();
        Selector { requirements, nothing: false }
    }

    /// A selector that requires each label of `labels` with exactly its
    /// value (`key=value` for each entry).
    pub fn from_labels<K, V>(
        labels: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, RequirementError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let requirements = labels
            .into_iter()
            .map(|(k, v)| Requirement::equals(k.as_ref(), v.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_requirements(requirements))
    }

    /// This selector with one more requirement. Adding to
    /// [`Selector::nothing`] leaves it matching nothing.
    #[must_use]
    pub fn with(mut self, requirement: Requirement) -> Self {
        let at = self.requirements.partition_point(|r| *r <= requirement);
        self.requirements.insert(at, requirement);
        self
    }

    /// The requirements, in canonical order.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether this selector has no requirements and so matches everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty() && !self.nothing
    }

    /// Whether this is [`Selector::nothing`].
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        self.matches_fn(|key| labels.label(key))
    }

    /// Whether the labels that `label` looks up (`None`: not set) satisfy
    /// every requirement.
    pub fn matches_fn<'v>(&self, label: impl Fn(&str) -> Option<&'v str>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches_value(label(&r.key)))
    }

    /// The value `key` must have for this selector to match, if the selector
    /// pins it with `=`, `==` or a single-valued `in`.
    pub fn requires_exact_match(&self, key: &str) -> Option<&str> {
        self.requirements.iter().find_map(|r| match r.operator {
            Operator::Equals | Operator::DoubleEquals | Operator::In
                if r.key == key && r.values.len() == 1 =>
            {
                Some(r.values[0].as_str())
            }
            _ => None,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn req(key: &str, operator: Operator, values: &[&str]) -> Requirement {
        Requirement::new(key, operator, values.iter().copied()).unwrap()
    }

    #[test]
    fn every_operator_against_set_unset_and_other_values() {
        use Operator::*;
        // (requirement, matches a=5, matches a=x, matches no a)
        let cases = [
            (req("a", Equals, &["5"]), true, false, false),
            (req("a", DoubleEquals, &["5"]), true, false, false),
            (req("a", NotEquals, &["5"]), false, true, true),
            (req("a", In, &["5", "6"]), true, false, false),
            (req("a", NotIn, &["5", "6"]), false, true, true),
            (req("a", Exists, &[]), true, true, false),
            (req("a", DoesNotExist, &[]), false, false, true),
            (req("a", GreaterThan, &["4"]), true, false, false),
            (req("a", GreaterThan, &["5"]), false, false, false),
            (req("a", LessThan, &["6"]), true, false, false),
            (req("a", LessThan, &["5"]), false, false, false),
        ];
        for (r, five, other, unset) in cases {
            assert_eq!(r.matches(&labels(&[("a", "5")])), five, "{r} on a=5");
            assert_eq!(r.matches(&labels(&[("a", "x")])), other, "{r} on a=x");
            assert_eq!(r.matches(&labels(&[("b", "5")])), unset, "{r} without a");
        }
    }

    #[test]
    fn integer_comparisons() {
        let gt = req("n", Operator::GreaterThan, &["0"]);
        assert!(gt.matches_value(Some("1")));
        assert!(gt.matches_value(Some("007")));
        assert!(!gt.matches_value(Some("-3")));
        assert!(!gt.matches_value(Some("0")));
        assert!(!gt.matches_value(Some("")));
        assert!(!gt.matches_value(Some("1.5")));
        assert!(!gt.matches_value(Some("99999999999999999999")));
        let lt = req("n", Operator::LessThan, &["10"]);
        assert!(lt.matches_value(Some("-3")));
        assert!(lt.matches_value(Some("9")));
        assert!(!lt.matches_value(Some("10")));
        assert!(!lt.matches_value(None));
    }

    #[test]
    fn empty_value_is_a_value() {
        let r = req("a", Operator::Equals, &[""]);
        assert!(r.matches(&labels(&[("a", "")])));
        assert!(!r.matches(&labels(&[])));
        assert_eq!(r.to_string(), "a=");
    }

    #[test]
    fn requirement_errors() {
        use Operator::*;
        let err = |key: &str, op, values: &[&str]| {
            Requirement::new(key, op, values.iter().copied()).unwrap_err()
        };
        assert!(matches!(err("-a", Exists, &[]), RequirementError::InvalidKey { .. }));
        assert!(matches!(err("a", Equals, &["-x"]), RequirementError::InvalidValue { .. }));
        assert_eq!(err("a", In, &[]), RequirementError::NoValues { operator: In });
        assert_eq!(err("a", NotIn, &[]), RequirementError::NoValues { operator: NotIn });
        assert_eq!(
            err("a", Exists, &["x"]),
            RequirementError::UnexpectedValues { operator: Exists }
        );
        assert_eq!(
            err("a", Equals, &["x", "y"]),
            RequirementError::NotOneValue { operator: Equals, count: 2 }
        );
        assert_eq!(
            err("a", NotEquals, &[]),
            RequirementError::NotOneValue { operator: NotEquals, count: 0 }
        );
        assert_eq!(
            err("a", LessThan, &["1", "2"]),
            RequirementError::NotOneValue { operator: LessThan, count: 2 }
        );
        assert_eq!(
            err("a", GreaterThan, &["x"]),
            RequirementError::NotAnInteger { operator: GreaterThan, value: "x".into() }
        );
        let e = err("a", GreaterThan, &["-1"]);
        assert!(matches!(&e, RequirementError::InvalidValue { value, .. } if value == "-1"));
        assert!(e.to_string().starts_with("invalid label value \"-1\": "), "{e}");
    }

    #[test]
    fn values_are_sorted_and_deduplicated() {
        let r = req("a", Operator::In, &["c", "a", "b", "a"]);
        assert_eq!(r.values(), ["a", "b", "c"]);
        assert_eq!(r.to_string(), "a in (a,b,c)");
        assert_eq!(req("a", Operator::NotIn, &["z"]).to_string(), "a notin (z)");
    }

    #[test]
    fn display_of_each_operator() {
        use Operator::*;
        let cases = [
            (req("a", Equals, &["b"]), "a=b"),
            (req("a", DoubleEquals, &["b"]), "a==b"),
            (req("a", NotEquals, &["b"]), "a!=b"),
            (req("a", GreaterThan, &["3"]), "a>3"),
            (req("a", LessThan, &["3"]), "a<3"),
            (req("a", Exists, &[]), "a"),
            (req("a", DoesNotExist, &[]), "!a"),
            (req("x.io/a", In, &["b", "a"]), "x.io/a in (a,b)"),
        ];
        for (r, text) in cases {
            assert_eq!(r.to_string(), text);
        }
    }

    #[test]
    fn selector_orders_requirements_and_matches_all() {
        let s = Selector::from_requirements([
            req("tier", Operator::NotEquals, &["web"]),
            req("env", Operator::Equals, &["prod"]),
            Requirement::exists("app").unwrap(),
        ]);
        assert_eq!(s.to_string(), "app,env=prod,tier!=web");
        assert!(s.matches(&labels(&[("app", "x"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "x"), ("env", "prod"), ("tier", "web")])));
        assert!(!s.matches(&labels(&[("env", "prod")])));
        let added = Selector::everything()
            .with(Requirement::exists("app").unwrap())
            .with(req("tier", Operator::NotEquals, &["web"]))
            .with(req("env", Operator::Equals, &["prod"]));
        assert_eq!(added, s);
    }

    #[test]
    fn everything_and_nothing() {
        let any = labels(&[("a", "b")]);
        assert!(Selector::everything().is_empty());
        assert!(Selector::everything().matches(&any));
        assert!(Selector::everything().matches(&labels(&[])));
        assert_eq!(Selector::everything().to_string(), "");
        let none = Selector::nothing();
        assert!(!none.is_empty());
        assert!(none.is_nothing());
        assert!(!none.matches(&any));
        assert!(!none.matches(&labels(&[])));
        assert!(!none.with(Requirement::exists("a").unwrap()).matches(&any));
    }

    #[test]
    fn other_label_sources() {
        let s = Selector::from_labels([("app", "web")]).unwrap();
        let mut hash = HashMap::new();
        hash.insert("app".to_string(), "web".to_string());
        assert!(s.matches(&hash));
        let meta = ObjectMeta { labels: labels(&[("app", "web")]), ..ObjectMeta::default() };
        assert!(s.matches(&meta));
        assert!(s.matches_fn(|k| (k == "app").then_some("web")));
        assert!(!s.matches_fn(|_| None));
        assert!(Selector::from_labels([("-bad", "x")]).is_err());
    }

    #[test]
    fn exact_match() {
        let s = Selector::from_requirements([
            req("a", Operator::Equals, &["1"]),
            req("b", Operator::In, &["2"]),
            req("c", Operator::In, &["3", "4"]),
            req("d", Operator::NotEquals, &["5"]),
        ]);
        assert_eq!(s.requires_exact_match("a"), Some("1"));
        assert_eq!(s.requires_exact_match("b"), Some("2"));
        assert_eq!(s.requires_exact_match("c"), None);
        assert_eq!(s.requires_exact_match("d"), None);
        assert_eq!(s.requires_exact_match("e"), None);
    }
}
