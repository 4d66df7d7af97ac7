//! OData query options of the reporting API: `$filter` parsed into the store's filter model
//! (only the properties and operators Graph documents for `signIn`, so that nothing else from
//! a client reaches a query), `$top`, `$orderby` and `$select`.
//!
//! A filter Signbook cannot run is refused with a message naming the property, operator or
//! option — never silently widened.

use app::filter::{report_expr, Expr, Field, Literal, Op};
use app::model::{EventType, GraphDateTime};

/// The API version of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `/v1.0`.
    V1,
    /// `/beta`.
    Beta,
}

impl Version {
    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "v1.0",
            Version::Beta => "beta",
        }
    }
}

/// Which resource a filter is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `signIn` (the list).
    SignIn,
    /// `summarizedSignIn` (the beta summarized functions).
    Summarized,
}

/// A query option the client got wrong, in words for the error message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(pub String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(message.into()))
}

/// The operators a property allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ops {
    /// `eq`, `ne`.
    Eq,
    /// `eq`, `ne`, `startsWith`.
    EqStartsWith,
    /// `eq`, `ne`, `lt`, `le`, `gt`, `ge`.
    Ordered,
}

impl Ops {
    fn allows(self, op: Op) -> bool {
        match self {
            Ops::Eq => matches!(op, Op::Eq | Op::Ne),
            Ops::EqStartsWith => matches!(op, Op::Eq | Op::Ne | Op::StartsWith),
            Ops::Ordered => op != Op::StartsWith,
        }
    }
}

/// How a property is filtered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prop {
    /// A stored column with its operators.
    Column(Field, Ops),
    /// `isInteractive` (a boolean over the report).
    IsInteractive,
    /// The `signInEventTypes` collection (only inside `any`).
    EventTypes,
    /// A collection of text, compared item by item: inside `any(t: t eq '…')`, or directly
    /// (`eq` and `startsWith` then mean "some item does", `ne` "no item equals").
    Collection(Field, Ops),
}

/// The filterable properties: `(path, property, beta only)`. Paths are compared without case.
const SIGNIN_PROPS: &[(&str, Prop, bool)] = &[
    ("id", Prop::Column(Field::RequestId, Ops::Eq), false),
    (
        "createdDateTime",
        Prop::Column(Field::CreatedDateTime, Ops::Ordered),
        false,
    ),
    (
        "appDisplayName",
        Prop::Column(Field::AppDisplayName, Ops::EqStartsWith),
        false,
    ),
    ("appId", Prop::Column(Field::AppId, Ops::Eq), false),
    (
        "clientAppUsed",
        Prop::Column(Field::ClientAppUsed, Ops::Eq),
        false,
    ),
    (
        "conditionalAccessStatus",
        Prop::Column(Field::ConditionalAccessStatus, Ops::Eq),
        false,
    ),
    (
        "correlationId",
        Prop::Column(Field::CorrelationId, Ops::Eq),
        false,
    ),
    (
        "deviceDetail/browser",
        Prop::Column(Field::Browser, Ops::EqStartsWith),
        false,
    ),
    (
        "deviceDetail/operatingSystem",
        Prop::Column(Field::OperatingSystem, Ops::EqStartsWith),
        false,
    ),
    (
        "ipAddress",
        Prop::Column(Field::IpAddress, Ops::EqStartsWith),
        false,
    ),
    ("isInteractive", Prop::IsInteractive, false),
    (
        "location/city",
        Prop::Column(Field::City, Ops::EqStartsWith),
        false,
    ),
    (
        "location/state",
        Prop::Column(Field::State, Ops::EqStartsWith),
        false,
    ),
    (
        "location/countryOrRegion",
        Prop::Column(Field::CountryOrRegion, Ops::EqStartsWith),
        false,
    ),
    (
        "resourceDisplayName",
        Prop::Column(Field::ResourceDisplayName, Ops::Eq),
        false,
    ),
    (
        "resourceId",
        Prop::Column(Field::ResourceId, Ops::Eq),
        false,
    ),
    (
        "status/errorCode",
        Prop::Column(Field::ErrorCode, Ops::Ordered),
        false,
    ),
    (
        "userDisplayName",
        Prop::Column(Field::UserDisplayName, Ops::EqStartsWith),
        false,
    ),
    ("userId", Prop::Column(Field::UserId, Ops::Eq), false),
    (
        "userPrincipalName",
        Prop::Column(Field::UserPrincipalName, Ops::EqStartsWith),
        false,
    ),
    (
        "riskDetail",
        Prop::Column(Field::RiskDetail, Ops::Eq),
        false,
    ),
    (
        "riskEventTypes",
        Prop::Collection(Field::RiskEventType, Ops::Eq),
        false,
    ),
    (
        "riskEventTypes_v2",
        Prop::Collection(Field::RiskEventTypeV2, Ops::EqStartsWith),
        false,
    ),
    (
        "riskLevelAggregated",
        Prop::Column(Field::RiskLevelAggregated, Ops::Eq),
        false,
    ),
    (
        "riskLevelDuringSignIn",
        Prop::Column(Field::RiskLevelDuringSignIn, Ops::Eq),
        false,
    ),
    ("riskState", Prop::Column(Field::RiskState, Ops::Eq), false),
    (
        "servicePrincipalId",
        Prop::Column(Field::ServicePrincipalId, Ops::EqStartsWith),
        true,
    ),
    (
        "servicePrincipalName",
        Prop::Column(Field::ServicePrincipalName, Ops::EqStartsWith),
        true,
    ),
    (
        "tokenIssuerType",
        Prop::Column(Field::TokenIssuerType, Ops::Eq),
        true,
    ),
    ("signInEventTypes", Prop::EventTypes, true),
    (
        "authenticationRequirement",
        Prop::Column(Field::AuthenticationRequirement, Ops::EqStartsWith),
        true,
    ),
    (
        "conditionalAccessAudiences",
        Prop::Collection(Field::ConditionalAccessAudience, Ops::Eq),
        true,
    ),
    (
        "originalRequestId",
        Prop::Column(Field::OriginalRequestId, Ops::Eq),
        true,
    ),
    (
        "resourceServicePrincipalId",
        Prop::Column(Field::ResourceServicePrincipalId, Ops::Eq),
        true,
    ),
    (
        "tokenIssuerName",
        Prop::Column(Field::TokenIssuerName, Ops::Eq),
        true,
    ),
    (
        "userAgent",
        Prop::Column(Field::UserAgent, Ops::EqStartsWith),
        true,
    ),
];

/// The filterable properties of `summarizedSignIn` (the values of a group's latest sign-in,
/// as the blade groups them) plus the time its members were created at.
const SUMMARIZED_PROPS: &[(&str, Prop, bool)] = &[
    (
        "createdDateTime",
        Prop::Column(Field::CreatedDateTime, Ops::Ordered),
        true,
    ),
    (
        "aggregationDateTime",
        Prop::Column(Field::CreatedDateTime, Ops::Ordered),
        true,
    ),
    (
        "userPrincipalName",
        Prop::Column(Field::UserPrincipalName, Ops::EqStartsWith),
        true,
    ),
    ("appId", Prop::Column(Field::AppId, Ops::Eq), true),
    (
        "appDisplayName",
        Prop::Column(Field::AppDisplayName, Ops::EqStartsWith),
        true,
    ),
    (
        "ipAddress",
        Prop::Column(Field::IpAddress, Ops::EqStartsWith),
        true,
    ),
    (
        "conditionalAccessStatus",
        Prop::Column(Field::ConditionalAccessStatus, Ops::Eq),
        true,
    ),
    (
        "resourceDisplayName",
        Prop::Column(Field::ResourceDisplayName, Ops::Eq),
        true,
    ),
    ("resourceId", Prop::Column(Field::ResourceId, Ops::Eq), true),
    (
        "servicePrincipalName",
        Prop::Column(Field::ServicePrincipalName, Ops::EqStartsWith),
        true,
    ),
    (
        "servicePrincipalId",
        Prop::Column(Field::ServicePrincipalId, Ops::EqStartsWith),
        true,
    ),
    (
        "status/errorCode",
        Prop::Column(Field::ErrorCode, Ops::Ordered),
        true,
    ),
    (
        "managedServiceIdentity/msiType",
        Prop::Column(Field::MsiType, Ops::Eq),
        true,
    ),
];

/// A parsed `$filter`.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// The expression.
    pub expr: Expr,
    /// Whether it says which reports it wants (`signInEventTypes` or `isInteractive`).
    pub names_event_types: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
    Colon,
}

fn tokens(input: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(_, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            ',' => {
                chars.next();
                out.push(Token::Comma);
            }
            ':' if out.last().is_some_and(|t| matches!(t, Token::Word(_))) => {
                chars.next();
                out.push(Token::Colon);
            }
            '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) => {
                            if chars.peek().is_some_and(|&(_, c)| c == '\'') {
                                chars.next();
                                text.push('\'');
                            } else {
                                break;
                            }
                        }
                        Some((_, c)) => text.push(c),
                        None => return err("A text value in $filter has no closing quote."),
                    }
                }
                out.push(Token::Text(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    // A time keeps its colons: 2024-01-13T14:13:32Z.
                    let in_time =
                        c == ':' && word.chars().next().is_some_and(|f| f.is_ascii_digit());
                    if c.is_whitespace() || "(),'".contains(c) || (c == ':' && !in_time) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                if word.is_empty() {
                    return err(format!("Unexpected character '{c}' in $filter."));
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    version: Version,
    props: &'a [(&'a str, Prop, bool)],
    type_name: &'static str,
    names_event_types: bool,
    depth: usize,
}

/// How deeply a filter may nest (a guard against a stack overflow on hostile input).
const MAX_DEPTH: usize = 32;
/// The longest `$filter` accepted.
pub const MAX_FILTER_LEN: usize = 4096;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), QueryError> {
        match self.next() {
            Some(t) if t == token => Ok(()),
            _ => err(format!("Invalid $filter: expected {what}.")),
        }
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err("The $filter nests too deeply.");
        }
        let mut parts = vec![self.and()?];
        while self.peek_word("or") {
            self.next();
            parts.push(self.and()?);
        }
        self.depth -= 1;
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut parts = vec![self.unary()?];
        while self.peek_word("and") {
            self.next();
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.peek_word("not") {
            self.next();
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return err("The $filter nests too deeply.");
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "a closing parenthesis")?;
                Ok(inner)
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("startswith") => {
                self.expect(Token::Open, "'(' after startsWith")?;
                let Some(Token::Word(path)) = self.next() else {
                    return err("Invalid $filter: startsWith needs a property first.");
                };
                self.expect(Token::Comma, "',' in startsWith")?;
                let Some(Token::Text(value)) = self.next() else {
                    return err(format!(
                        "Invalid $filter: startsWith({path}, …) needs a quoted text value."
                    ));
                };
                self.expect(Token::Close, "')' after startsWith")?;
                self.comparison(&path, Op::StartsWith, Token::Text(value))
            }
            Some(Token::Word(word))
                if ["/any", "/all"]
                    .iter()
                    .any(|f| word.to_ascii_lowercase().contains(f)) =>
            {
                self.lambda(&word)
            }
            Some(Token::Word(path)) => {
                let op = match self.next() {
                    Some(Token::Word(op)) => parse_op(&op)?,
                    _ => {
                        return err(format!(
                            "Invalid $filter: expected an operator after '{path}'."
                        ))
                    }
                };
                let Some(value) = self.next() else {
                    return err(format!(
                        "Invalid $filter: '{path}' has no value to compare with."
                    ));
                };
                self.comparison(&path, op, value)
            }
            Some(t) => err(format!("Invalid $filter: unexpected {t:?}.")),
            None => err("Invalid $filter: it ends too early."),
        }
    }

    /// `collection/any(t: t eq 'x' or t eq 'y')`: `signInEventTypes` (which names reports)
    /// or a collection of text (`startsWith(t, 'x')` too where the property allows it).
    /// `any()` without a condition means "has an item".
    fn lambda(&mut self, word: &str) -> Result<Expr, QueryError> {
        let (path, function) = word.split_once('/').unwrap_or((word, ""));
        let prop = self.property(path)?;
        if !matches!(prop, Prop::EventTypes | Prop::Collection(..)) {
            return err(format!(
                "Invalid $filter: '{path}' is not a collection that any() can be used on."
            ));
        }
        if !function.eq_ignore_ascii_case("any") {
            return err(format!(
                "The lambda operator '{function}' is not supported on {path}; use any."
            ));
        }
        self.expect(Token::Open, "'(' after any")?;
        if let (Prop::Collection(field, _), Some(Token::Close)) = (prop, self.peek()) {
            self.next();
            return Ok(Expr::Cmp(field, Op::Ne, Literal::Text(String::new())));
        }
        if prop == Prop::EventTypes {
            self.names_event_types = true;
        }
        let Some(Token::Word(var)) = self.next() else {
            return err("Invalid $filter: any() needs a range variable, as in any(t: t eq '…').");
        };
        self.expect(Token::Colon, "':' after the range variable")?;
        let expr = self.lambda_or(&var, path, prop)?;
        self.expect(Token::Close, "')' closing any()")?;
        Ok(expr)
    }

    fn lambda_or(&mut self, var: &str, path: &str, prop: Prop) -> Result<Expr, QueryError> {
        let mut parts = vec![self.lambda_term(var, path, prop)?];
        while self.peek_word("or") {
            self.next();
            parts.push(self.lambda_term(var, path, prop)?);
        }
        if self.peek_word("and") {
            return err(format!(
                "Inside {path}/any() join conditions with or; for items that must all be there, \
                 write one any() per item joined with and."
            ));
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn lambda_term(&mut self, var: &str, path: &str, prop: Prop) -> Result<Expr, QueryError> {
        if matches!(self.peek(), Some(Token::Open)) {
            self.next();
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return err("The $filter nests too deeply.");
            }
            let inner = self.lambda_or(var, path, prop)?;
            self.depth -= 1;
            self.expect(Token::Close, "a closing parenthesis")?;
            return Ok(inner);
        }
        let (op, value) = match self.next() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("startswith") => {
                self.expect(Token::Open, "'(' after startsWith")?;
                match self.next() {
                    Some(Token::Word(w)) if w == var => {}
                    _ => {
                        return err(format!(
                            "Invalid $filter: inside any() write startsWith({var}, '…')."
                        ))
                    }
                }
                self.expect(Token::Comma, "',' in startsWith")?;
                let value = self.next();
                self.expect(Token::Close, "')' after startsWith")?;
                (Op::StartsWith, value)
            }
            Some(Token::Word(w)) if w == var => {
                let op = match self.next() {
                    Some(Token::Word(op)) => parse_op(&op)?,
                    _ => return err("Invalid $filter: expected an operator inside any()."),
                };
                (op, self.next())
            }
            _ => {
                return err(format!(
                    "Invalid $filter: inside any() compare '{var}' with a value."
                ))
            }
        };
        let Some(Token::Text(value)) = value else {
            return err(format!(
                "Invalid $filter: the items of {path} are compared with quoted text."
            ));
        };
        match prop {
            Prop::Collection(..) => {
                if op == Op::Ne {
                    return err(format!(
                        "ne is not supported inside {path}/any(); for records without an item, \
                         write not {path}/any({var}: {var} eq '…')."
                    ));
                }
                // An item is compared as the property itself is.
                self.comparison(path, op, Token::Text(value))
            }
            _ => {
                if !matches!(op, Op::Eq | Op::Ne) {
                    return err("Only eq and ne compare signInEventTypes.");
                }
                let event_type = EventType::ALL
                    .into_iter()
                    .find(|t| t.graph_name().eq_ignore_ascii_case(&value))
                    .ok_or_else(|| {
                        QueryError(format!(
                            "'{value}' is not a signInEventType (interactiveUser, nonInteractiveUser, servicePrincipal, managedIdentity)."
                        ))
                    })?;
                let is = report_expr(event_type);
                Ok(if op == Op::Eq {
                    is
                } else {
                    Expr::Not(Box::new(is))
                })
            }
        }
    }

    fn property(&self, path: &str) -> Result<Prop, QueryError> {
        let found = self
            .props
            .iter()
            .find(|(name, _, _)| name.eq_ignore_ascii_case(path));
        match found {
            Some((_, _, true)) if self.version == Version::V1 => err(format!(
                "Could not find a property named '{path}' on type '{}' in v1.0; it is a beta property.",
                self.type_name
            )),
            Some((_, prop, _)) => Ok(*prop),
            None => err(format!(
                "Could not find a property named '{path}' on type '{}'.",
                self.type_name
            )),
        }
    }

    fn comparison(&mut self, path: &str, op: Op, value: Token) -> Result<Expr, QueryError> {
        let prop = self.property(path)?;
        match prop {
            Prop::EventTypes => err(
                "Filter signInEventTypes with any(), as in signInEventTypes/any(t: t eq 'nonInteractiveUser').",
            ),
            Prop::IsInteractive => {
                self.names_event_types = true;
                let truth = match &value {
                    Token::Word(w) if w.eq_ignore_ascii_case("true") => true,
                    Token::Word(w) if w.eq_ignore_ascii_case("false") => false,
                    _ => return err("isInteractive is compared with true or false."),
                };
                let positive = match op {
                    Op::Eq => truth,
                    Op::Ne => !truth,
                    _ => {
                        return err(format!(
                            "The operator '{}' is not supported for property 'isInteractive'.",
                            op_name(op)
                        ))
                    }
                };
                let interactive = report_expr(EventType::Interactive);
                Ok(if positive {
                    interactive
                } else {
                    Expr::Not(Box::new(interactive))
                })
            }
            Prop::Column(field, ops) | Prop::Collection(field, ops) => {
                if !ops.allows(op) {
                    return err(format!(
                        "The operator '{}' is not supported for property '{path}'.",
                        op_name(op)
                    ));
                }
                let literal = literal(field, path, value)?;
                Ok(Expr::Cmp(field, op, literal))
            }
        }
    }
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "eq",
        Op::Ne => "ne",
        Op::Lt => "lt",
        Op::Le => "le",
        Op::Gt => "gt",
        Op::Ge => "ge",
        Op::StartsWith => "startsWith",
    }
}

fn parse_op(word: &str) -> Result<Op, QueryError> {
    match word.to_ascii_lowercase().as_str() {
        "eq" => Ok(Op::Eq),
        "ne" => Ok(Op::Ne),
        "lt" => Ok(Op::Lt),
        "le" => Ok(Op::Le),
        "gt" => Ok(Op::Gt),
        "ge" => Ok(Op::Ge),
        other => err(format!(
            "The operator '{other}' is not supported in $filter."
        )),
    }
}

fn literal(field: Field, path: &str, value: Token) -> Result<Literal, QueryError> {
    use app::filter::FieldKind;
    match (field.kind(), value) {
        (FieldKind::Text, Token::Text(text)) => Ok(Literal::Text(text.trim().to_lowercase())),
        (FieldKind::Text, Token::Word(w)) if w.eq_ignore_ascii_case("null") => {
            Ok(Literal::Text(String::new()))
        }
        (FieldKind::Text, Token::Word(w)) if uuid::Uuid::parse_str(&w).is_ok() => {
            Ok(Literal::Text(w.to_lowercase()))
        }
        (FieldKind::Integer, Token::Word(w)) => w
            .parse::<i64>()
            .map(Literal::Integer)
            .map_err(|_| QueryError(format!("'{w}' is not a whole number for '{path}'."))),
        (FieldKind::Time, Token::Word(w)) | (FieldKind::Time, Token::Text(w)) => {
            GraphDateTime::parse(&w)
                .map(|t| Literal::Time(t.micros()))
                .map_err(|_| {
                    QueryError(format!(
                        "'{w}' is not a date and time for '{path}' (use 2024-01-13T14:13:32Z)."
                    ))
                })
        }
        (FieldKind::Text, Token::Word(w)) => err(format!(
            "The value {w} for '{path}' must be quoted text, as in {path} eq '{w}'."
        )),
        (_, other) => err(format!(
            "The value {other:?} does not fit property '{path}'."
        )),
    }
}

/// Parses `$filter` for a resource in a version.
pub fn parse_filter(input: &str, version: Version, target: Target) -> Result<Filter, QueryError> {
    if input.len() > MAX_FILTER_LEN {
        return err(format!(
            "The $filter is longer than {MAX_FILTER_LEN} characters."
        ));
    }
    let (props, type_name) = match target {
        Target::SignIn => (SIGNIN_PROPS, "microsoft.graph.signIn"),
        Target::Summarized => (SUMMARIZED_PROPS, "microsoft.graph.summarizedSignIn"),
    };
    let mut parser = Parser {
        tokens: tokens(input)?,
        at: 0,
        version,
        props,
        type_name,
        names_event_types: false,
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return err("The $filter is empty.");
    }
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return err(format!(
            "Invalid $filter: unexpected {:?} after a complete expression.",
            parser.tokens[parser.at]
        ));
    }
    expr.validate().map_err(|e| QueryError(e.to_string()))?;
    Ok(Filter {
        expr,
        names_event_types: parser.names_event_types,
    })
}

/// `$top`: 1 to 1000 (Graph's limits; 1000 when absent).
pub fn parse_top(input: Option<&str>) -> Result<i64, QueryError> {
    let Some(text) = input else {
        return Ok(1000);
    };
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => err(format!(
            "Invalid page size specified: '{text}'. Must be between 1 and 1000 inclusive."
        )),
    }
}

/// `$orderby`: only `createdDateTime`, `asc` or `desc` (desc when absent). Returns whether
/// the order is descending.
pub fn parse_orderby(input: Option<&str>) -> Result<bool, QueryError> {
    let Some(text) = input else {
        return Ok(true);
    };
    let mut words = text.split_whitespace();
    let field = words.next().unwrap_or_default();
    if !field.eq_ignore_ascii_case("createdDateTime") {
        return err(format!(
            "$orderby is supported only on createdDateTime, not '{field}'."
        ));
    }
    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => return err(format!("'{other}' is not asc or desc in $orderby.")),
    };
    if words.next().is_some() {
        return err("$orderby takes one property: createdDateTime asc or desc.");
    }
    Ok(descending)
}

/// The properties of `signIn` in v1.0 (what a v1.0 response shows).
pub const V1_PROPERTIES: &[&str] = &[
    "id",
    "createdDateTime",
    "appDisplayName",
    "appId",
    "appliedConditionalAccessPolicies",
    "clientAppUsed",
    "conditionalAccessStatus",
    "correlationId",
    "deviceDetail",
    "ipAddress",
    "isInteractive",
    "location",
    "resourceDisplayName",
    "resourceId",
    "riskDetail",
    "riskEventTypes",
    "riskEventTypes_v2",
    "riskLevelAggregated",
    "riskLevelDuringSignIn",
    "riskState",
    "status",
    "userDisplayName",
    "userId",
    "userPrincipalName",
];

/// `$select`: a list of top-level property names of the version's `signIn`.
pub fn parse_select(
    input: Option<&str>,
    version: Version,
) -> Result<Option<Vec<String>>, QueryError> {
    let Some(text) = input else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for name in text.split(',').map(str::trim) {
        if name.is_empty() {
            continue;
        }
        let known = match version {
            Version::V1 => V1_PROPERTIES
                .iter()
                .find(|p| p.eq_ignore_ascii_case(name))
                .map(|p| (*p).to_owned()),
            Version::Beta => app::model::SignIn::property_names()
                .iter()
                .find(|p| p.eq_ignore_ascii_case(name))
                .map(|p| (*p).to_owned()),
        };
        match known {
            Some(p) => out.push(p),
            None => {
                return err(format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.signIn'."
                ))
            }
        }
    }
    if out.is_empty() {
        return err("$select names no property.");
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beta(input: &str) -> Result<Filter, QueryError> {
        parse_filter(input, Version::Beta, Target::SignIn)
    }

    fn text(field: Field, op: Op, value: &str) -> Expr {
        Expr::Cmp(field, op, Literal::Text(value.into()))
    }

    #[test]
    fn the_documented_examples_parse() {
        let f = parse_filter(
            "createdDateTime ge 2024-01-13T14:13:32Z and createdDateTime le 2024-01-14T17:43:26Z",
            Version::V1,
            Target::SignIn,
        )
        .expect("parses");
        let from = GraphDateTime::parse("2024-01-13T14:13:32Z")
            .expect("t")
            .micros();
        let to = GraphDateTime::parse("2024-01-14T17:43:26Z")
            .expect("t")
            .micros();
        assert_eq!(
            f.expr,
            Expr::And(vec![
                Expr::Cmp(Field::CreatedDateTime, Op::Ge, Literal::Time(from)),
                Expr::Cmp(Field::CreatedDateTime, Op::Le, Literal::Time(to)),
            ])
        );
        assert!(!f.names_event_types);
        let f = beta("startsWith(appDisplayName,'Azure')").expect("parses");
        assert_eq!(f.expr, text(Field::AppDisplayName, Op::StartsWith, "azure"));
        let f = beta(
            "location/city eq 'Redmond' and location/state eq 'Washington' and location/countryOrRegion eq 'US'",
        )
        .expect("parses");
        assert_eq!(
            f.expr,
            Expr::And(vec![
                text(Field::City, Op::Eq, "redmond"),
                text(Field::State, Op::Eq, "washington"),
                text(Field::CountryOrRegion, Op::Eq, "us"),
            ])
        );
        let f = beta("status/errorCode ne 0").expect("parses");
        assert_eq!(
            f.expr,
            Expr::Cmp(Field::ErrorCode, Op::Ne, Literal::Integer(0))
        );
        let f =
            beta("signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')")
                .expect("parses");
        assert!(f.names_event_types);
        assert_eq!(
            f.expr,
            Expr::Or(vec![
                report_expr(EventType::Interactive),
                report_expr(EventType::NonInteractive)
            ])
        );
        let f = beta(
            "signInEventTypes/any(t:t eq 'servicePrincipal') and appId eq 'C44B4083-3bb0-49c1-b47d-974e53cbdf3c'",
        )
        .expect("parses");
        assert_eq!(
            f.expr,
            Expr::And(vec![
                report_expr(EventType::ServicePrincipal),
                text(Field::AppId, Op::Eq, "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
            ])
        );
    }

    #[test]
    fn attribute_properties_parse_with_their_documented_operators() {
        let f = beta(
            "riskState eq 'atRisk' and riskDetail ne 'none' and riskLevelAggregated eq 'HIGH' \
             and riskLevelDuringSignIn eq 'low'",
        )
        .expect("parses");
        assert_eq!(
            f.expr,
            Expr::And(vec![
                text(Field::RiskState, Op::Eq, "atrisk"),
                text(Field::RiskDetail, Op::Ne, "none"),
                text(Field::RiskLevelAggregated, Op::Eq, "high"),
                text(Field::RiskLevelDuringSignIn, Op::Eq, "low"),
            ])
        );
        assert!(!f.names_event_types);
        let f = beta(
            "riskEventTypes_v2/any(t: t eq 'unfamiliarFeatures' or startsWith(t, 'Anon')) \
             and riskEventTypes/ANY(r:r eq 'leakedCredentials')",
        )
        .expect("parses");
        assert!(
            !f.names_event_types,
            "a collection's any() does not choose reports"
        );
        assert_eq!(
            f.expr,
            Expr::And(vec![
                Expr::Or(vec![
                    text(Field::RiskEventTypeV2, Op::Eq, "unfamiliarfeatures"),
                    text(Field::RiskEventTypeV2, Op::StartsWith, "anon"),
                ]),
                text(Field::RiskEventType, Op::Eq, "leakedcredentials"),
            ])
        );
        assert_eq!(
            beta("riskEventTypes_v2/any()").expect("parses").expr,
            text(Field::RiskEventTypeV2, Op::Ne, "")
        );
        let f = beta(
            "startsWith(userAgent,'Mozilla/5.0') and startsWith(authenticationRequirement,'multi') \
             and tokenIssuerName eq 'sts.contoso.com' and originalRequestId eq 'A' \
             and resourceServicePrincipalId eq 'B' and conditionalAccessAudiences eq 'C' \
             and conditionalAccessAudiences/any(a: a eq 'D')",
        )
        .expect("parses");
        assert_eq!(
            f.expr,
            Expr::And(vec![
                text(Field::UserAgent, Op::StartsWith, "mozilla/5.0"),
                text(Field::AuthenticationRequirement, Op::StartsWith, "multi"),
                text(Field::TokenIssuerName, Op::Eq, "sts.contoso.com"),
                text(Field::OriginalRequestId, Op::Eq, "a"),
                text(Field::ResourceServicePrincipalId, Op::Eq, "b"),
                text(Field::ConditionalAccessAudience, Op::Eq, "c"),
                text(Field::ConditionalAccessAudience, Op::Eq, "d"),
            ])
        );
        // v1.0 has the risk properties but not the beta ones.
        assert!(parse_filter("riskState eq 'atRisk'", Version::V1, Target::SignIn).is_ok());
        let e =
            parse_filter("userAgent eq 'x'", Version::V1, Target::SignIn).expect_err("beta only");
        assert!(e.0.contains("beta property"), "{e}");
        let f = parse_filter(
            "managedServiceIdentity/msiType eq 'userAssigned'",
            Version::Beta,
            Target::Summarized,
        )
        .expect("parses");
        assert_eq!(f.expr, text(Field::MsiType, Op::Eq, "userassigned"));
    }

    #[test]
    fn not_parentheses_and_quotes_work() {
        let f = beta("not (userDisplayName eq 'O''Brien' or deviceDetail/browser eq 'Edge 91')")
            .expect("parses");
        assert_eq!(
            f.expr,
            Expr::Not(Box::new(Expr::Or(vec![
                text(Field::UserDisplayName, Op::Eq, "o'brien"),
                text(Field::Browser, Op::Eq, "edge 91"),
            ])))
        );
        let f = beta("isInteractive eq false").expect("parses");
        assert!(f.names_event_types);
    }

    #[test]
    fn what_cannot_run_is_refused_by_name() {
        let cases = [
            ("appId gt 'a'", "'gt' is not supported for property 'appId'"),
            (
                "startsWith(appId,'a')",
                "'startsWith' is not supported for property 'appId'",
            ),
            (
                "riskState gt 'atRisk'",
                "'gt' is not supported for property 'riskState'",
            ),
            (
                "startsWith(riskDetail,'admin')",
                "'startsWith' is not supported for property 'riskDetail'",
            ),
            (
                "riskEventTypes_v2/any(t: t ne 'generic')",
                "ne is not supported inside riskEventTypes_v2/any()",
            ),
            (
                "riskEventTypes/any(t: startsWith(t,'un'))",
                "'startsWith' is not supported for property 'riskEventTypes'",
            ),
            (
                "riskEventTypes_v2/any(t: t eq 'a' and t eq 'b')",
                "join conditions with or",
            ),
            ("riskEventTypes_v2/all(t: t eq 'generic')", "use any"),
            ("riskEventTypes_v2/any(t: t eq 1)", "quoted text"),
            ("riskState/any(t: t eq 'x')", "not a collection"),
            (
                "signInEventTypes/any(t: startsWith(t,'non'))",
                "Only eq and ne compare signInEventTypes",
            ),
            ("nosuch eq 'x'", "property named 'nosuch'"),
            ("appId eq abc", "must be quoted"),
            ("status/errorCode eq 'x'", "does not fit"),
            ("createdDateTime ge yesterday", "not a date and time"),
            ("appId eq 'a' and", "ends too early"),
            ("appId eq 'a' appId", "after a complete expression"),
            ("appId like 'a'", "operator 'like'"),
            (
                "signInEventTypes/any(t: t eq 'robot')",
                "not a signInEventType",
            ),
            (
                "signInEventTypes/all(t: t eq 'servicePrincipal')",
                "use any",
            ),
            ("appId eq 'open", "no closing quote"),
        ];
        for (input, expected) in cases {
            let e = beta(input).expect_err(input);
            assert!(e.0.contains(expected), "{input}: {e}");
        }
        let e = parse_filter(
            "signInEventTypes/any(t: t eq 'servicePrincipal')",
            Version::V1,
            Target::SignIn,
        )
        .expect_err("beta only");
        assert!(e.0.contains("beta property"), "{e}");
        let deep = format!("{}appId eq 'a'{}", "(".repeat(100), ")".repeat(100));
        assert!(beta(&deep)
            .expect_err("deep")
            .0
            .contains("nests too deeply"));
        let deep_not = format!("{}appId eq 'a'", "not ".repeat(100));
        assert!(beta(&deep_not).is_err());
        let deep_any = format!(
            "signInEventTypes/any(t: {}t eq 'servicePrincipal'{})",
            "(".repeat(100),
            ")".repeat(100)
        );
        assert!(beta(&deep_any)
            .expect_err("deep any")
            .0
            .contains("nests too deeply"));
    }

    #[test]
    fn top_orderby_and_select_are_checked() {
        assert_eq!(parse_top(None), Ok(1000));
        assert_eq!(parse_top(Some("5")), Ok(5));
        for bad in ["0", "1001", "-1", "x"] {
            assert!(parse_top(Some(bad))
                .expect_err(bad)
                .0
                .contains("between 1 and 1000"));
        }
        assert_eq!(parse_orderby(None), Ok(true));
        assert_eq!(parse_orderby(Some("createdDateTime asc")), Ok(false));
        assert_eq!(parse_orderby(Some("createdDateTime desc")), Ok(true));
        assert!(parse_orderby(Some("userId")).is_err());
        assert_eq!(
            parse_select(Some("id,userPrincipalName"), Version::V1),
            Ok(Some(vec!["id".into(), "userPrincipalName".into()]))
        );
        assert!(parse_select(Some("signInEventTypes"), Version::V1).is_err());
        assert!(parse_select(Some("signInEventTypes"), Version::Beta).is_ok());
    }
}
