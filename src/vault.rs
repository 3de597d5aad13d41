//! Write-ahead secret store: a password or secret the tool generates (or receives from the PIM
//! once) is written here BEFORE it is sent, and removed once the credentials have been delivered
//! (output file persisted, or stdout written and flushed). A run that stops in between (Ctrl-C,
//! SIGTERM, a dead browser, a failed step, a full disk) leaves it here, and the next run for the
//! same PIM and user (or 4.x+ connection) picks it up, verifies it and prints it.
//!
//! Where: `$XDG_STATE_HOME/pim-credentials/`, else `~/.local/state/pim-credentials/`; the folder
//! is mode 0700, every file 0600, written atomically. One file per saved value
//! (`<key>.<pid>-<nanos>.json`), so that two runs never overwrite each other's record.
//!
//! The same folder holds one lock file per PIM (`<pim key>.lock`, no secret in it): a run holds
//! it while it changes the PIM, so that two runs on one machine never race on one PIM.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::secrets::Secret;

/// Name of the tool's folder under the state home.
const FOLDER: &str = "pim-credentials";

/// What a saved value belongs to, besides the PIM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An API user of 1.7 to 3.x, by username.
    User(String),
    /// A 4.x+ connection, by label (its hidden user's name is only known after creation).
    Connection(String),
}

impl Subject {
    fn key(&self) -> String {
        match self {
            Subject::User(u) => format!("user:{u}"),
            Subject::Connection(c) => format!("connection:{c}"),
        }
    }

    fn slug(&self) -> String {
        match self {
            Subject::User(u) => slug(u),
            Subject::Connection(c) => format!("connection-{}", slug(c)),
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::User(u) => write!(f, "user {u}"),
            Subject::Connection(c) => write!(f, "connection '{c}'"),
        }
    }
}

/// The values saved for one subject. Secrets are [`Secret`]s: never printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// PIM base URL as given (the file name uses its normalized form).
    pub pim_url: String,
    /// Whose values these are.
    pub subject: Subject,
    /// The API username (1.7-3.x: the subject's name; 4.x+: the connection's user).
    pub username: Option<String>,
    /// The API user's password.
    pub password: Option<Secret>,
    /// OAuth client id, when known.
    pub client_id: Option<String>,
    /// OAuth secret, when known.
    pub secret: Option<Secret>,
    /// What the value is for (e.g. "generated password, sent to create the user").
    pub why: String,
}

impl Record {
    /// A record for a password the tool is about to send for `subject` on `pim_url`.
    pub fn password(pim_url: &str, subject: Subject, password: &Secret, why: &str) -> Self {
        let username = match &subject {
            Subject::User(u) => Some(u.clone()),
            Subject::Connection(_) => None,
        };
        Record {
            pim_url: pim_url.to_string(),
            subject,
            username,
            password: Some(password.clone()),
            client_id: None,
            secret: None,
            why: why.to_string(),
        }
    }
}

/// The on-disk form (secrets in clear: the file is 0600 in a 0700 folder).
#[derive(Serialize, Deserialize)]
struct Stored {
    pim_url: String,
    key: String,
    subject: String,
    connection: bool,
    username: Option<String>,
    password: Option<String>,
    client_id: Option<String>,
    secret: Option<String>,
    why: String,
    pid: u32,
    saved_at_unix: u64,
}

/// A record found on disk.
#[derive(Debug, Clone)]
pub struct Found {
    /// Its file.
    pub path: PathBuf,
    /// Its values.
    pub record: Record,
    /// When it was written (seconds since the epoch).
    pub saved_at_unix: u64,
    /// The process that wrote it.
    pub pid: u32,
}

/// The state folder and the records in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vault {
    dir: PathBuf,
}

/// Where the state folder is: `$XDG_STATE_HOME/pim-credentials` (when set and absolute), else
/// `$HOME/.local/state/pim-credentials`.
pub fn default_dir() -> Result<PathBuf, String> {
    if let Some(x) = std::env::var_os("XDG_STATE_HOME") {
        let p = PathBuf::from(x);
        if p.is_absolute() {
            return Ok(p.join(FOLDER));
        }
    }
    match std::env::var_os("HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h).join(".local/state").join(FOLDER)),
        _ => Err(
            "neither XDG_STATE_HOME nor HOME is set: no state folder for the write-ahead \
                  secrets (set XDG_STATE_HOME to a private folder)"
                .into(),
        ),
    }
}

impl Vault {
    /// The vault in the default folder ([`default_dir`]), created (0700) if needed.
    pub fn open_default() -> Result<Vault, String> {
        let dir = default_dir()?;
        Vault::open(&dir).map_err(|e| format!("cannot use the state folder {}: {e}", dir.display()))
    }

    /// The vault in `dir`, created if needed; its mode is set to 0700.
    pub fn open(dir: &Path) -> std::io::Result<Vault> {
        std::fs::create_dir_all(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        Ok(Vault {
            dir: dir.to_path_buf(),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `record` to a new file of its own (atomically, 0600, fsynced) and returns its path.
    pub fn save(&self, record: &Record) -> std::io::Result<PathBuf> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!(
            "{}.{}-{nanos}.json",
            file_key(&record.pim_url, &record.subject),
            std::process::id()
        );
        let path = self.dir.join(name);
        self.write(&path, record)?;
        Ok(path)
    }

    /// Rewrites the record at `path` (e.g. adding the client id once known).
    pub fn update(&self, path: &Path, record: &Record) -> std::io::Result<()> {
        self.write(path, record)
    }

    fn write(&self, path: &Path, record: &Record) -> std::io::Result<()> {
        let stored = Stored {
            pim_url: record.pim_url.clone(),
            key: full_key(&record.pim_url, &record.subject),
            subject: match &record.subject {
                Subject::User(u) | Subject::Connection(u) => u.clone(),
            },
            connection: matches!(record.subject, Subject::Connection(_)),
            username: record.username.clone(),
            password: record.password.as_ref().map(|s| s.expose().to_string()),
            client_id: record.client_id.clone(),
            secret: record.secret.as_ref().map(|s| s.expose().to_string()),
            why: record.why.clone(),
            pid: std::process::id(),
            saved_at_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        };
        let text = serde_json::to_string_pretty(&stored).map_err(std::io::Error::other)? + "\n";
        write_private(path, text.as_bytes())
    }

    /// The records saved for `subject` on `pim_url`, newest first. Unreadable files are skipped.
    pub fn find(&self, pim_url: &str, subject: &Subject) -> Vec<Found> {
        let prefix = format!("{}.", file_key(pim_url, subject));
        let key = full_key(pim_url, subject);
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return vec![];
        };
        let mut found: Vec<Found> = entries
            .flatten()
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(&prefix) && n.ends_with(".json")
            })
            .filter_map(|e| read_record(&e.path()))
            .filter(|(_, s)| s.key == key)
            .map(|(path, s)| Found {
                path,
                record: Record {
                    pim_url: s.pim_url,
                    subject: if s.connection {
                        Subject::Connection(s.subject)
                    } else {
                        Subject::User(s.subject)
                    },
                    username: s.username,
                    password: s.password.map(Secret::new),
                    client_id: s.client_id,
                    secret: s.secret.map(Secret::new),
                    why: s.why,
                },
                saved_at_unix: s.saved_at_unix,
                pid: s.pid,
            })
            .collect();
        found.sort_by(|a, b| (b.saved_at_unix, &b.path).cmp(&(a.saved_at_unix, &a.path)));
        found
    }

    /// Removes the records of `subject` on `pim_url` that hold `password` (the credentials with
    /// that password were delivered). Returns how many were removed.
    pub fn forget_delivered(&self, pim_url: &str, subject: &Subject, password: &Secret) -> usize {
        self.find(pim_url, subject)
            .into_iter()
            .filter(|f| f.record.password.as_ref() == Some(password))
            .filter(|f| remove(&f.path).is_ok())
            .count()
    }

    /// Takes the lock of `pim_url` (non-blocking): `Err(Busy)` when another process holds it.
    pub fn lock(&self, pim_url: &str) -> Result<PimLock, LockError> {
        let path = self.dir.join(format!("{}.lock", pim_key_slug(pim_url)));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| LockError::Io(path.clone(), e))?;
        // SAFETY: flock on a file descriptor this function owns.
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if r != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(LockError::Busy {
                    path,
                    holder: text.trim().parse().ok(),
                });
            }
            return Err(LockError::Io(path, err));
        }
        file.set_len(0)
            .map_err(|e| LockError::Io(path.clone(), e))?;
        file.write_all(format!("{}\n", std::process::id()).as_bytes())
            .map_err(|e| LockError::Io(path.clone(), e))?;
        Ok(PimLock { _file: file, path })
    }
}

/// Why [`Vault::lock`] did not take the lock.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it.
    Busy {
        /// The lock file.
        path: PathBuf,
        /// The holder's process id, when it could be read.
        holder: Option<u32>,
    },
    /// The lock file could not be opened or locked.
    Io(PathBuf, std::io::Error),
}

/// The lock of one PIM, held until dropped (or until the process ends, whichever comes first).
#[derive(Debug)]
pub struct PimLock {
    _file: File,
    path: PathBuf,
}

impl PimLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Removes a record file.
pub fn remove(path: &Path) -> std::io::Result<()> {
    std::fs::remove_file(path)
}

fn read_record(path: &Path) -> Option<(PathBuf, Stored)> {
    let text = std::fs::read_to_string(path).ok()?;
    let stored: Stored = serde_json::from_str(&text).ok()?;
    Some((path.to_path_buf(), stored))
}

/// Writes `bytes` to `path` atomically: a new 0600 temporary file in the same folder, fsync,
/// rename, fsync of the folder.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The PIM URL as compared: scheme and host lowercased, default port explicit, no trailing
/// slash, no query or fragment. Unparsable URLs are used as given (trimmed).
pub fn normalize_url(pim_url: &str) -> String {
    match url::Url::parse(pim_url.trim()) {
        Ok(u) => format!(
            "{}://{}:{}{}",
            u.scheme(),
            u.host_str().unwrap_or("").to_ascii_lowercase(),
            u.port_or_known_default().unwrap_or(0),
            u.path().trim_end_matches('/')
        ),
        Err(_) => pim_url.trim().trim_end_matches('/').to_string(),
    }
}

fn full_key(pim_url: &str, subject: &Subject) -> String {
    format!("{} {}", normalize_url(pim_url), subject.key())
}

/// `<host>-<port>[-path]-<subject>-<hash>`: readable, and unique by the hash of the full key.
fn file_key(pim_url: &str, subject: &Subject) -> String {
    let readable: String = format!("{}-{}", pim_key_slug_readable(pim_url), subject.slug())
        .chars()
        .take(80)
        .collect();
    format!(
        "{readable}-{:016x}",
        fnv1a(full_key(pim_url, subject).as_bytes())
    )
}

fn pim_key_slug(pim_url: &str) -> String {
    let readable: String = pim_key_slug_readable(pim_url).chars().take(60).collect();
    format!(
        "{readable}-{:016x}",
        fnv1a(normalize_url(pim_url).as_bytes())
    )
}

fn pim_key_slug_readable(pim_url: &str) -> String {
    let n = normalize_url(pim_url);
    slug(n.split_once("://").map(|(_, rest)| rest).unwrap_or(&n))
}

/// Letters, digits, `_` and `.` kept; anything else becomes `-`.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// FNV-1a, 64 bits: a stable hash (std's hashers are not guaranteed stable across releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_saved_password_is_private_found_by_url_and_user_and_forgotten_once_delivered() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("state/pim-credentials");
        let v = Vault::open(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let pw = Secret::new("Gen3rated-pw");
        let user = Subject::User("myAPIuser".into());
        let path = v
            .save(&Record::password(
                "http://127.0.0.1:8080/",
                user.clone(),
                &pw,
                "test",
            ))
            .unwrap();
        assert_eq!(mode(&path), 0o600);
        // Same PIM written differently: found; another user or PIM: not found.
        let found = v.find("HTTP://127.0.0.1:8080", &user);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].record.password.as_ref(), Some(&pw));
        assert_eq!(found[0].pid, std::process::id());
        assert!(v.find("http://127.0.0.1:8081", &user).is_empty());
        assert!(v
            .find("http://127.0.0.1:8080", &Subject::User("other".into()))
            .is_empty());
        assert!(v
            .find(
                "http://127.0.0.1:8080",
                &Subject::Connection("myAPIuser".into())
            )
            .is_empty());
        // Another password for the same user is not removed by delivering this one.
        let other = Secret::new("0ther-pw");
        v.save(&Record::password(
            "http://127.0.0.1:8080",
            user.clone(),
            &other,
            "x",
        ))
        .unwrap();
        assert_eq!(v.forget_delivered("http://127.0.0.1:8080", &user, &pw), 1);
        let left = v.find("http://127.0.0.1:8080", &user);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].record.password.as_ref(), Some(&other));
        // No temporary file left behind.
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn an_update_keeps_one_file_and_the_newest_record_comes_first() {
        let home = tempfile::tempdir().unwrap();
        let v = Vault::open(home.path()).unwrap();
        let c = Subject::Connection("My very first API connection".into());
        let mut r = Record::password("http://pim", c.clone(), &Secret::new("a"), "x");
        let p = v.save(&r).unwrap();
        r.client_id = Some("1_abc".into());
        r.secret = Some(Secret::new("s"));
        v.update(&p, &r).unwrap();
        let found = v.find("http://pim/", &c);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].record, r);
    }

    #[test]
    fn the_lock_of_a_pim_is_exclusive_and_released_on_drop() {
        let home = tempfile::tempdir().unwrap();
        let v = Vault::open(home.path()).unwrap();
        let held = v.lock("http://127.0.0.1:8080").unwrap();
        match v.lock("http://127.0.0.1:8080/") {
            Err(LockError::Busy { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("expected Busy, got {other:?}"),
        }
        // Another PIM is independent.
        let other = v.lock("http://127.0.0.1:9090").unwrap();
        drop(held);
        assert!(v.lock("http://127.0.0.1:8080").is_ok());
        assert_eq!(mode(other.path()), 0o600);
    }

    #[test]
    fn state_home_comes_from_xdg_then_home() {
        // Read-only check of the rule on the current environment (tests must not set env vars
        // that other threads read).
        let d = default_dir();
        if let Some(x) = std::env::var_os("XDG_STATE_HOME").filter(|x| Path::new(x).is_absolute()) {
            assert_eq!(d.unwrap(), PathBuf::from(x).join(FOLDER));
        } else if let Some(h) = std::env::var_os("HOME") {
            assert_eq!(
                d.unwrap(),
                PathBuf::from(h).join(".local/state/pim-credentials")
            );
        }
    }

    #[test]
    fn urls_are_normalized() {
        assert_eq!(
            normalize_url("HTTP://Pim.Example/"),
            "http://pim.example:80"
        );
        assert_eq!(
            normalize_url("https://pim.example/akeneo/"),
            "https://pim.example:443/akeneo"
        );
        assert_ne!(
            file_key("http://a", &Subject::User("u".into())),
            file_key("http://a", &Subject::User("u2".into()))
        );
    }
}
