//! Property tests for label and field selectors: printing then parsing gives
//! the same selector, parsing never panics, and the forms a selector can be
//! converted to select the same labels.

use std::collections::BTreeMap;

use keelson_core_types::fields;
use keelson_core_types::labels::{LabelSelector, Operator, Requirement, Selector};
use proptest::prelude::*;

/// Keys: mostly from a small pool (so that selectors and labels meet),
/// sometimes arbitrary valid keys with or without a prefix.
fn label_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["a", "b", "app", "example.com/tier", "n"]).prop_map(String::from),
        1 => "([a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?(\\.[a-z0-9]{1,4}){0,2}/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?",
    ]
}

/// Label values: a small pool including integers and the empty value, or
/// arbitrary valid values.
fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["", "x", "y", "0", "7", "42", "prod"]).prop_map(String::from),
        1 => "([A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?)?",
    ]
}

fn integer_value() -> impl Strategy<Value = String> {
    prop_oneof![(0i64..100).prop_map(|n| n.to_string()), "0{0,2}[0-9]{1,18}"]
}

fn requirement() -> impl Strategy<Value = Requirement> {
    use Operator::*;
    let operator = prop::sample::select(vec![
        Equals,
        DoubleEquals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    ]);
    (label_key(), operator).prop_flat_map(|(key, operator)| {
        let values = match operator {
            In | NotIn => prop::collection::vec(label_value(), 1..4).boxed(),
            Exists | DoesNotExist => Just(Vec::new()).boxed(),
            GreaterThan | LessThan => integer_value().prop_map(|v| vec![v]).boxed(),
            Equals | DoubleEquals | NotEquals => label_value().prop_map(|v| vec![v]).boxed(),
        };
        values.prop_map(move |values| Requirement::new(key.clone(), operator, values).unwrap())
    })
}

fn selector() -> impl Strategy<Value = Selector> {
    prop::collection::vec(requirement(), 0..6).prop_map(Selector::from_requirements)
}

/// Selectors a `LabelSelector` can express (no `>` or `<`).
fn representable_selector() -> impl Strategy<Value = Selector> {
    prop::collection::vec(
        requirement().prop_filter("no > or <", |r| {
            !matches!(r.operator(), Operator::GreaterThan | Operator::LessThan)
        }),
        0..6,
    )
    .prop_map(Selector::from_requirements)
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(label_key(), label_value(), 0..6)
}

/// Strings built from the selector alphabet, to reach the parser's error
/// paths more often than arbitrary strings do.
fn selector_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "b", "in", "notin", "=", "==", "!=", "!", "(", ")", ",", ">", "<", " ", "1", "-",
            "x.io/", "é", "\t", "\\",
        ]),
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn label_display_parses_back(selector in selector()) {
        let text = selector.to_string();
        let parsed = Selector::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed, &selector);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn label_parsing_never_panics(input in any::<String>()) {
        if let Ok(selector) = input.parse::<Selector>() {
            prop_assert_eq!(selector.to_string().parse::<Selector>().ok(), Some(selector));
        }
    }

    #[test]
    fn selector_like_strings_parse_or_fail_cleanly(input in selector_like()) {
        match input.parse::<Selector>() {
            Ok(selector) => {
                let again: Selector = selector.to_string().parse().unwrap();
                prop_assert_eq!(again, selector);
            }
            Err(e) => {
                prop_assert!(e.position() <= input.len());
                prop_assert_eq!(e.input(), input.as_str());
            }
        }
    }

    #[test]
    fn round_tripped_selector_matches_the_same(selector in selector(), labels in labels()) {
        let again: Selector = selector.to_string().parse().unwrap();
        prop_assert_eq!(again.matches(&labels), selector.matches(&labels));
    }

    #[test]
    fn label_selector_form_matches_the_same(
        selector in representable_selector(),
        labels in labels(),
    ) {
        let object_form = LabelSelector::try_from(&selector).unwrap();
        let json = serde_json::to_string(&object_form).unwrap();
        let decoded: LabelSelector = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(decoded.matches(&labels), Ok(selector.matches(&labels)));
    }

    #[test]
    fn field_display_parses_back(
        terms in prop::collection::vec(
            ("[a-z]{1,6}(\\.[a-zA-Z]{1,6}){0,2}", any::<bool>(), any::<String>()),
            0..5,
        ),
        probe in prop::collection::btree_map("[a-z]{1,2}", any::<String>(), 0..4),
    ) {
        let selector: fields::Selector = terms
            .into_iter()
            .map(|(field, equal, value)| {
                let operator = if equal { fields::Operator::Equals } else { fields::Operator::NotEquals };
                fields::Requirement::new(field, operator, value).unwrap()
            })
            .collect();
        let text = selector.to_string();
        let parsed = fields::Selector::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed, &selector);
        prop_assert_eq!(parsed.matches(&probe), selector.matches(&probe));
    }

    #[test]
    fn field_parsing_never_panics(input in any::<String>()) {
        if let Ok(selector) = fields::Selector::parse(&input) {
            prop_assert_eq!(fields::Selector::parse(&selector.to_string()).ok(), Some(selector));
        }
    }

    #[test]
    fn field_like_strings_parse_or_fail_cleanly(
        parts in prop::collection::vec(
            prop::sample::select(vec!["a", "b.c", "=", "==", "!=", "!", ",", "\\", " ", "é"]),
            0..12,
        ),
    ) {
        let input = parts.concat();
        match fields::Selector::parse(&input) {
            Ok(selector) => {
                prop_assert_eq!(fields::Selector::parse(&selector.to_string()).unwrap(), selector);
            }
            Err(e) => prop_assert!(e.position() <= input.len()),
        }
    }
}
