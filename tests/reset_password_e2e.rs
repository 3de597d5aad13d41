//! `--reset-password` and a password the PIM rejects, end to end: the real driver in real
//! headless Chromium against the embedded simulator, checked in `/_sim/state` and against
//! the token endpoint.
//!
//! What the real product allows (akeneo/pim-community-dev): 3.x changes a password in the
//! user edit form's "Password" tab only with the EDITED user's current password
//! (`UserController::validatePassword`); 1.7/2.x set a password only on creation (min 2).

mod support;

use pim_credentials::flow::{provision, ProvisionConfig, Provisioned};
use pim_credentials::progress::Progress;
use pim_credentials::secrets::Secret;
use pim_credentials::Error;
use pim_sim::{self as sim, PimVersion, SimConfig, SimHandle};
use serde_json::json;
use support::provision::{counter, plain_config, users_named, API_USER};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const NEW_PASSWORD: &str = "n3w-Pa55word-for-the-API";

async fn start(version: PimVersion) -> SimHandle {
    sim::start(SimConfig {
        users: 2,
        pim_version: version,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// The status of `POST /api/oauth/v1/token` (password grant) with these credentials.
async fn token_status(sim: &SimHandle, p: &Provisioned, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/oauth/v1/token", sim.url()))
        .basic_auth(&p.credentials.client_id, Some(p.credentials.secret.expose()))
        .json(&json!({"grant_type": "password", "username": p.credentials.username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// First run: creates the user with a generated password (returned).
async fn first_run(cfg: &ProvisionConfig) -> Provisioned {
    let first = provision(cfg, &Progress::silent())
        .await
        .expect("first run");
    assert!(first.created.user && first.verified);
    first
}

/// 3.x: the existing user's password is changed through the edit form's Password tab with
/// its current password; the new one verifies, the old one is refused by the token endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_on_existing_3x_user_sets_the_new_password_and_the_old_one_stops_working() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3).await;
    let artifacts = tempfile::tempdir().unwrap();
    let cfg = plain_config(sim.url(), artifacts.path().to_path_buf());
    let first = first_run(&cfg).await;
    let old = first.credentials.password.clone().unwrap();
    assert_eq!(token_status(&sim, &first, old.expose()).await, 200);

    let mut reset = cfg.clone();
    reset.reset_password = true;
    reset.api_password = Some(Secret::new(NEW_PASSWORD));
    reset.generation.current_api_password = Some(old.clone());
    let progress = Progress::silent();
    let second = provision(&reset, &progress).await.expect("reset run");
    let step = progress
        .steps()
        .into_iter()
        .find(|s| s.name == "ensure user")
        .map(|s| s.detail)
        .unwrap_or_default();
    assert!(step.starts_with("password reset"), "{step}");
    assert_eq!(second.created, Default::default(), "nothing created");
    assert_eq!(
        second.credentials.password.as_ref().map(Secret::expose),
        Some(NEW_PASSWORD)
    );
    assert!(second.verified, "notes: {:?}", second.notes);
    assert_eq!(second.credentials.client_id, first.credentials.client_id);

    let state = sim.state();
    assert_eq!(counter(&state, "user_password_change"), 1, "{state}");
    assert_eq!(counter(&state, "user_create"), 1, "{state}");
    assert_eq!(users_named(&state, API_USER).len(), 1);
    assert_eq!(token_status(&sim, &second, NEW_PASSWORD).await, 200);
    assert_eq!(token_status(&sim, &second, old.expose()).await, 422);

    // Without a given password, a generated one (24 characters) is set and returned.
    let mut generated = reset.clone();
    generated.api_password = None;
    generated.generation.current_api_password = Some(Secret::new(NEW_PASSWORD));
    let third = provision(&generated, &Progress::silent())
        .await
        .expect("reset with a generated password");
    let pw = third.credentials.password.clone().unwrap();
    assert_eq!(pw.expose().len(), 24);
    assert!(third.verified);
    assert_eq!(counter(&sim.state(), "user_password_change"), 2);
    assert_eq!(token_status(&sim, &third, pw.expose()).await, 200);
    assert_eq!(token_status(&sim, &third, NEW_PASSWORD).await, 422);
    sim.stop().await;
}

/// 3.x: without the user's current password, exit 2 with the reason, nothing changed; with a
/// wrong one, exit 3 with the PIM's own message ("Wrong password"), nothing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_on_3x_without_or_with_a_wrong_current_password_changes_nothing() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3).await;
    let artifacts = tempfile::tempdir().unwrap();
    let cfg = plain_config(sim.url(), artifacts.path().to_path_buf());
    let first = first_run(&cfg).await;
    let old = first.credentials.password.clone().unwrap();

    let mut reset = cfg.clone();
    reset.reset_password = true;
    reset.api_password = Some(Secret::new(NEW_PASSWORD));
    let err = provision(&reset, &Progress::silent()).await.unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string().contains("PIM_API_CURRENT_PASSWORD"),
        "{err}"
    );

    reset.generation.current_api_password = Some(Secret::new("not-its-password"));
    let err = provision(&reset, &Progress::silent()).await.unwrap_err();
    assert!(matches!(err, Error::PimRefused { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("Wrong password"), "{err}");

    let state = sim.state();
    assert_eq!(counter(&state, "user_password_change"), 0, "{state}");
    assert_eq!(token_status(&sim, &first, old.expose()).await, 200);
    assert_eq!(token_status(&sim, &first, NEW_PASSWORD).await, 422);
    sim.stop().await;
}

/// 2.x: an administrator cannot change another user's password (the Twig user form has the
/// password fields only on creation): exit 2, nothing changed. A password the PIM rejects
/// on creation (1 character; `plainPassword` Length min 2): exit 3 with the PIM's own
/// message and no user created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_2x_reset_is_refused_and_a_too_short_password_is_rejected_by_the_pim() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V2).await;
    let artifacts = tempfile::tempdir().unwrap();
    let cfg = plain_config(sim.url(), artifacts.path().to_path_buf());

    let mut short = cfg.clone();
    short.api_password = Some(Secret::new("x"));
    let err = provision(&short, &Progress::silent()).await.unwrap_err();
    assert!(matches!(err, Error::PimRefused { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 3);
    assert!(
        err.to_string()
            .contains("This value is too short. It should have 2 characters or more."),
        "{err}"
    );
    let state = sim.state();
    assert_eq!(
        users_named(&state, API_USER).len(),
        0,
        "no user created: {state}"
    );
    assert!(state["api_clients"].as_array().unwrap().is_empty());

    let first = first_run(&cfg).await;
    let mut reset = cfg.clone();
    reset.reset_password = true;
    reset.generation.current_api_password = first.credentials.password.clone();
    let err = provision(&reset, &Progress::silent()).await.unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string().contains("only when creating a user"),
        "{err}"
    );
    assert_eq!(
        token_status(
            &sim,
            &first,
            first.credentials.password.as_ref().unwrap().expose()
        )
        .await,
        200
    );
    sim.stop().await;
}
