//! Critical sections: from sending a creation whose secret the PIM shows only once (a 4.x+
//! connection's password) until that secret is on disk. An interrupt (Ctrl-C, SIGTERM) that
//! arrives meanwhile lets the section finish first, within [`GRACE`], so that the value is kept
//! (a second interrupt stops at once).

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::watch;

/// The longest an interrupt waits for open sections to end.
pub(crate) const GRACE: Duration = Duration::from_secs(20);

fn open_sections() -> &'static watch::Sender<usize> {
    static TX: OnceLock<watch::Sender<usize>> = OnceLock::new();
    TX.get_or_init(|| watch::channel(0).0)
}

/// An open critical section; it ends when dropped (also when its future is cancelled).
pub(crate) struct Section(());

/// Opens a critical section.
pub(crate) fn enter() -> Section {
    open_sections().send_modify(|n| *n += 1);
    Section(())
}

impl Drop for Section {
    fn drop(&mut self) {
        open_sections().send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// True while a section is open.
pub(crate) fn active() -> bool {
    *open_sections().borrow() > 0
}

/// Resolves when no section is open, or after `deadline`.
pub(crate) async fn settled(deadline: Duration) {
    let mut rx = open_sections().subscribe();
    let _ = tokio::time::timeout(deadline, rx.wait_for(|n| *n == 0)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settled_waits_for_the_open_section() {
        let s = enter();
        assert!(active());
        let waiter = tokio::spawn(settled(Duration::from_secs(10)));
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(s);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("settled once the section ended")
            .unwrap();
    }
}
