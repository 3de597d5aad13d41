//! The flow's side of the write-ahead secret store ([`crate::vault`]): save a generated password
//! before it is sent, drop it when the PIM refused it (nothing committed), save a value the PIM
//! shows once as soon as it is read, and pick up what an earlier run left.

use std::path::PathBuf;

use super::config::Ctx;
use crate::error::Error;
use crate::secrets::Secret;
use crate::vault::{Found, Record, Subject};

/// Saves `password` for `subject` BEFORE it is sent. `Ok(None)` when the run keeps no records
/// (library use without a vault); an error means: do not send it.
#[allow(clippy::result_large_err)] // the driver's one error type, as in every step
pub(crate) fn before_sending(
    ctx: Ctx<'_>,
    subject: Subject,
    password: &Secret,
    why: &str,
) -> crate::Result<Option<PathBuf>> {
    let Some(vault) = ctx.vault else {
        return Ok(None);
    };
    let record = Record::password(&ctx.cfg.pim_url, subject.clone(), password, why);
    match vault.save(&record) {
        Ok(path) => {
            ctx.progress.debug(&format!(
                "{why}: saved in {} before sending it",
                path.display()
            ));
            Ok(Some(path))
        }
        Err(e) => Err(Error::Other(anyhow::anyhow!(
            "cannot save the generated password of {subject} in the state folder {} ({e}); \
             nothing was sent for it: make the folder writable (or set XDG_STATE_HOME), or pass \
             the password in PIM_API_PASSWORD",
            vault.dir().display()
        ))),
    }
}

/// Removes a record whose value the PIM did not take (it refused the save).
pub(crate) fn discard(path: Option<PathBuf>) {
    if let Some(p) = path {
        let _ = crate::vault::remove(&p);
    }
}

/// Saves `record` (values the PIM showed once) as soon as they are read; a failure is a note:
/// the value is in hand and still goes to the output.
pub(crate) fn received(ctx: Ctx<'_>, record: &Record) {
    let Some(vault) = ctx.vault else {
        return;
    };
    if let Err(e) = vault.save(record) {
        ctx.progress.note(&format!(
            "cannot save the credentials of {} in the state folder {} ({e}): if this run stops \
             before printing them, they are lost",
            record.subject,
            vault.dir().display()
        ));
    }
}

/// The newest record an earlier run left for `subject` that `accept` takes, with a note saying
/// where it came from.
pub(crate) fn pick_up(
    ctx: Ctx<'_>,
    subject: &Subject,
    accept: impl Fn(&Record) -> bool,
) -> Option<Found> {
    let vault = ctx.vault?;
    let found = vault
        .find(&ctx.cfg.pim_url, subject)
        .into_iter()
        .find(|f| f.record.password.is_some() && accept(&f.record))?;
    ctx.progress.note(&format!(
        "{subject} exists: using the password saved by an earlier run (pid {}) in {}",
        found.pid,
        found.path.display()
    ));
    Some(found)
}

/// Removes the records of `subject` other than `ours`: after this run created the subject, they
/// hold values it never had (a creation that was refused, or a user deleted by hand since).
pub(crate) fn drop_others(ctx: Ctx<'_>, subject: &Subject, ours: Option<&std::path::Path>) {
    let Some(vault) = ctx.vault else {
        return;
    };
    for f in vault.find(&ctx.cfg.pim_url, subject) {
        if Some(f.path.as_path()) != ours {
            let _ = crate::vault::remove(&f.path);
        }
    }
}
