//! Reading the string form of a label selector
//! (`env in (prod,qa),tier!=web,!legacy`).
//!
//! Grammar, with whitespace (space, tab, CR, LF) allowed between tokens:
//!
//! ```text
//! selector    = [ requirement { "," requirement } ]
//! requirement = "!" key | key | key op value | key ("in" | "notin") "(" list ")"
//! op          = "=" | "==" | "!=" | ">" | "<"
//! list        = [ value ] { "," [ value ] }
//! ```
//!
//! A key or value is a run of characters other than whitespace and
//! `=!(),<>`. A missing value is the empty value: `a=` requires label `a`
//! to be set to the empty string and `a in ()` is `a in ("")`, as in
//! Kubernetes.

use std::str::FromStr;

use super::selector::{Operator, Requirement, RequirementError, Selector};
use super::validation;

/// Why a string is not a valid label selector, and where.
///
/// Displays as `unable to parse selector "a in (b": at position 7: found
/// end of string, expected ',' or ')'`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse selector {input:?}: at position {position}: {kind}")]
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

/// The problem a [`ParseError`] reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// A token that cannot appear here.
    #[error("found {}, expected {expected}", describe(found.as_deref()))]
    Unexpected {
        /// The text of the token found; `None` for the end of the string.
        found: Option<String>,
        /// What could have appeared instead.
        expected: &'static str,
    },
    /// The requirement is well formed but its key or values are not valid.
    #[error(transparent)]
    Requirement(RequirementError),
}

fn describe(found: Option<&str>) -> String {
    match found {
        Some(text) => format!("'{text}'"),
        None => "end of string".to_string(),
    }
}

impl FromStr for Selector {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        Parser { input, lexer: Lexer { input, pos: 0 } }.selector()
    }
}

impl Selector {
    /// Parses the string form of a selector; the empty string (or only
    /// whitespace) is [`Selector::everything`].
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        input.parse()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    End,
    Word(&'a str),
    Bang,
    Equals,
    DoubleEquals,
    NotEquals,
    Greater,
    Less,
    OpenParen,
    CloseParen,
    Comma,
}

impl Token<'_> {
    fn text(self) -> Option<String> {
        let text = match self {
            Token::End => return None,
            Token::Word(word) => word,
            Token::Bang => "!",
            Token::Equals => "=",
            Token::DoubleEquals => "==",
            Token::NotEquals => "!=",
            Token::Greater => ">",
            Token::Less => "<",
            Token::OpenParen => "(",
            Token::CloseParen => ")",
            Token::Comma => ",",
        };
        Some(text.to_string())
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_symbol(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'<' | b'>')
}

#[derive(Clone, Copy, Debug)]
struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// The next token and the byte offset it starts at.
    fn next(&mut self) -> (usize, Token<'a>) {
        let bytes = self.input.as_bytes();
        while self.pos < bytes.len() && is_space(bytes[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&first) = bytes.get(start) else {
            return (start, Token::End);
        };
        let second = bytes.get(start + 1).copied();
        let (token, len) = match (first, second) {
            (b'!', Some(b'=')) => (Token::NotEquals, 2),
            (b'=', Some(b'=')) => (Token::DoubleEquals, 2),
            (b'!', _) => (Token::Bang, 1),
            (b'=', _) => (Token::Equals, 1),
            (b'>', _) => (Token::Greater, 1),
            (b'<', _) => (Token::Less, 1),
            (b'(', _) => (Token::OpenParen, 1),
            (b')', _) => (Token::CloseParen, 1),
            (b',', _) => (Token::Comma, 1),
            _ => {
                let len =
                    bytes[start..].iter().take_while(|&&b| !is_space(b) && !is_symbol(b)).count();
                // Words end at ASCII bytes, so the slice is on char boundaries.
                (Token::Word(&self.input[start..start + len]), len)
            }
        };
        self.pos = start + len;
        (start, token)
    }

    fn peek(&self) -> (usize, Token<'a>) {
        self.clone().next()
    }
}

struct Parser<'a> {
    input: &'a str,
    lexer: Lexer<'a>,
}

impl<'a> Parser<'a> {
    fn error(&self, position: usize, kind: ParseErrorKind) -> ParseError {
        ParseError { input: self.input.to_string(), position, kind }
    }

    fn unexpected(&self, position: usize, found: Token<'_>, expected: &'static str) -> ParseError {
        self.error(position, ParseErrorKind::Unexpected { found: found.text(), expected })
    }

    fn requirement_error(&self, position: usize, error: RequirementError) -> ParseError {
        self.error(position, ParseErrorKind::Requirement(error))
    }

    fn selector(mut self) -> Result<Selector, ParseError> {
        let mut requirements = Vec::new();
        loop {
            let (pos, token) = self.lexer.peek();
            match token {
                Token::End => break,
                Token::Word(_) | Token::Bang => requirements.push(self.requirement()?),
                _ => return Err(self.unexpected(pos, token, "'!', a label key or end of string")),
            }
            let (pos, token) = self.lexer.next();
            match token {
                Token::End => break,
                Token::Comma => {
                    let (pos, token) = self.lexer.peek();
                    if !matches!(token, Token::Word(_) | Token::Bang) {
                        return Err(self.unexpected(pos, token, "'!' or a label key after ','"));
                    }
                }
                _ => return Err(self.unexpected(pos, token, "',' or end of string")),
            }
        }
        Ok(Selector::from_requirements(requirements))
    }

    fn requirement(&mut self) -> Result<Requirement, ParseError> {
        let (mut pos, mut token) = self.lexer.next();
        let negated = token == Token::Bang;
        if negated {
            (pos, token) = self.lexer.next();
        }
        let Token::Word(key) = token else {
            return Err(self.unexpected(pos, token, "a label key"));
        };
        if let Err(reason) = validation::check_key(key) {
            let error = RequirementError::InvalidKey { key: key.to_string(), reason };
            return Err(self.requirement_error(pos, error));
        }
        let key_pos = pos;

        let (_, next) = self.lexer.peek();
        if negated || matches!(next, Token::End | Token::Comma) {
            let operator = if negated { Operator::DoesNotExist } else { Operator::Exists };
            return Requirement::new(key, operator, Vec::<String>::new())
                .map_err(|e| self.requirement_error(key_pos, e));
        }

        let (pos, token) = self.lexer.next();
        let operator = match token {
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::NotEquals => Operator::NotEquals,
            Token::Greater => Operator::GreaterThan,
            Token::Less => Operator::LessThan,
            Token::Word("in") => Operator::In,
            Token::Word("notin") => Operator::NotIn,
            _ => {
                return Err(self.unexpected(
                    pos,
                    token,
                    "an operator: =, ==, !=, in, notin, > or <",
                ));
            }
        };
        let values = match operator {
            Operator::In | Operator::NotIn => self.value_list()?,
            _ => vec![self.single_value()?],
        };
        for &(pos, value) in &values {
            if matches!(operator, Operator::GreaterThan | Operator::LessThan)
                && value.parse::<i64>().is_err()
            {
                let error = RequirementError::NotAnInteger { operator, value: value.to_string() };
                return Err(self.requirement_error(pos, error));
            }
            if let Err(reason) = validation::check_value(value) {
                let error = RequirementError::InvalidValue { value: value.to_string(), reason };
                return Err(self.requirement_error(pos, error));
            }
        }
        Requirement::new(key, operator, values.into_iter().map(|(_, v)| v))
            .map_err(|e| self.requirement_error(key_pos, e))
    }

    /// The value after `=`, `==`, `!=`, `>` or `<`: a word, or nothing.
    fn single_value(&mut self) -> Result<(usize, &'a str), ParseError> {
        let (pos, token) = self.lexer.peek();
        match token {
            Token::End | Token::Comma => Ok((pos, "")),
            Token::Word(value) => {
                self.lexer.next();
                Ok((pos, value))
            }
            _ => Err(self.unexpected(pos, token, "a label value")),
        }
    }

    /// `( [value] {, [value]} )`: a missing value is the empty value.
    fn value_list(&mut self) -> Result<Vec<(usize, &'a str)>, ParseError> {
        let (pos, token) = self.lexer.next();
        if token != Token::OpenParen {
            return Err(self.unexpected(pos, token, "'('"));
        }
        let mut values = Vec::new();
        loop {
            let (pos, token) = self.lexer.peek();
            match token {
                Token::Word(value) => {
                    self.lexer.next();
                    values.push((pos, value));
                }
                Token::Comma | Token::CloseParen => values.push((pos, "")),
                _ => return Err(self.unexpected(pos, token, "a label value, ',' or ')'")),
            }
            let (pos, token) = self.lexer.next();
            match token {
                Token::Comma => {}
                Token::CloseParen => return Ok(values),
                _ => return Err(self.unexpected(pos, token, "',' or ')'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn good_forms_and_their_canonical_display() {
        let cases = [
            ("", ""),
            ("   ", ""),
            ("x=a", "x=a"),
            ("x==a", "x==a"),
            ("x!=a", "x!=a"),
            ("x=", "x="),
            ("x=,y=2", "x=,y=2"),
            ("x==,y!=", "x==,y!="),
            ("x", "x"),
            ("!x", "!x"),
            ("! x", "!x"),
            ("x>1", "x>1"),
            ("x<5", "x<5"),
            ("x > 10 , y < 007", "x>10,y<007"),
            ("env=prod,tier!=frontend", "env=prod,tier!=frontend"),
            ("tier!=frontend,env=prod", "env=prod,tier!=frontend"),
            (" env = prod , tier != frontend ", "env=prod,tier!=frontend"),
            ("env in (prod, qa)", "env in (prod,qa)"),
            ("env in (qa,prod)", "env in (prod,qa)"),
            ("env in(qa,prod,qa)", "env in (prod,qa)"),
            ("env  in  ( qa )", "env in (qa)"),
            ("tier notin (a,b)", "tier notin (a,b)"),
            ("tier notin(b)", "tier notin (b)"),
            ("x in ()", "x in ()"),
            ("x in (,a)", "x in (,a)"),
            ("x in (a,)", "x in (,a)"),
            ("x in (a,,b)", "x in (,a,b)"),
            ("x notin (,)", "x notin ()"),
            ("partition", "partition"),
            ("!partition", "!partition"),
            ("partition,!legacy,env in (prod)", "env in (prod),!legacy,partition"),
            ("z,y,x", "x,y,z"),
            ("b=1,a=2,a=1", "a=1,a=2,b=1"),
            ("example.com/app=web", "example.com/app=web"),
            ("in=a", "in=a"),
            ("in in (in,notin)", "in in (in,notin)"),
            ("notin", "notin"),
            ("a in (b),c notin (d),e", "a in (b),c notin (d),e"),
            ("\tx\n=\r\ny", "x=y"),
            ("x=A_b-c.D", "x=A_b-c.D"),
        ];
        for (input, canonical) in cases {
            let selector: Selector = match input.parse() {
                Ok(selector) => selector,
                Err(e) => panic!("{input:?} should parse: {e}"),
            };
            assert_eq!(selector.to_string(), canonical, "display of {input:?}");
            let again: Selector = canonical.parse().unwrap();
            assert_eq!(again, selector, "reparse of {canonical:?}");
        }
    }

    #[test]
    fn bad_forms_and_where_they_fail() {
        let cases = [
            (",", 0),
            ("x,", 2),
            ("x,,y", 2),
            (",x", 0),
            ("x=a,", 4),
            ("x=a,,", 4),
            ("x y", 2),
            ("x=a b", 4),
            ("x=a=b", 3),
            ("x=(a)", 2),
            ("x=!a", 2),
            ("x==(", 3),
            ("x===a", 3),
            ("x>=1", 2),
            ("x>", 2),
            ("x<a", 2),
            ("x>1.5", 2),
            ("x<99999999999999999999", 2),
            ("x>-1", 2),
            ("x in", 4),
            ("x in a", 5),
            ("x in (a", 7),
            ("x in (a b)", 8),
            ("x in (a,(b)", 8),
            ("x in (", 6),
            ("x notin (a))", 11),
            ("x in (a) y", 9),
            ("x (a)", 2),
            ("xin (a)", 4),
            ("x inn (a)", 2),
            ("!", 1),
            ("!!x", 1),
            ("!x=a", 2),
            ("!x in (a)", 3),
            ("=a", 0),
            ("(", 0),
            (")", 0),
            ("-x", 0),
            ("x=-a", 2),
            ("a,b=-c", 4),
            ("x in (a,-b)", 8),
            ("X.com/a=b", 0),
            ("a/b/c", 0),
            ("/a", 0),
            ("é=a", 0),
            ("a=é", 2),
        ];
        for (input, position) in cases {
            match input.parse::<Selector>() {
                Ok(s) => panic!("{input:?} should fail, parsed as {s}"),
                Err(e) => {
                    assert_eq!(e.position(), position, "position for {input:?}: {e}");
                    assert_eq!(e.input(), input);
                }
            }
        }
    }

    #[test]
    fn error_kinds_and_messages() {
        let err = Selector::parse("a in (b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to parse selector \"a in (b\": at position 7: found end of string, \
             expected ',' or ')'"
        );
        assert_eq!(err.kind(), &ParseErrorKind::Unexpected { found: None, expected: "',' or ')'" });

        let err = Selector::parse("x,,y").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to parse selector \"x,,y\": at position 2: found ',', \
             expected '!' or a label key after ','"
        );

        let err = Selector::parse("x>a").unwrap_err();
        assert_eq!(
            err.kind(),
            &ParseErrorKind::Requirement(RequirementError::NotAnInteger {
                operator: Operator::GreaterThan,
                value: "a".into()
            })
        );
        assert_eq!(
            err.to_string(),
            "unable to parse selector \"x>a\": at position 2: operator 'gt' needs an integer \
             value, not \"a\""
        );

        let err = Selector::parse("a,B_/c").unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::Requirement(RequirementError::InvalidKey { key, .. }) if key == "B_/c")
        );
        assert_eq!(err.position(), 2);

        let err = Selector::parse("x (a)").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to parse selector \"x (a)\": at position 2: found '(', expected an \
             operator: =, ==, !=, in, notin, > or <"
        );
    }

    #[test]
    fn parsed_selectors_match() {
        let labels: BTreeMap<String, String> =
            [("env", "prod"), ("tier", "web"), ("n", "7"), ("empty", "")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let cases = [
            ("", true),
            ("env=prod", true),
            ("env==prod", true),
            ("env=qa", false),
            ("env!=qa", true),
            ("env!=prod", false),
            ("missing!=x", true),
            ("missing=x", false),
            ("missing=", false),
            ("empty=", true),
            ("empty!=", false),
            ("env in (qa,prod)", true),
            ("env in (qa)", false),
            ("missing in (a)", false),
            ("env notin (qa)", true),
            ("env notin (prod)", false),
            ("missing notin (a)", true),
            ("env", true),
            ("missing", false),
            ("!env", false),
            ("!missing", true),
            ("n>6", true),
            ("n>7", false),
            ("n<8", true),
            ("n<7", false),
            ("env>1", false),
            ("env<1", false),
            ("missing>1", false),
            ("missing<1", false),
            ("env=prod,tier=web,n>1", true),
            ("env=prod,tier=db", false),
        ];
        for (input, expected) in cases {
            let selector = Selector::parse(input).unwrap();
            assert_eq!(selector.matches(&labels), expected, "{input}");
        }
    }
}
