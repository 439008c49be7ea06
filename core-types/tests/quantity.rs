//! Property tests for `Quantity`: canonical forms are stable and re-parse
//! to the same value, the parser never panics, and the integer views agree
//! with a computation done on the digits themselves.

use keelson_core_types::quantity::Quantity;
use proptest::prelude::*;

const SUFFIXES: &[&str] =
    &["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/// Well-formed quantities: a sign, up to nine whole digits, up to twelve
/// fractional digits, and any suffix or a decimal exponent.
fn quantity_text() -> impl Strategy<Value = String> {
    let suffix = prop_oneof![
        proptest::sample::select(SUFFIXES).prop_map(str::to_owned),
        (prop::bool::ANY, -15i32..=15)
            .prop_map(|(upper, e)| { format!("{}{e}", if upper { 'E' } else { 'e' }) }),
    ];
    (
        proptest::sample::select(&["", "+", "-"][..]),
        0u64..1_000_000_000,
        proptest::option::of("[0-9]{0,12}"),
        suffix,
    )
        .prop_map(|(sign, whole, frac, suffix)| match frac {
            Some(frac) => format!("{sign}{whole}.{frac}{suffix}"),
            None => format!("{sign}{whole}{suffix}"),
        })
}

/// The value of `text` parsed, panicking with the input on failure.
fn parse(text: &str) -> Quantity {
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn canonical_form_is_stable(text in quantity_text()) {
        let q = parse(&text);
        let canonical = q.canonical();
        let again = parse(&canonical);
        prop_assert_eq!(&again, &q, "{:?} → {:?}", text, canonical);
        prop_assert_eq!(again.canonical(), canonical);
    }

    #[test]
    fn integers_and_scales_round_trip(
        mantissa in any::<i64>(),
        // i64::MAX × 10^10 stays below the largest value (about 1.7e29).
        exponent in -12i32..=10,
        binary in prop::bool::ANY,
    ) {
        let text = if binary {
            format!("{mantissa}{}", SUFFIXES[10 + exponent.unsigned_abs() as usize % 6])
        } else {
            format!("{mantissa}e{exponent}")
        };
        let q = parse(&text);
        let canonical = q.canonical();
        prop_assert_eq!(&parse(&canonical), &q, "{:?} → {:?}", text, canonical);
        prop_assert_eq!(parse(&canonical).canonical(), canonical);
        let mut owned = q.clone();
        owned.canonicalize();
        prop_assert_eq!(owned.as_str(), q.canonical());
    }

    #[test]
    fn parsing_never_panics(text in any::<String>()) {
        if let Err(e) = text.parse::<Quantity>() {
            let quoted = format!("{text:?}");
            prop_assert!(e.to_string().contains(&quoted), "{} does not quote the input", e);
        }
    }

    #[test]
    fn parsing_quantity_like_noise_never_panics(text in "[-+0-9.eEiKMGTPnumk ]{0,14}") {
        match text.parse::<Quantity>() {
            Ok(q) => prop_assert_eq!(parse(&q.canonical()).canonical(), q.canonical()),
            Err(e) => {
                let quoted = format!("{text:?}");
                prop_assert!(e.to_string().contains(&quoted), "{} does not quote the input", e);
            }
        }
    }

    #[test]
    fn milli_and_unit_values_match_the_digits(
        negative in prop::bool::ANY,
        whole in 0i64..1_000_000_000_000,
        frac in "[0-9]{0,15}",
    ) {
        // Rounding away from zero, done on the digit string.
        let padded = format!("{frac:0<3}");
        let (milli_digits, rest) = padded.split_at(3);
        let round_milli = rest.bytes().any(|b| b != b'0');
        let round_unit = frac.bytes().any(|b| b != b'0');
        let mut milli = whole * 1000 + milli_digits.parse::<i64>().unwrap() + i64::from(round_milli);
        let mut unit = whole + i64::from(round_unit);
        if negative {
            milli = -milli;
            unit = -unit;
        }
        let text = format!("{}{whole}.{frac}", if negative { "-" } else { "" });
        let q = parse(&text);
        prop_assert_eq!(q.milli_value(), milli, "milli value of {:?}", text);
        prop_assert_eq!(q.value(), unit, "value of {:?}", text);
    }

    #[test]
    fn arithmetic_agrees_with_ordering(a in quantity_text(), b in quantity_text()) {
        let (a, b) = (parse(&a), parse(&b));
        let diff = a.checked_sub(&b).unwrap();
        prop_assert_eq!(diff.is_zero(), a == b);
        prop_assert_eq!(a > b, diff > Quantity::default());
        prop_assert_eq!(&diff.checked_add(&b).unwrap(), &a);
        prop_assert_eq!(&(-diff), &b.checked_sub(&a).unwrap());
    }
}
