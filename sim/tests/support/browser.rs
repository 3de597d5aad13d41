//! Hand-written WebDriver steps shared by the browser walks of the simulator: click, type,
//! read an element's text, log in as admin/admin.

use pim_sim::SimHandle;

use super::Chrome;

/// Waits for the app to be idle, then clicks the first visible match of `css`.
pub async fn click(c: &Chrome, css: &str) {
    c.idle().await;
    let el = c.visible(css).await;
    el.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Clicks the first visible match of `css` and types `text` into it.
pub async fn type_into(c: &Chrome, css: &str, text: &str) {
    let el = c.visible(css).await;
    el.click().await.unwrap();
    el.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// The trimmed `textContent` of the first visible match of `css` (not the rendered text:
/// buttons are uppercased by CSS, as in Akeneo).
pub async fn text(c: &Chrome, css: &str) -> String {
    let el = c.visible(css).await;
    el.prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Logs in as admin/admin through the login form an unauthenticated `/` shows in place, then
/// waits for `marker` (an element of the landing page) and for the app to be idle.
pub async fn login(c: &Chrome, sim: &SimHandle, marker: &str) {
    c.client.goto(&format!("{}/", sim.url())).await.unwrap();
    c.visible("form.form-signin").await;
    type_into(c, "input[name=_username]", "admin").await;
    type_into(c, "input[name=_password]", "admin").await;
    click(c, "#_submit").await;
    c.visible(marker).await;
    c.idle().await;
}
