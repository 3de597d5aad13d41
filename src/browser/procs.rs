//! The processes a run starts, and what they must not outlive or inherit.
//!
//! * Environment: the driver (and the browser it starts) gets no variable that may hold a
//!   secret: the standard ones ([`crate::secrets::ENV_VARS`]) and any registered by the run
//!   ([`register_secret_env`], e.g. the fleet file's `admin_password_env` names).
//! * Parent death (Linux): the driver gets `PR_SET_PDEATHSIG` = SIGKILL, and a guardian (a
//!   `sh` waiting on a pipe only this process holds) kills the driver's process group, any
//!   process still using the profile folder, and deletes the folder, when the tool dies
//!   however it dies (SIGKILL included): the pipe's last writer is gone, its read returns.
//! * Stale profiles: a profile folder is `pim-credentials-<pid>-<random>` with an `owner`
//!   file (pid and start time of the tool); a later run deletes the folders whose owner is no
//!   longer running ([`remove_stale_profiles`]).
//! * Signals: [`termination`] resolves on SIGINT, SIGTERM or SIGHUP (a closed terminal or SSH
//!   session is treated like a termination request).

use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// Variable names registered by the run, removed from every child's environment.
static EXTRA_SECRET_ENV: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Registers environment variable names that hold secrets of this run (a fleet file's
/// `admin_password_env` / `api_password_env`): drivers and browsers started afterwards do not
/// get them (see [`secret_env_names`]).
pub fn register_secret_env<I, S>(names: I)
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut extra = EXTRA_SECRET_ENV.lock().unwrap();
    for n in names {
        let n = n.into();
        if !n.is_empty() && !extra.contains(&n) {
            extra.push(n);
        }
    }
}

/// Every variable name a child process must not inherit: the standard secret variables and
/// those registered with [`register_secret_env`]. Pass it as `LaunchOptions::env_remove`.
pub fn secret_env_names() -> Vec<String> {
    // WEBDRIVER_URL may carry a Grid account in its user info.
    let mut names: Vec<String> = crate::secrets::ENV_VARS
        .iter()
        .chain(["WEBDRIVER_URL"].iter())
        .map(|s| s.to_string())
        .collect();
    for n in EXTRA_SECRET_ENV.lock().unwrap().iter() {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    names
}

/// Resolves when the run is asked to stop: Ctrl-C (SIGINT), SIGTERM (CI cancellation,
/// `timeout`) or SIGHUP (the terminal or SSH session went away), with the signal's number,
/// also recorded for the exit code ([`crate::error::exit::interrupted`]: 128 + the signal).
/// Never resolves when no handler can be installed.
pub async fn termination() -> i32 {
    use tokio::signal::unix::{signal, SignalKind};
    let on = |kind: SignalKind| async move {
        match signal(kind) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    let sig = tokio::select! {
        _ = on(SignalKind::interrupt()) => libc::SIGINT,
        _ = on(SignalKind::terminate()) => libc::SIGTERM,
        _ = on(SignalKind::hangup()) => libc::SIGHUP,
    };
    crate::error::exit::record_signal(sig);
    sig
}

/// Prefix of every profile folder of this tool (in the temp folder).
pub(super) const PROFILE_PREFIX: &str = "pim-credentials-";

/// Length of the random part of a profile folder's name (letters and digits).
pub(super) const PROFILE_RANDOM_LEN: usize = 16;

/// The file in a profile folder naming its owner: `<pid> <start time>`.
const OWNER_FILE: &str = "owner";

/// The start time of process `pid` (clock ticks since boot, `/proc/<pid>/stat` field 22):
/// with the pid, it names a process for good (a pid alone is reused).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// What a profile folder's `owner` file says about this process.
fn owner_line() -> String {
    let pid = std::process::id();
    format!("{pid} {}", start_time(pid).unwrap_or(0))
}

/// Writes the `owner` file of a new profile folder.
pub(super) fn mark_owner(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join(OWNER_FILE), owner_line())
}

/// True when the folder's owner still runs (same pid, same start time). A folder without an
/// `owner` file (made by an older version) is judged by its pid alone.
fn owner_alive(dir: &Path, pid_in_name: u32) -> bool {
    match std::fs::read_to_string(dir.join(OWNER_FILE)) {
        Ok(s) => {
            let mut it = s.split_whitespace();
            let pid = it.next().and_then(|p| p.parse::<u32>().ok());
            let start = it.next().and_then(|p| p.parse::<u64>().ok());
            match (pid, start) {
                (Some(pid), Some(start)) => start_time(pid) == Some(start),
                _ => Path::new(&format!("/proc/{pid_in_name}")).exists(),
            }
        }
        Err(_) => Path::new(&format!("/proc/{pid_in_name}")).exists(),
    }
}

/// The pid in a profile folder's name (`pim-credentials-<pid>-<16 letters or digits>`).
fn profile_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PROFILE_PREFIX)?;
    let (pid, random) = rest.split_once('-')?;
    (random.len() == PROFILE_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| pid.parse().ok())
        .flatten()
}

/// Deletes the profile folders under `tmp` left by runs that were killed (their owner no
/// longer runs), after killing any process still using one. Returns the folders removed.
pub fn remove_stale_profiles(tmp: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return vec![];
    };
    let mut removed = vec![];
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(profile_pid) else {
            continue;
        };
        let dir = e.path();
        if !dir.is_dir() || owner_alive(&dir, pid) {
            continue;
        }
        kill_profile_users(&dir, 0, std::time::Duration::from_secs(1));
        if std::fs::remove_dir_all(&dir).is_ok() {
            removed.push(dir);
        }
    }
    removed
}

/// Makes the child (the driver) die with this thread's process: `PR_SET_PDEATHSIG` SIGKILL,
/// set between fork and exec. Linux only; elsewhere nothing.
pub(super) fn die_with_parent(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: prctl, getppid and _exit are async-signal-safe; nothing is allocated between
        // fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died before the prctl: then go at once.
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// The guardian's script: waits for EOF on stdin (every writer gone: the tool died), then
/// kills the driver's process group and every process naming the profile folder, and deletes
/// the folder. No command line of its own (nor of the `tr` it runs) names the folder: it comes
/// by environment and is matched by the shell, so no process is left naming it once it is gone.
const GUARDIAN_SH: &str = r#"trap '' HUP INT TERM
while read -r _; do :; done
kill -9 -- "-$PIMCRED_GUARD_PGID" 2>/dev/null
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  [ "$pid" = "$$" ] && continue
  cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)
  case "$cmd" in *"$PIMCRED_GUARD_DIR"*) kill -9 "$pid" 2>/dev/null ;; esac
done
rm -rf -- "$PIMCRED_GUARD_DIR"
"#;

/// A guardian process: cleans up after the driver if the tool dies without doing it.
pub(super) struct Guardian {
    child: Child,
    /// The pipe's write end: held by this process only (close-on-exec).
    _pipe: OwnedFd,
}

impl Guardian {
    /// Starts the guardian of the driver's process group `pgid` and profile folder `dir`.
    /// `None` when it cannot be started (no `/bin/sh`): the driver then only has its
    /// parent-death signal, and the next run removes the folder.
    pub(super) fn start(pgid: i32, dir: &Path) -> Option<Guardian> {
        use std::os::unix::process::CommandExt;
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills two fds we then own; O_CLOEXEC keeps them out of other children.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return None;
        }
        // SAFETY: both fds were just created by pipe2 and are owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(GUARDIAN_SH)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("PIMCRED_GUARD_PGID", pgid.to_string())
            .env("PIMCRED_GUARD_DIR", dir)
            .stdin(Stdio::from(read))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own group: a Ctrl-C on the terminal or our kill of the driver's group
            // leaves it alone.
            .process_group(0);
        let child = cmd.spawn().ok()?;
        Some(Guardian {
            child,
            _pipe: write,
        })
    }

    /// Stops the guardian (the tool cleans up itself).
    pub(super) fn dismiss(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The variable naming the driver's temp folder in the environment of the driver and of
/// everything it starts (the browser, and the crash handler Chromium starts outside its
/// process group): [`kill_profile_users`] finds them by it.
pub(super) const DRIVER_DIR_ENV: &str = "PIMCRED_DRIVER_DIR";

/// The processes of our browser still running (zombies excluded): those of chromedriver's
/// process group `pgid` (0: none), those whose command line mentions our temp folder (a
/// Chromium that left the group), and those whose environment names it in [`DRIVER_DIR_ENV`]
/// (Chromium's crash handler, which runs in a session of its own). Linux only; elsewhere none.
fn profile_users(dir: &Path, pgid: i32) -> Vec<i32> {
    let Some(needle) = dir.to_str().filter(|s| !s.is_empty()) else {
        return Vec::new();
    };
    let marker = format!("{DRIVER_DIR_ENV}={needle}\0");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut found = Vec::new();
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if pid as u32 == me {
            continue;
        }
        // "pid (comm) state ppid pgrp …": the fields after the command's closing parenthesis.
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        if matches!(fields.first(), Some(&"Z") | Some(&"X") | None) {
            continue;
        }
        let in_group = pgid > 0 && fields.get(2).and_then(|g| g.parse::<i32>().ok()) == Some(pgid);
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        // Unreadable (another user's process): not ours.
        let env = std::fs::read(e.path().join("environ")).unwrap_or_default();
        if in_group
            || String::from_utf8_lossy(&cmd).contains(needle)
            || String::from_utf8_lossy(&env).contains(&marker)
        {
            found.push(pid);
        }
    }
    found
}

/// Kills our browser's processes (see [`profile_users`]) and waits, at most `within`, until
/// none runs any more: a killed process takes a moment to exit, and one forked meanwhile is
/// killed on the next round. Linux only; elsewhere a no-op.
pub(super) fn kill_profile_users(dir: &Path, pgid: i32, within: std::time::Duration) {
    let start = std::time::Instant::now();
    loop {
        let left = profile_users(dir, pgid);
        if left.is_empty() || start.elapsed() >= within {
            return;
        }
        for pid in left {
            // SAFETY: kill(2) on a process of our browser (group, profile or marker); no memory
            // is involved.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5)); // allow-sleep: poll interval of a deadline-bounded wait for killed processes to exit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_carry_the_owner_pid() {
        assert_eq!(
            profile_pid("pim-credentials-4242-0123456789abcdef"),
            Some(4242)
        );
        assert_eq!(profile_pid("pim-credentials-4242-xyz"), None);
        assert_eq!(profile_pid("other-4242-0123456789abcdef"), None);
    }

    #[test]
    fn this_process_owns_its_folders_and_a_dead_one_does_not() {
        let tmp = tempfile::tempdir().unwrap();
        let me = std::process::id();
        let mine = tmp
            .path()
            .join(format!("{PROFILE_PREFIX}{me}-0123456789abcdef"));
        std::fs::create_dir_all(&mine).unwrap();
        mark_owner(&mine).unwrap();
        // A pid that ran and is gone.
        let mut c = Command::new("true").spawn().unwrap();
        let dead = c.id();
        c.wait().unwrap();
        let stale = tmp
            .path()
            .join(format!("{PROFILE_PREFIX}{dead}-fedcba9876543210"));
        std::fs::create_dir_all(stale.join("profile")).unwrap();
        std::fs::write(stale.join(OWNER_FILE), format!("{dead} 1")).unwrap();
        // Our pid, but another start time: a reused pid, so stale too.
        let reused = tmp
            .path()
            .join(format!("{PROFILE_PREFIX}{me}-00000000000000aa"));
        std::fs::create_dir_all(&reused).unwrap();
        std::fs::write(reused.join(OWNER_FILE), format!("{me} 1")).unwrap();
        let removed = remove_stale_profiles(tmp.path());
        assert_eq!(removed.len(), 2, "{removed:?}");
        assert!(mine.exists());
        assert!(!stale.exists());
        assert!(!reused.exists());
    }

    #[test]
    fn registered_names_join_the_standard_ones() {
        register_secret_env(["PIMCRED_TEST_FLEET_PW", ""]);
        let names = secret_env_names();
        assert!(names.iter().any(|n| n == "PIM_ADMIN_PASSWORD"));
        assert!(names.iter().any(|n| n == "PIMCRED_TEST_FLEET_PW"));
        assert!(!names.iter().any(String::is_empty));
    }
}
