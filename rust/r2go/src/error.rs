//! The error of a call to Go that failed.

use std::fmt;

/// Why a call to a Go handler returned `Err`, for methods whose `user.rs`
/// signature returns `Result<T, E>`.
///
/// `E` may be this type itself, a `String` (which gets this error's
/// [`Display`](fmt::Display) text), or a `#[derive(R2G)]` struct that
/// implements `From<GoError>`: a Go handler that returns that struct as its
/// error sends it as is, and every other failure goes through `From`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoError {
    kind: GoErrorKind,
    method: &'static str,
    message: String,
}

/// What kind of failure a [`GoError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GoErrorKind {
    /// The handler returned a non-nil Go `error`; the message is its
    /// `Error()` text.
    Returned,
    /// The handler panicked; the message is the panic value, formatted by Go.
    /// The Go side recovered and goes on serving calls. A handler that ended
    /// without returning (`runtime.Goexit` in an async handler, or `panic(nil)`
    /// under `GODEBUG=panicnil=1`) counts as a panic, with a message that
    /// says so.
    Panicked,
    /// The Go side did not run the call: it was shut down
    /// ([`shutdown`](crate::shutdown)), or the call was cancelled while it
    /// waited for a free handler.
    ShutDown,
    /// A value could not cross between Rust and Go: an argument or result
    /// nested deeper than the depth limit ([`set_max_depth`](crate::set_max_depth)),
    /// a cyclic Go value, or a result Rust cannot represent (a string that is
    /// not UTF-8, an unknown enum variant, an invalid `char`). The message
    /// names the path to the value.
    Invalid,
    /// The Go side is served over gRPC ([`grpc`](crate::grpc)) and could not
    /// be reached, the connection broke during the call, or the call's
    /// deadline passed. The message names the address. Whether the handler
    /// ran is not known.
    Transport,
}

impl GoError {
    pub(crate) fn returned(method: &'static str, message: String) -> Self {
        Self {
            kind: GoErrorKind::Returned,
            method,
            message,
        }
    }

    pub(crate) fn panicked(method: &'static str, message: String) -> Self {
        Self {
            kind: GoErrorKind::Panicked,
            method,
            message,
        }
    }

    pub(crate) fn shut_down(method: &'static str, message: String) -> Self {
        Self {
            kind: GoErrorKind::ShutDown,
            method,
            message,
        }
    }

    pub(crate) fn invalid(method: &'static str, message: String) -> Self {
        Self {
            kind: GoErrorKind::Invalid,
            method,
            message,
        }
    }

    pub(crate) fn transport(method: &'static str, message: String) -> Self {
        Self {
            kind: GoErrorKind::Transport,
            method,
            message,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> GoErrorKind {
        self.kind
    }

    /// Whether the Go handler panicked (rather than returning an error).
    pub fn is_panic(&self) -> bool {
        self.kind == GoErrorKind::Panicked
    }

    /// The method that failed, as `Trait::method`.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// Go's text: the error's `Error()`, the panic value, or why the call
    /// was not run; for [`Invalid`](GoErrorKind::Invalid), what could not
    /// cross and where. Bytes of Go's text that are not UTF-8 appear as
    /// `\xNN`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A returned error displays as Go's `Error()` text alone, as Go prints it;
/// a panic as `Go handler of Trait::method panicked: <value>`; a call that
/// was not run as `r2go: Trait::method was not run: <reason>`; a value that
/// could not cross as `r2go: <what, where>`; a call that could not reach
/// the Go server as `r2go: Trait::method failed: <what happened>`.
impl fmt::Display for GoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            GoErrorKind::Returned => f.write_str(&self.message),
            GoErrorKind::Panicked => {
                write!(
                    f,
                    "Go handler of {} panicked: {}",
                    self.method, self.message
                )
            }
            GoErrorKind::ShutDown => {
                write!(f, "r2go: {} was not run: {}", self.method, self.message)
            }
            GoErrorKind::Invalid => write!(f, "r2go: {}", self.message),
            GoErrorKind::Transport => {
                write!(f, "r2go: {} failed: {}", self.method, self.message)
            }
        }
    }
}

impl std::error::Error for GoError {}

/// The [`Display`](fmt::Display) text: what a method with `String` errors
/// returns.
impl From<GoError> for String {
    fn from(e: GoError) -> String {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_each_kind_distinctly() {
        let r = GoError::returned("T::m", "not found".into());
        let p = GoError::panicked("T::m", "boom".into());
        let s = GoError::shut_down("T::m", "the Go side is shut down".into());
        let i = GoError::invalid("T::m", "the result of T::m is too deep".into());
        let t = GoError::transport("T::m", "cannot reach the Go side at unix:///s".into());
        assert_eq!(
            t.to_string(),
            "r2go: T::m failed: cannot reach the Go side at unix:///s"
        );
        assert_eq!(t.kind(), GoErrorKind::Transport);
        assert_eq!(i.to_string(), "r2go: the result of T::m is too deep");
        assert_eq!(i.kind(), GoErrorKind::Invalid);
        assert!(!i.is_panic());
        assert_eq!(String::from(r.clone()), "not found");
        assert_eq!(p.to_string(), "Go handler of T::m panicked: boom");
        assert_eq!(
            s.to_string(),
            "r2go: T::m was not run: the Go side is shut down"
        );
        assert!(p.is_panic() && !r.is_panic() && !s.is_panic());
        assert_eq!(
            (r.kind(), s.kind()),
            (GoErrorKind::Returned, GoErrorKind::ShutDown)
        );
        assert_eq!((p.method(), p.message()), ("T::m", "boom"));
    }
}
