//! Value parsers of the command line. Every option's worst value (empty, huge, control
//! characters, non-UTF-8 bytes, a folder or a device where a file is expected, a bad URL) is
//! refused by clap, before any browser or simulator starts: exit 2 and one sentence that names
//! the option and says what it takes.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;

/// The longest accepted URL (`--pim-url`, `--webdriver`).
pub const MAX_URL_LEN: usize = 2048;
/// The longest user name or label.
pub const MAX_NAME_LEN: usize = 255;
/// Akeneo's limit for a role label.
pub const MAX_ROLE_LEN: usize = 25;
/// The largest input file (password, credentials, fleet file).
pub const MAX_INPUT_FILE: u64 = 1 << 20;
/// The longest console prefix or console argument.
pub const MAX_COMMAND_LEN: usize = 4096;

/// The error of `arg` for `value`: one line, the value shortened and escaped.
fn refuse(cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr, why: &str) -> clap::Error {
    let name = arg
        .map(|a| a.to_string())
        .unwrap_or_else(|| "a value".into());
    clap::Error::raw(
        ErrorKind::InvalidValue,
        format!("invalid value {} for '{name}': {why}\n", shown(value)),
    )
    .with_cmd(cmd)
}

/// A value as the message shows it: quoted, control characters escaped, at most 60 characters,
/// a URL's user info masked.
fn shown(value: &OsStr) -> String {
    // A URL's `user:password@` is never echoed.
    let text = crate::preflight::redact_user_info(&value.to_string_lossy());
    let count = text.chars().count();
    let head: String = text.chars().take(60).collect();
    let escaped = head.escape_debug().to_string();
    if count > 60 {
        format!("'{escaped}…' ({count} characters)")
    } else {
        format!("'{escaped}'")
    }
}

/// A parser of text: non-UTF-8 bytes are refused naming the option, and the function's
/// message is given the option's name.
#[derive(Clone)]
pub struct Text<T: 'static>(pub fn(&str) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Text<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let text = value
            .to_str()
            .ok_or_else(|| refuse(cmd, arg, value, "not UTF-8 text"))?;
        (self.0)(text).map_err(|why| refuse(cmd, arg, value, &why))
    }
}

/// Wraps clap's own parser (an enum, a ranged number): non-UTF-8 bytes are refused naming the
/// option; the listed values stay in `--help`.
#[derive(Clone)]
pub struct Utf8<P>(pub P);

impl<P: TypedValueParser> TypedValueParser for Utf8<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<P::Value, clap::Error> {
        if value.to_str().is_none() {
            return Err(refuse(cmd, arg, value, "not UTF-8 text"));
        }
        self.0.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

/// A parser of a path (any bytes) checked by a function.
#[derive(Clone)]
pub struct Checked(pub fn(&Path) -> Result<(), String>);

impl TypedValueParser for Checked {
    type Value = PathBuf;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<PathBuf, clap::Error> {
        if value.is_empty() {
            return Err(refuse(cmd, arg, value, "an empty path"));
        }
        let path = PathBuf::from(value);
        (self.0)(&path).map_err(|why| refuse(cmd, arg, value, &why))?;
        Ok(path)
    }
}

/// An http(s) URL with a host, at most [`MAX_URL_LEN`] characters.
pub fn http_url(s: &str) -> Result<String, String> {
    if s.len() > MAX_URL_LEN {
        return Err(format!("a URL of at most {MAX_URL_LEN} characters"));
    }
    match url::Url::parse(s) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {
            Ok(s.to_string())
        }
        Ok(_) => Err("expected an http:// or https:// URL".into()),
        Err(e) => Err(format!(
            "it is not a URL ({e}); expected e.g. http://127.0.0.1:8080"
        )),
    }
}

/// Text without control characters, not blank, at most `max` characters.
fn plain(s: &str, max: usize, what: &str) -> Result<String, String> {
    let count = s.chars().count();
    if s.trim().is_empty() || count > max {
        return Err(format!(
            "{what} must have 1 to {max} characters, it has {count}"
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(format!("{what} may not hold control characters"));
    }
    Ok(s.to_string())
}

/// A user name or a label: 1 to [`MAX_NAME_LEN`] characters, no control characters.
pub fn name(s: &str) -> Result<String, String> {
    plain(s, MAX_NAME_LEN, "a name")
}

/// A role label: 1 to [`MAX_ROLE_LEN`] characters (Akeneo's limit), no control characters.
pub fn role(s: &str) -> Result<String, String> {
    plain(s, MAX_ROLE_LEN, "a role label (Akeneo's limit)")
}

/// A console prefix or argument: 1 to [`MAX_COMMAND_LEN`] characters, no control characters.
pub fn command(s: &str) -> Result<String, String> {
    plain(s, MAX_COMMAND_LEN, "a command word")
}

/// A run id of `check`: 1 to 8 letters or digits (the message does not repeat the value:
/// [`refuse`] shows it shortened).
pub fn run_id(s: &str) -> Result<String, String> {
    crate::check::check_run_id(s)
        .map(|()| s.to_string())
        .map_err(|_| {
            "use 1 to 8 letters or digits (it suffixes the role label, 25 characters at most)"
                .into()
        })
}

/// A ratio between 0 and 1.
pub fn ratio(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err("a ratio between 0 and 1 (0.01 = 1% of the pixels)".into()),
    }
}

/// A file to read: an existing regular file (or a pipe, e.g. `<(pass show x)`), not a folder
/// nor a device, at most [`MAX_INPUT_FILE`] bytes.
pub fn input_file(p: &Path) -> Result<(), String> {
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::metadata(p).map_err(|e| format!("cannot read it: {e}"))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err("a folder, not a file".into());
    }
    if kind.is_fifo() {
        return Ok(());
    }
    if !kind.is_file() {
        return Err("not a regular file (a device or a socket)".into());
    }
    if meta.len() > MAX_INPUT_FILE {
        return Err(format!("larger than {MAX_INPUT_FILE} bytes"));
    }
    Ok(())
}

/// A file to write: not a folder nor a device; its folder exists.
pub fn output_file(p: &Path) -> Result<(), String> {
    if let Ok(meta) = std::fs::metadata(p) {
        if meta.is_dir() {
            return Err("a folder, not a file".into());
        }
        if !meta.is_file() {
            return Err("not a regular file (a device or a socket)".into());
        }
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!("folder {} does not exist", dir.display()));
    }
    Ok(())
}

/// A folder to write into (created when missing): nothing on its path is a file or a device.
pub fn output_dir(p: &Path) -> Result<(), String> {
    match p
        .ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.exists())
    {
        Some(a) if !a.is_dir() => Err(format!("{} is not a folder", a.display())),
        _ => Ok(()),
    }
}

/// An existing folder.
pub fn existing_dir(p: &Path) -> Result<(), String> {
    if p.is_dir() {
        Ok(())
    } else {
        Err("not an existing folder".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_texts_are_refused() {
        assert!(http_url("http://").is_err());
        assert!(http_url("ftp://x").is_err());
        assert!(http_url("http://[::1").is_err());
        assert!(http_url(&format!("http://{}", "a".repeat(3000))).is_err());
        assert!(http_url("http://127.0.0.1:8080").is_ok());
        assert!(name("").is_err() && name("  ").is_err() && name("a\u{1}b").is_err());
        assert!(name(&"x".repeat(256)).is_err());
        assert!(role("My API user role").is_ok() && role(&"r".repeat(26)).is_err());
        assert!(ratio("NaN").is_err() && ratio("-1").is_err() && ratio("0.5").is_ok());
        assert!(input_file(Path::new("/dev/zero")).is_err());
        assert!(input_file(Path::new("/")).is_err());
        assert!(output_file(Path::new("/dev/null")).is_err());
        assert!(output_dir(Path::new("/dev/null/x")).is_err());
        assert_eq!(shown(OsStr::new("a\nb")), "'a\\nb'");
    }
}
