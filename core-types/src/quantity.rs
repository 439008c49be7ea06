//! [`Quantity`]: fixed-point amounts such as `500m`, `1Gi`, `1.5`, `1e3`.
//!
//! A quantity is a signed decimal number followed by an optional suffix:
//!
//! - a decimal SI suffix: `n` (10⁻⁹), `u` (10⁻⁶), `m` (10⁻³), none, `k`,
//!   `M`, `G`, `T`, `P`, `E` (10¹⁸);
//! - a binary SI suffix: `Ki` (2¹⁰), `Mi`, `Gi`, `Ti`, `Pi`, `Ei` (2⁶⁰);
//! - a decimal exponent: `e3`, `E-2`, `e+6`.
//!
//! Values are exact (no floating point): anything finer than one nano is
//! rounded up, away from zero, to the next nano, as Kubernetes does, so that
//! asking for a tiny non-zero amount never yields zero.
//!
//! ```
//! use keelson_core_types::quantity::{Format, Quantity};
//!
//! let q: Quantity = "1.5Gi".parse().unwrap();
//! assert_eq!(q.as_str(), "1.5Gi");
//! assert_eq!(q.canonical(), "1536Mi");
//! assert_eq!(q.format(), Format::BinarySI);
//! assert_eq!("1000m".parse::<Quantity>().unwrap(), Quantity::from(1));
//! assert!("1.2.3".parse::<Quantity>().is_err());
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Nanos in one unit.
const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// The largest magnitude a binary-suffixed quantity keeps when parsed
/// (2⁶³ − 1, in nanos); larger ones are clamped to it, as Kubernetes does.
const BINARY_CAP_NANOS: i128 = i64::MAX as i128 * NANOS_PER_UNIT;

/// A string that is not a quantity, or a quantity this type cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text does not start with a number (it is empty, has no digits or
    /// more than one sign, ...).
    #[error(
        "invalid quantity {input:?}: expected a number such as 1, -0.5 or .5, \
         optionally followed by a suffix"
    )]
    Number {
        /// The text that was parsed.
        input: String,
    },
    /// The text after the number is not a suffix Kubernetes knows.
    #[error(
        "invalid quantity {input:?}: bad suffix {suffix:?} (expected one of n, u, m, k, M, G, \
         T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or e/E followed by an integer exponent)"
    )]
    Suffix {
        /// The text that was parsed.
        input: String,
        /// The part after the number.
        suffix: String,
    },
    /// The value does not fit (its magnitude must stay below about 1.7e29).
    #[error("quantity too large: {input:?}")]
    TooLarge {
        /// The text that was parsed.
        input: String,
    },
}

/// How a quantity is written when it is put in canonical form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Powers of ten as SI suffixes: `500m`, `1k`, `12M`.
    #[default]
    DecimalSI,
    /// Powers of 1024 as binary suffixes: `512Ki`, `1Gi`.
    BinarySI,
    /// Powers of ten as an exponent: `1e3`, `12e6`.
    DecimalExponent,
}

/// An amount of a resource, written as Kubernetes writes it (`500m`, `1Gi`).
///
/// The text given is kept as it was written, so objects round-trip
/// unchanged; [`Quantity::canonical`] gives the form Kubernetes would print.
/// Equality, ordering and hashing compare the numeric value, so `1000m`
/// equals `1`. The default is zero (`"0"`).
#[derive(Clone, Debug)]
pub struct Quantity {
    /// The text as written (or the canonical form for computed values).
    text: String,
    /// The exact value in units of 10⁻⁹.
    nanos: i128,
    /// The notation the canonical form uses.
    format: Format,
}

impl Quantity {
    /// Parses `input` (see the module docs for the grammar).
    pub fn parse(input: &str) -> Result<Self> {
        let (nanos, format) = parse_value(input)?;
        Ok(Quantity { text: input.to_owned(), nanos, format })
    }

    /// A quantity of `millis` thousandths, written in decimal SI (`1500m`
    /// becomes `1500m`, `2000` thousandths become `2`).
    pub fn from_milli(millis: i64) -> Self {
        Self::from_nanos(i128::from(millis) * 1_000_000, Format::DecimalSI)
    }

    /// A quantity of `bytes` units written with binary suffixes
    /// (`1048576` becomes `1Mi`).
    pub fn from_bytes(bytes: i64) -> Self {
        Self::from_nanos(i128::from(bytes) * NANOS_PER_UNIT, Format::BinarySI)
    }

    fn from_nanos(nanos: i128, format: Format) -> Self {
        let mut q = Quantity { text: String::new(), nanos, format };
        q.canonicalize();
        q
    }

    /// The quantity as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The notation the canonical form uses: binary if the quantity was
    /// written with a binary suffix, exponent if written with `e`/`E`,
    /// decimal SI otherwise.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The form Kubernetes prints: no fractional digits, no precision lost,
    /// and the largest suffix (or exponent) that allows that.
    pub fn canonical(&self) -> String {
        canonical_string(self.nanos, self.format)
    }

    /// Replaces the text as written with [`Quantity::canonical`].
    pub fn canonicalize(&mut self) {
        self.text = self.canonical();
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// The value in thousandths, rounded away from zero and clamped to the
    /// `i64` range (what Kubernetes reports for CPU in millicores).
    pub fn milli_value(&self) -> i64 {
        saturate(div_away_from_zero(self.nanos, 1_000_000))
    }

    /// The value as an integer, rounded away from zero and clamped to the
    /// `i64` range.
    pub fn value(&self) -> i64 {
        saturate(div_away_from_zero(self.nanos, NANOS_PER_UNIT))
    }

    /// The sum, or `None` if it does not fit. The result keeps the format of
    /// `self`, unless `self` is zero, in which case it takes `other`'s (as
    /// Kubernetes' addition does); its text is its canonical form.
    pub fn checked_add(&self, other: &Quantity) -> Option<Quantity> {
        let nanos = self.nanos.checked_add(other.nanos).filter(|&n| n != i128::MIN)?;
        Some(Self::from_nanos(nanos, self.result_format(other)))
    }

    /// The difference, or `None` if it does not fit; formatted as for
    /// [`Quantity::checked_add`].
    pub fn checked_sub(&self, other: &Quantity) -> Option<Quantity> {
        let nanos = self.nanos.checked_sub(other.nanos).filter(|&n| n != i128::MIN)?;
        Some(Self::from_nanos(nanos, self.result_format(other)))
    }

    fn result_format(&self, other: &Quantity) -> Format {
        if self.is_zero() { other.format } else { self.format }
    }
}

impl Default for Quantity {
    fn default() -> Self {
        Quantity { text: "0".to_owned(), nanos: 0, format: Format::DecimalSI }
    }
}

impl std::ops::Neg for Quantity {
    type Output = Quantity;

    /// The opposite value, in the same format, written canonically.
    fn neg(self) -> Quantity {
        // Values never reach i128::MIN (parsing yields magnitudes up to
        // i128::MAX and arithmetic refuses i128::MIN), so this cannot
        // overflow.
        Quantity::from_nanos(-self.nanos, self.format)
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl Hash for Quantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
    }
}

impl fmt::Display for Quantity {
    /// Writes the quantity as written (use [`Quantity::canonical`] for the
    /// canonical form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Quantity {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Quantity::parse(s)
    }
}

impl TryFrom<&str> for Quantity {
    type Error = Error;

    fn try_from(s: &str) -> Result<Self> {
        Quantity::parse(s)
    }
}

impl TryFrom<String> for Quantity {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        let (nanos, format) = parse_value(&text)?;
        Ok(Quantity { text, nanos, format })
    }
}

impl From<i32> for Quantity {
    fn from(v: i32) -> Self {
        Quantity::from(i64::from(v))
    }
}

impl From<i64> for Quantity {
    fn from(v: i64) -> Self {
        Quantity::from_nanos(i128::from(v) * NANOS_PER_UNIT, Format::DecimalSI)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a quantity such as \"500m\" or \"1Gi\", or a number")
            }
            // Kubernetes ignores whitespace around a quantity in JSON.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Quantity::parse(v.trim()).map_err(E::custom)
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Quantity, E> {
                if v.trim().len() == v.len() {
                    Quantity::try_from(v).map_err(E::custom)
                } else {
                    self.visit_str(&v)
                }
            }
            // Kubernetes also reads bare JSON numbers (YAML's `cpu: 2`).
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Quantity::try_from(v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Quantity::try_from(v.to_string()).map_err(E::custom)
            }
            // `cpu: 0.5`: the float is only turned back into its shortest
            // decimal text (Rust never prints it with an exponent) and that
            // text is parsed exactly; no arithmetic is done on it.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Quantity::try_from(v.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "x-kubernetes-int-or-string": true })
    }
}

/// `n / d` rounded away from zero (`d > 0`).
fn div_away_from_zero(n: i128, d: i128) -> i128 {
    let q = n / d;
    if n % d == 0 { q } else { q + n.signum() }
}

fn saturate(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// Parses `input` into its value in nanos and its format.
fn parse_value(input: &str) -> Result<(i128, Format)> {
    let bytes = input.as_bytes();
    let (negative, mut i) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let digits_from =
        |from: usize| from + bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let int_end = digits_from(i);
    let int_digits = &bytes[i..int_end];
    i = int_end;
    let mut frac_digits: &[u8] = &[];
    if bytes.get(i) == Some(&b'.') {
        let frac_end = digits_from(i + 1);
        frac_digits = &bytes[i + 1..frac_end];
        i = frac_end;
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(Error::Number { input: input.to_owned() });
    }
    // Only ASCII bytes were consumed, so `i` is on a character boundary.
    let suffix = &input[i..];
    let (format, exponent, shift) = parse_suffix(suffix)
        .ok_or_else(|| Error::Suffix { input: input.to_owned(), suffix: suffix.to_owned() })?;

    let mut digits = int_digits.to_vec();
    digits.extend_from_slice(frac_digits);
    let first_nonzero = digits.iter().position(|&d| d != b'0');
    let Some(first_nonzero) = first_nonzero else {
        return Ok((0, format));
    };
    // value = digits × 10^(exponent - frac_len) × 2^shift, so in nanos:
    let pow10 = i128::from(exponent) + 9 - frac_digits.len() as i128;
    let magnitude = match (magnitude_nanos(&digits[first_nonzero..], pow10, shift), format) {
        (Some(m), Format::BinarySI) => m.min(BINARY_CAP_NANOS),
        (None, Format::BinarySI) => BINARY_CAP_NANOS,
        (Some(m), _) => m,
        (None, _) => return Err(Error::TooLarge { input: input.to_owned() }),
    };
    // A binary quantity below one is printed in decimal; Kubernetes records
    // that by switching the format at parse time.
    let format = if format == Format::BinarySI && magnitude < NANOS_PER_UNIT {
        Format::DecimalSI
    } else {
        format
    };
    Ok((if negative { -magnitude } else { magnitude }, format))
}

/// The format, power of ten and power of two a suffix stands for.
fn parse_suffix(suffix: &str) -> Option<(Format, i64, u32)> {
    let decimal = |e| Some((Format::DecimalSI, e, 0));
    let binary = |s| Some((Format::BinarySI, 0, s));
    match suffix {
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "" => decimal(0),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let rest = suffix.strip_prefix(['e', 'E'])?;
            let (negative, digits) = match rest.as_bytes().first()? {
                b'-' => (true, &rest[1..]),
                b'+' => (false, &rest[1..]),
                _ => (false, rest),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let mut exponent: i64 = 0;
            for b in digits.bytes() {
                let d = i64::from(b - b'0');
                exponent = exponent.checked_mul(10)?;
                exponent =
                    if negative { exponent.checked_sub(d)? } else { exponent.checked_add(d)? };
            }
            Some((Format::DecimalExponent, exponent, 0))
        }
    }
}

/// `digits × 10^pow10 × 2^shift` in nanos, rounded up to a whole number;
/// `None` if it does not fit. `digits` are ASCII digits, the first non-zero.
fn magnitude_nanos(digits: &[u8], pow10: i128, shift: u32) -> Option<i128> {
    let factor: i128 = 1 << shift;
    let integer = |ds: &[u8]| {
        ds.iter().try_fold(0i128, |acc, &d| acc.checked_mul(10)?.checked_add(i128::from(d - b'0')))
    };
    if pow10 >= 0 {
        // i128::MAX has 39 digits.
        if digits.len() as i128 + pow10 > 39 {
            return None;
        }
        let scale = 10i128.checked_pow(u32::try_from(pow10).ok()?)?;
        return integer(digits)?.checked_mul(scale)?.checked_mul(factor);
    }
    // Split into a whole part and a fraction 0.[zeros][frac] below one.
    let places = -pow10;
    let (whole, frac, zeros) = match usize::try_from(places) {
        Ok(places) if places < digits.len() => {
            let (w, f) = digits.split_at(digits.len() - places);
            (w, f, 0)
        }
        _ => (&digits[..0], digits, places - digits.len() as i128),
    };
    // Multiply the fraction by 2^shift digit by digit from the right: what
    // carries out is the whole part of the product, and any non-zero digit
    // left behind means the value must be rounded up.
    let multiplier = factor as u128;
    let mut carry: u128 = 0;
    let mut inexact = false;
    let mut step = |d: u128| {
        let t = d * multiplier + carry;
        inexact |= !t.is_multiple_of(10);
        carry = t / 10;
    };
    for &d in frac.iter().rev() {
        step(u128::from(d - b'0'));
    }
    // The carry is below 2^61 < 10^19, so 20 more places bring it to zero.
    for _ in 0..zeros.min(20) {
        step(0);
    }
    integer(whole)?
        .checked_mul(factor)?
        .checked_add(i128::try_from(carry).ok()?)?
        .checked_add(i128::from(inexact))
}

/// The canonical text of a value in nanos.
fn canonical_string(nanos: i128, format: Format) -> String {
    if nanos == 0 {
        return "0".to_owned();
    }
    let binary = format == Format::BinarySI
        && nanos.abs() >= 1024 * NANOS_PER_UNIT
        && nanos % NANOS_PER_UNIT == 0;
    if binary {
        const SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        let mut mantissa = nanos / NANOS_PER_UNIT;
        let mut power = 0;
        while power + 1 < SUFFIXES.len() && mantissa % 1024 == 0 {
            mantissa /= 1024;
            power += 1;
        }
        return format!("{mantissa}{}", SUFFIXES[power]);
    }
    // The smallest mantissa whose exponent is a multiple of three.
    let (mut mantissa, mut exponent) = (nanos, -9i32);
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exponent += 1;
    }
    while exponent % 3 != 0 {
        mantissa *= 10;
        exponent -= 1;
    }
    let suffix = match (format, exponent) {
        (Format::DecimalExponent, 0) => "",
        (Format::DecimalExponent, _) => return format!("{mantissa}e{exponent}"),
        (_, -9) => "n",
        (_, -6) => "u",
        (_, -3) => "m",
        (_, 0) => "",
        (_, 3) => "k",
        (_, 6) => "M",
        (_, 9) => "G",
        (_, 12) => "T",
        (_, 15) => "P",
        (_, 18) => "E",
        // No SI suffix beyond E: Kubernetes falls back to an exponent.
        _ => return format!("{mantissa}e{exponent}"),
    };
    format!("{mantissa}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn canonical_forms() {
        let table = [
            ("500m", "500m"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1", "1"),
            ("1000", "1k"),
            ("1k", "1k"),
            ("1e3", "1e3"),
            ("1E3", "1e3"),
            ("1.5e3", "1500"),
            ("12e6", "12e6"),
            ("1Gi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("1024", "1024"),
            ("1024Ki", "1Mi"),
            ("128974848", "128974848"),
            ("129e6", "129e6"),
            ("129M", "129M"),
            ("0.1", "100m"),
            ("100m", "100m"),
            ("1n", "1n"),
            // Written with an exponent, so printed with one.
            ("1e-10", "1e-9"),
            ("1e-9", "1e-9"),
            ("-1.5", "-1500m"),
            ("+1", "1"),
            ("0", "0"),
            ("0Gi", "0"),
            ("-0", "0"),
            ("512Ki", "512Ki"),
            ("1000Ki", "1000Ki"),
            ("0.5Ki", "512"),
            ("100Mi", "100Mi"),
            ("2000m", "2"),
            ("1100m", "1100m"),
            ("3.0", "3"),
            ("0.000001", "1u"),
            ("1M", "1M"),
            ("1000k", "1M"),
            ("0.9Gi", "966367641600m"),
            ("1023Ki", "1023Ki"),
            ("1025", "1025"),
            ("-1Ki", "-1Ki"),
            ("-1.5Ki", "-1536"),
            ("1.", "1"),
            (".5", "500m"),
            ("1.2e-3", "1200e-6"),
            ("1e+3", "1e3"),
            ("1E-3", "1e-3"),
            ("0.0000000001", "1n"),
            ("-0.0000000001", "-1n"),
            ("1.0000000001", "1000000001n"),
            ("1E", "1E"),
            ("1000E", "1e21"),
            ("1500E", "1500E"),
            ("1024Ei", "9223372036854775807"),
            ("8Ei", "9223372036854775807"),
            ("7Ei", "7Ei"),
            ("0.0001Ki", "102400u"),
        ];
        for (input, want) in table {
            assert_eq!(q(input).canonical(), want, "canonical form of {input:?}");
            assert_eq!(q(input).as_str(), input, "text of {input:?}");
        }
    }

    #[test]
    fn rejects_malformed_text() {
        let table = [
            "",
            " ",
            " 1",
            "1 ",
            "1 Gi",
            "1.2.3",
            "1Q",
            "Mi",
            "1ki",
            "1K",
            "1e",
            "1E+",
            "1e-",
            "--1",
            "+-1",
            "-",
            "+",
            ".",
            "-.",
            "NaN",
            "Inf",
            "1e1.5",
            "1ee3",
            "1mi",
            "1m3",
            "1Gi1",
            "e3",
            "1,5",
            "١",
            "1e99999999999999999999",
            "0x10",
            "1_000",
        ];
        for input in table {
            let err = Quantity::parse(input).expect_err(input);
            assert!(err.to_string().contains(&format!("{input:?}")), "{err} quotes {input:?}");
        }
        assert!(
            matches!(Quantity::parse("1Q"), Err(Error::Suffix { suffix, .. }) if suffix == "Q")
        );
        assert!(matches!(Quantity::parse("--1"), Err(Error::Number { .. })));
    }

    #[test]
    fn rejects_values_too_large() {
        for input in ["1e30", "200000000000000000000000000000", "1e9999999999", "1000000000000E"] {
            let err = Quantity::parse(input).expect_err(input);
            assert_eq!(err, Error::TooLarge { input: input.to_owned() });
            assert!(err.to_string().starts_with("quantity too large"));
        }
        // Zero is zero whatever its exponent; tiny values round up.
        assert!(q("0e9999999999").is_zero());
        assert_eq!(q("1e-9999999999").canonical(), "1e-9");
        assert_eq!(q("170141183460469231731.687303715884105727").milli_value(), i64::MAX);
    }

    #[test]
    fn formats_follow_the_suffix() {
        assert_eq!(q("1").format(), Format::DecimalSI);
        assert_eq!(q("1m").format(), Format::DecimalSI);
        assert_eq!(q("1Ki").format(), Format::BinarySI);
        assert_eq!(q("0Ki").format(), Format::BinarySI);
        assert_eq!(q("1e3").format(), Format::DecimalExponent);
        assert_eq!(q("1E").format(), Format::DecimalSI);
        // A binary value below one is kept in decimal, as Kubernetes does.
        assert_eq!(q("0.0001Ki").format(), Format::DecimalSI);
    }

    #[test]
    fn milli_and_unit_values_round_away_from_zero() {
        let table = [
            ("100m", 100, 1),
            ("1", 1000, 1),
            ("1.5Gi", 1_610_612_736_000, 1_610_612_736),
            ("1n", 1, 1),
            ("-1n", -1, -1),
            ("1500m", 1500, 2),
            ("-1500m", -1500, -2),
            ("0", 0, 0),
            ("10E", i64::MAX, i64::MAX),
            ("-10E", i64::MIN, i64::MIN),
        ];
        for (input, milli, value) in table {
            assert_eq!(q(input).milli_value(), milli, "milli value of {input:?}");
            assert_eq!(q(input).value(), value, "value of {input:?}");
        }
    }

    #[test]
    fn compares_numerically() {
        assert_eq!(q("1000m"), q("1"));
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1e3"), q("1k"));
        assert!(q("1Ki") > q("1k"));
        assert!(q("-1") < q("0"));
        assert!(q("1n") > q("0"));
        let mut list = [q("1Gi"), q("500m"), q("-2"), q("1G"), q("0")];
        list.sort();
        let sorted: Vec<&str> = list.iter().map(Quantity::as_str).collect();
        assert_eq!(sorted, ["-2", "0", "500m", "1G", "1Gi"]);
        let set: std::collections::HashSet<Quantity> = [q("1"), q("1000m"), q("1e0")].into();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn adds_and_subtracts() {
        let sum = q("1Gi").checked_add(&q("512Mi")).unwrap();
        assert_eq!((sum.as_str(), sum.format()), ("1536Mi", Format::BinarySI));
        let sum = q("100m").checked_add(&q("1Ki")).unwrap();
        assert_eq!((sum.as_str(), sum.format()), ("1024100m", Format::DecimalSI));
        // Adding to zero takes the other operand's format.
        let sum = q("0").checked_add(&q("2Ki")).unwrap();
        assert_eq!((sum.as_str(), sum.format()), ("2Ki", Format::BinarySI));
        let diff = q("1").checked_sub(&q("1500m")).unwrap();
        assert_eq!(diff.as_str(), "-500m");
        let diff = q("0").checked_sub(&q("1e3")).unwrap();
        assert_eq!((diff.as_str(), diff.format()), ("-1e3", Format::DecimalExponent));
        let big = q("100000000000E");
        assert!(big.checked_add(&big).is_none());
        assert!((-big.clone()).checked_sub(&big).is_none());
        assert_eq!((-q("1.5Gi")).as_str(), "-1536Mi");
        assert!(q("1m").checked_sub(&q("1m")).unwrap().is_zero());
    }

    #[test]
    fn constructors_write_canonical_text() {
        assert_eq!(Quantity::from(1000).as_str(), "1k");
        assert_eq!(Quantity::from(-5i64).as_str(), "-5");
        assert_eq!(Quantity::from(i64::MIN).value(), i64::MIN);
        assert_eq!(Quantity::from_milli(1500).as_str(), "1500m");
        assert_eq!(Quantity::from_milli(2000).as_str(), "2");
        assert_eq!(Quantity::from_bytes(1_048_576).as_str(), "1Mi");
        // Below 1024 a binary quantity is printed in decimal.
        assert_eq!(Quantity::from_bytes(1000).as_str(), "1k");
        assert_eq!(Quantity::from_bytes(1536).as_str(), "1536");
        assert_eq!(Quantity::default().as_str(), "0");
        assert!(Quantity::default().is_zero());
        let mut parsed = q("1.5Gi");
        parsed.canonicalize();
        assert_eq!(parsed.as_str(), "1536Mi");
        assert_eq!(
            Quantity::try_from("2k").unwrap(),
            Quantity::try_from("2000".to_owned()).unwrap()
        );
        assert_eq!(q("1.5").to_string(), "1.5");
    }

    #[test]
    fn serde_keeps_the_text_as_written() {
        for text in ["1.5Gi", "1000m", "0.5", "1e3", "+1"] {
            let json = format!("\"{text}\"");
            let parsed: Quantity = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
        }
        let err = serde_json::from_str::<Quantity>("\"1.2.3\"").unwrap_err();
        assert!(err.to_string().contains("\"1.2.3\""), "{err}");
        assert!(serde_json::from_str::<Quantity>("\"\"").is_err());
        assert!(serde_json::from_str::<Quantity>("[1]").is_err());
        assert!(serde_json::from_str::<Quantity>("true").is_err());
    }

    #[test]
    fn serde_reads_numbers_and_padded_strings_like_kubernetes() {
        let read = |json: &str| serde_json::from_str::<Quantity>(json).unwrap();
        assert_eq!(read("2").as_str(), "2");
        assert_eq!(read("-3").as_str(), "-3");
        assert_eq!(read("0.5"), q("500m"));
        assert_eq!(read("0.5").as_str(), "0.5");
        assert_eq!(read("\" 1Gi \"").as_str(), "1Gi");
        let yaml: Quantity = serde_yaml_ng::from_str("0.25").unwrap();
        assert_eq!(yaml.canonical(), "250m");
        assert!(serde_json::from_str::<Quantity>("1e400").is_err());
    }
}
