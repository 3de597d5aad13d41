//! Secret files: checked before the run, written atomically with mode 0600.

use std::io::Write;
use std::path::Path;

/// Checks before the run that `path` may be written: its folder exists and, without `force`,
/// the file does not exist yet. Returns a message for a usage error otherwise.
pub fn check_writable(path: &Path, force: bool) -> Result<(), String> {
    if path.exists() && !force {
        return Err(format!(
            "{} already exists: pass --force to overwrite it, or choose another --output",
            path.display()
        ));
    }
    if path.is_dir() {
        return Err(format!("{} is a directory, not a file", path.display()));
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(format!(
            "folder {} does not exist (for --output {})",
            dir.display(),
            path.display()
        ));
    }
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `content` to `path` atomically (temporary file in the same folder, fsync, rename) with
/// mode 0600, so that a reader never sees half a file and nobody else can read the secrets.
pub fn write_atomic_0600(path: &Path, content: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(content.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
