//! Converting between the object form ([`LabelSelector`]) and the parsed
//! form ([`Selector`]) of a label selector.

use std::collections::btree_map::Entry;
use std::str::FromStr;

use super::selector::{Labels, Operator, Requirement, RequirementError, Selector};
use super::{Error, LabelSelector, LabelSelectorRequirement};

/// Why a [`LabelSelector`] could not become a [`Selector`], or the other
/// way round.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    /// A `matchExpressions` operator other than `In`, `NotIn`, `Exists` and
    /// `DoesNotExist`.
    #[error(
        "{operator:?} is not a label selector operator (key {key:?}); use In, NotIn, Exists or DoesNotExist"
    )]
    UnknownOperator {
        /// The key of the requirement.
        key: String,
        /// The operator found.
        operator: String,
    },
    /// A requirement with an invalid key or value, or the wrong number of
    /// values for its operator.
    #[error("label selector requirement on {key:?}: {error}")]
    Requirement {
        /// The key of the requirement.
        key: String,
        /// What is wrong with it.
        error: RequirementError,
    },
    /// A `>` or `<` requirement, which a [`LabelSelector`] cannot express.
    #[error("operator '{operator}' (on key {key:?}) cannot be written in a LabelSelector")]
    Unrepresentable {
        /// The key of the requirement.
        key: String,
        /// The operator.
        operator: Operator,
    },
    /// [`Selector::nothing`], which a [`LabelSelector`] cannot express
    /// (Kubernetes uses a missing selector for it).
    #[error("a selector that matches nothing cannot be written as a LabelSelector")]
    MatchesNothing,
}

fn requirement<I>(key: &str, operator: Operator, values: I) -> Result<Requirement, ConversionError>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    Requirement::new(key, operator, values)
        .map_err(|error| ConversionError::Requirement { key: key.to_string(), error })
}

/// `matchLabels` become `key=value` requirements; `matchExpressions` become
/// `in`, `notin`, `exists` (`key`) and `!key` requirements. An empty
/// `LabelSelector` becomes [`Selector::everything`].
impl TryFrom<&LabelSelector> for Selector {
    type Error = ConversionError;

    fn try_from(selector: &LabelSelector) -> Result<Self, ConversionError> {
        let mut requirements =
            Vec::with_capacity(selector.match_labels.len() + selector.match_expressions.len());
        for (key, value) in &selector.match_labels {
            requirements.push(requirement(key, Operator::Equals, [value.as_str()])?);
        }
        for expression in &selector.match_expressions {
            let key = expression.key.as_str();
            let operator = match expression.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(ConversionError::UnknownOperator {
                        key: key.to_string(),
                        operator: other.to_string(),
                    });
                }
            };
            requirements.push(requirement(key, operator, &expression.values)?);
        }
        Ok(Selector::from_requirements(requirements))
    }
}

/// A missing selector (`None`) matches nothing, as Kubernetes treats a
/// `nil` selector; otherwise the same as converting the `LabelSelector`.
impl TryFrom<Option<&LabelSelector>> for Selector {
    type Error = ConversionError;

    fn try_from(selector: Option<&LabelSelector>) -> Result<Self, ConversionError> {
        selector.map_or(Ok(Selector::nothing()), Selector::try_from)
    }
}

/// `=` and `==` go to `matchLabels` (a second value for the same key goes
/// to `matchExpressions` as a one-value `In`, so the meaning is kept), `!=`
/// becomes a one-value `NotIn`, and `in`, `notin`, `key` and `!key` become
/// `In`, `NotIn`, `Exists` and `DoesNotExist`. `>` and `<` cannot be
/// expressed and are an error, as is [`Selector::nothing`].
impl TryFrom<&Selector> for LabelSelector {
    type Error = ConversionError;

    fn try_from(selector: &Selector) -> Result<Self, ConversionError> {
        if selector.is_nothing() {
            return Err(ConversionError::MatchesNothing);
        }
        let mut out = LabelSelector::default();
        for r in selector.requirements() {
            let operator = match r.operator() {
                Operator::Equals | Operator::DoubleEquals => {
                    let value = r.values()[0].clone();
                    match out.match_labels.entry(r.key().to_string()) {
                        Entry::Vacant(slot) => {
                            slot.insert(value);
                            continue;
                        }
                        Entry::Occupied(slot) if *slot.get() == value => continue,
                        Entry::Occupied(_) => "In",
                    }
                }
                Operator::In => "In",
                Operator::NotEquals | Operator::NotIn => "NotIn",
                Operator::Exists => "Exists",
                Operator::DoesNotExist => "DoesNotExist",
                operator @ (Operator::GreaterThan | Operator::LessThan) => {
                    return Err(ConversionError::Unrepresentable {
                        key: r.key().to_string(),
                        operator,
                    });
                }
            };
            out.match_expressions.push(LabelSelectorRequirement {
                key: r.key().to_string(),
                operator: operator.to_string(),
                values: r.values().to_vec(),
            });
        }
        Ok(out)
    }
}

impl TryFrom<Selector> for LabelSelector {
    type Error = ConversionError;

    fn try_from(selector: Selector) -> Result<Self, ConversionError> {
        LabelSelector::try_from(&selector)
    }
}

impl LabelSelector {
    /// This selector in parsed form, ready to match labels.
    pub fn to_selector(&self) -> Result<Selector, ConversionError> {
        Selector::try_from(self)
    }

    /// Whether `labels` satisfy every `matchLabels` entry and every
    /// `matchExpressions` requirement. An empty selector matches everything.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use keelson_core_types::labels::LabelSelector;
    ///
    /// let selector: LabelSelector = "app=web,tier notin (db)".parse().unwrap();
    /// let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
    /// assert_eq!(selector.matches(&labels), Ok(true));
    /// ```
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> Result<bool, ConversionError> {
        Ok(self.to_selector()?.matches(labels))
    }
}

/// Parses the string form (`app=web,tier in (a,b)`) into `matchLabels` and
/// `matchExpressions`, as converting a parsed [`Selector`] does.
impl FromStr for LabelSelector {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let selector: Selector = input.parse()?;
        Ok(LabelSelector::try_from(&selector)?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn expr(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_string(),
            operator: operator.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selector_to_selector() {
        let ls = LabelSelector {
            match_labels: labels(&[("app", "web"), ("env", "")]),
            match_expressions: vec![
                expr("tier", "In", &["b", "a"]),
                expr("zone", "NotIn", &["z"]),
                expr("canary", "DoesNotExist", &[]),
                expr("owner", "Exists", &[]),
            ],
        };
        let selector = Selector::try_from(&ls).unwrap();
        assert_eq!(selector.to_string(), "app=web,!canary,env=,owner,tier in (a,b),zone notin (z)");
        assert!(
            ls.matches(&labels(&[("app", "web"), ("env", ""), ("owner", "x"), ("tier", "a")]))
                .unwrap()
        );
        assert!(!ls.matches(&labels(&[("app", "web"), ("env", ""), ("owner", "x")])).unwrap());
    }

    #[test]
    fn empty_and_missing_label_selectors() {
        let empty = LabelSelector::default();
        assert!(Selector::try_from(&empty).unwrap().is_empty());
        assert_eq!(empty.matches(&labels(&[("a", "b")])), Ok(true));
        assert!(Selector::try_from(None::<&LabelSelector>).unwrap().is_nothing());
        assert!(Selector::try_from(Some(&empty)).unwrap().is_empty());
    }

    #[test]
    fn label_selector_errors() {
        let with = |e: LabelSelectorRequirement| LabelSelector {
            match_expressions: vec![e],
            ..LabelSelector::default()
        };
        assert_eq!(
            Selector::try_from(&with(expr("a", "Gt", &["1"]))),
            Err(ConversionError::UnknownOperator { key: "a".into(), operator: "Gt".into() })
        );
        assert_eq!(
            Selector::try_from(&with(expr("a", "in", &["1"]))),
            Err(ConversionError::UnknownOperator { key: "a".into(), operator: "in".into() })
        );
        assert_eq!(
            Selector::try_from(&with(expr("a", "Exists", &["1"]))),
            Err(ConversionError::Requirement {
                key: "a".into(),
                error: RequirementError::UnexpectedValues { operator: Operator::Exists }
            })
        );
        assert_eq!(
            Selector::try_from(&with(expr("a", "In", &[]))),
            Err(ConversionError::Requirement {
                key: "a".into(),
                error: RequirementError::NoValues { operator: Operator::In }
            })
        );
        let err = Selector::try_from(&with(expr("a", "NotIn", &[]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "label selector requirement on \"a\": operator 'notin' needs at least one value"
        );
        assert!(matches!(
            Selector::try_from(&with(expr("-a", "Exists", &[]))),
            Err(ConversionError::Requirement { error: RequirementError::InvalidKey { .. }, .. })
        ));
        let bad_label =
            LabelSelector { match_labels: labels(&[("a", "b c")]), ..LabelSelector::default() };
        assert!(matches!(
            bad_label.matches(&labels(&[])),
            Err(ConversionError::Requirement { error: RequirementError::InvalidValue { .. }, .. })
        ));
    }

    #[test]
    fn selector_to_label_selector() {
        let ls: LabelSelector =
            "app=web,env==prod,tier!=db,zone in (b,a),x notin (y),owner,!canary".parse().unwrap();
        assert_eq!(ls.match_labels, labels(&[("app", "web"), ("env", "prod")]));
        assert_eq!(
            ls.match_expressions,
            vec![
                expr("canary", "DoesNotExist", &[]),
                expr("owner", "Exists", &[]),
                expr("tier", "NotIn", &["db"]),
                expr("x", "NotIn", &["y"]),
                expr("zone", "In", &["a", "b"]),
            ]
        );
        let back = Selector::try_from(&ls).unwrap();
        assert_eq!(
            back.to_string(),
            "app=web,!canary,env=prod,owner,tier notin (db),x notin (y),zone in (a,b)"
        );
    }

    #[test]
    fn conflicting_equals_keep_their_meaning() {
        let ls: LabelSelector = "a=1,a=2".parse().unwrap();
        assert_eq!(ls.match_labels, labels(&[("a", "1")]));
        assert_eq!(ls.match_expressions, vec![expr("a", "In", &["2"])]);
        assert_eq!(ls.matches(&labels(&[("a", "1")])), Ok(false));
        assert_eq!(ls.matches(&labels(&[("a", "2")])), Ok(false));
        let same: LabelSelector = "a=1,a==1".parse().unwrap();
        assert_eq!(same.match_labels, labels(&[("a", "1")]));
        assert!(same.match_expressions.is_empty());
    }

    #[test]
    fn unrepresentable_selectors() {
        assert_eq!(
            "x>1".parse::<LabelSelector>(),
            Err(Error::Conversion(ConversionError::Unrepresentable {
                key: "x".into(),
                operator: Operator::GreaterThan
            }))
        );
        assert!(matches!(
            LabelSelector::try_from(Selector::parse("a,x<1").unwrap()),
            Err(ConversionError::Unrepresentable { operator: Operator::LessThan, .. })
        ));
        assert_eq!(
            LabelSelector::try_from(Selector::nothing()),
            Err(ConversionError::MatchesNothing)
        );
        assert!(
            matches!("a in (".parse::<LabelSelector>(), Err(Error::Parse(e)) if e.position() == 6)
        );
        assert_eq!("".parse::<LabelSelector>(), Ok(LabelSelector::default()));
    }
}
