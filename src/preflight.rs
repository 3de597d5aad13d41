//! Up-front checks: everything that can be refused before the PIM is touched, with the PIM's
//! own rules (see `../shared/akeneo/`). Each check returns a usage message (exit 2) that says
//! what is wrong and what to do; nothing has been sent to the PIM when one fails.

use std::path::Path;

use crate::pim::Generation;

/// Longest role label Akeneo accepts (`validation.yml`: Length max 25).
pub const ROLE_MAX: usize = 25;
/// Longest API connection / console client label, 1.7 to 3.x (`validation/client.yml`:
/// NotBlank, Length max 255).
pub const CLIENT_LABEL_MAX: usize = 255;
/// Connection label length on 4.x and later (the create form: `minLength=3 maxLength=100`).
pub const CONNECTION_LABEL_4X: std::ops::RangeInclusive<usize> = 3..=100;
/// Username length (user form: required, 3-255).
pub const USERNAME_LEN: std::ops::RangeInclusive<usize> = 3..=255;
pub use crate::secrets::{read_secret_file, SECRET_FILE_MAX};

/// `--pim-url`: an http(s) URL with a host and WITHOUT user info (`user:pass@`): the password
/// would end up in the output, the logs and the reports, and the PIM's login form does not read
/// it anyway.
pub fn pim_url(url: &str) -> Result<(), String> {
    let u = url::Url::parse(url)
        .map_err(|e| format!("--pim-url {:?} is not a URL: {e}", redact_user_info(url)))?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err(format!(
            "--pim-url {:?} carries a user name or password: refused (it would be printed in the \
             output and reports, and the PIM's login form does not use it). Give the URL without \
             them, the administrator with --admin-user, and the password in PIM_ADMIN_PASSWORD or \
             --admin-password-file (the API user's in PIM_API_PASSWORD or --api-password-file)",
            redact_user_info(url)
        ));
    }
    if !(u.scheme() == "http" || u.scheme() == "https") || u.host().is_none() {
        return Err(format!(
            "--pim-url {url:?}: expected an http:// or https:// URL"
        ));
    }
    Ok(())
}

/// `url` with any `user:password@` replaced by `***@`, for messages.
pub fn redact_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not a URL: show it only when it cannot hold a password.
        return if url.contains('@') {
            "***".to_string()
        } else {
            url.to_string()
        };
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// `--role`: 1 to 25 characters, not blank.
pub fn role_label(label: &str) -> Result<(), String> {
    let n = label.chars().count();
    if label.trim().is_empty() || n > ROLE_MAX {
        return Err(format!(
            "--role {label:?}: a role label must have 1 to {ROLE_MAX} characters (Akeneo's limit), \
             it has {n}; nothing was changed"
        ));
    }
    Ok(())
}

/// `--connection`: the label rules of `generation`; `None` (not known yet) checks what every
/// generation refuses (blank, over 255) — call again once the generation is detected, before
/// the first change.
pub fn connection_label(label: &str, generation: Option<Generation>) -> Result<(), String> {
    let n = label.chars().count();
    if label.trim().is_empty() {
        return Err("--connection must not be blank; nothing was changed".into());
    }
    match generation {
        Some(g) if g.has_connections() && !CONNECTION_LABEL_4X.contains(&n) => {
            return Err(format!(
                "--connection {label:?}: {g} needs a connection label of {} to {} characters, \
                 it has {n}; nothing was changed: choose a shorter or longer label",
                CONNECTION_LABEL_4X.start(),
                CONNECTION_LABEL_4X.end()
            ));
        }
        Some(g) if g.has_connections() => {}
        _ if n > CLIENT_LABEL_MAX => {
            return Err(format!(
                "--connection: a label must have 1 to {CLIENT_LABEL_MAX} characters, it has {n} \
                 (4.x and later: 3 to 100); nothing was changed"
            ));
        }
        _ => {}
    }
    Ok(())
}

/// `--api-user`: 3 to 255 characters without spaces (Akeneo's user form: "The username should
/// not contain space character.").
pub fn username(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if !USERNAME_LEN.contains(&n) {
        return Err(format!(
            "--api-user {name:?}: a username must have {} to {} characters, it has {n}; nothing \
             was changed",
            USERNAME_LEN.start(),
            USERNAME_LEN.end()
        ));
    }
    if name.chars().any(char::is_whitespace) {
        return Err(format!(
            "--api-user {name:?}: the PIM refuses usernames with spaces (\"The username should \
             not contain space character.\"); use e.g. {:?}; nothing was changed",
            name.split_whitespace().collect::<Vec<_>>().join("_")
        ));
    }
    Ok(())
}

/// `--output`: absent (its folder must exist) or an existing regular file (then only with
/// `force`). Never a directory, device, FIFO or socket: replacing one with a file of
/// credentials is refused even with `--force`.
pub fn output_target(path: &Path, force: bool) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            let kind = file_kind(&m);
            return Err(format!(
                "--output {}: it is a {kind}, not a regular file: refused (even with --force, \
                 a {kind} is never replaced); choose a file path, or omit --output to print to \
                 standard output",
                path.display()
            ));
        }
        Ok(_) if !force => {
            return Err(format!(
                "{} already exists: pass --force to overwrite it, or choose another --output",
                path.display()
            ));
        }
        Ok(_) => return Ok(()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("--output {}: {e}", path.display()));
        }
        Err(_) => {}
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "folder {} does not exist (for --output {})",
            dir.display(),
            path.display()
        ));
    }
    Ok(())
}

fn file_kind(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_dir() {
        "directory"
    } else if t.is_char_device() || t.is_block_device() {
        "device"
    } else if t.is_fifo() {
        "FIFO (named pipe)"
    } else if t.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_user_info_is_refused_without_echoing_the_password() {
        let e = pim_url("http://admin:s3cret@127.0.0.1:8080").unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        assert!(e.contains("PIM_ADMIN_PASSWORD"), "{e}");
        assert!(pim_url("http://admin@pim.example").is_err());
        assert!(pim_url("http://127.0.0.1:8080/").is_ok());
        assert!(pim_url("ftp://pim.example").is_err());
        assert!(!pim_url("http//x:p4ss@").unwrap_err().contains("p4ss"));
        assert_eq!(redact_user_info("https://u:p@h/x@y"), "https://***@h/x@y");
    }

    #[test]
    fn labels_follow_each_generation() {
        assert!(role_label("My API user role").is_ok());
        assert!(role_label(&"r".repeat(26)).is_err());
        assert!(role_label(" ").is_err());
        let long = "c".repeat(101);
        assert!(connection_label(&long, None).is_ok());
        assert!(connection_label(&long, Some(Generation::V3)).is_ok());
        assert!(connection_label(&long, Some(Generation::V4))
            .unwrap_err()
            .contains("3 to 100"));
        assert!(connection_label("ab", Some(Generation::V7)).is_err());
        assert!(connection_label("ab", Some(Generation::V2)).is_ok());
        assert!(connection_label(&"c".repeat(256), None).is_err());
        assert!(connection_label("", None).is_err());
    }

    #[test]
    fn usernames_follow_the_pim_rules() {
        assert!(username("myAPIuser").is_ok());
        let e = username("my API user").unwrap_err();
        assert!(e.contains("my_API_user"), "{e}");
        assert!(username("ab").is_err());
        assert!(username(&"u".repeat(256)).is_err());
    }

    #[test]
    fn output_must_be_a_regular_file_or_absent() {
        let dir = tempfile::tempdir().unwrap();
        assert!(output_target(&dir.path().join("new.json"), false).is_ok());
        let f = dir.path().join("old.json");
        std::fs::write(&f, "x").unwrap();
        assert!(output_target(&f, false).unwrap_err().contains("--force"));
        assert!(output_target(&f, true).is_ok());
        let e = output_target(Path::new("/dev/null"), true).unwrap_err();
        assert!(e.contains("device"), "{e}");
        assert!(output_target(dir.path(), true)
            .unwrap_err()
            .contains("directory"));
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(output_target(&fifo, true).unwrap_err().contains("FIFO"));
        assert!(output_target(&dir.path().join("no/such.json"), false).is_err());
    }

    #[test]
    fn secret_files_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "pw-line\nsecond\n").unwrap();
        assert_eq!(read_secret_file(&f).unwrap(), "pw-line");
        std::fs::write(&f, vec![b'a'; 10 * 1024 * 1024]).unwrap();
        assert!(read_secret_file(&f)
            .unwrap_err()
            .contains("more than 4096 bytes"));
        std::fs::write(&f, "\n").unwrap();
        assert!(read_secret_file(&f).unwrap_err().contains("empty"));
    }
}
