//! Delivering the credentials: to standard output (written AND flushed: a closed pipe or a full
//! device is an error, never a panic) or to the `--output` file (atomic, 0600, re-checked to be
//! a regular file or absent right before it is replaced). Only a delivered result lets the
//! write-ahead records go (see [`crate::vault`]).

use std::io::Write;
use std::path::Path;

/// Where the credentials go.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// Standard output.
    Stdout,
    /// A file, replaced atomically (mode 0600).
    File(&'a Path),
}

impl std::fmt::Display for Destination<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Stdout => f.write_str("standard output"),
            Destination::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Writes `text` to `dest`; `Ok` means the bytes reached it (stdout flushed, file fsynced and
/// renamed into place).
pub fn deliver(dest: Destination<'_>, text: &str) -> std::io::Result<()> {
    match dest {
        Destination::Stdout => write_all_flush(&mut std::io::stdout().lock(), text),
        Destination::File(path) => {
            // The folder may have changed since the up-front check: never replace a device,
            // FIFO or folder with a file of credentials.
            if let Ok(m) = std::fs::metadata(path) {
                if !m.is_file() {
                    return Err(std::io::Error::other(
                        "it is no longer a regular file (a device, FIFO or folder is never \
                         replaced)",
                    ));
                }
            }
            crate::output::write_atomic_0600(path, text)
        }
    }
}

/// `write_all` then `flush`: with Rust's SIGPIPE ignored, a closed pipe is `EPIPE` here.
pub fn write_all_flush(w: &mut impl Write, text: &str) -> std::io::Result<()> {
    w.write_all(text.as_bytes())?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_device_and_a_closed_pipe_are_errors() {
        let mut full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let e = write_all_flush(&mut full, "{}\n").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
        let (reader, mut writer) = std::io::pipe().unwrap();
        drop(reader);
        let e = write_all_flush(&mut writer, "{}\n").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn a_file_destination_is_written_0600_but_never_replaces_a_device() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("creds.json");
        deliver(Destination::File(&p), "x\n").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(deliver(Destination::File(Path::new("/dev/null")), "x").is_err());
        assert!(deliver(Destination::File(dir.path()), "x").is_err());
        assert_eq!(Destination::Stdout.to_string(), "standard output");
    }
}
