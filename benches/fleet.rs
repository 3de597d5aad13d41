//! Fleet benchmark: the wall time of provisioning N fresh simulators as a fleet (up to P sessions
//! at once) against the same N done one after another (`--parallel 1`), through the same
//! browser path. Run with `cargo bench --bench fleet`.
//!
//! Env: FLEET_BENCH_N (instances, default 4), FLEET_BENCH_PARALLEL (default 2, the core count
//! here), FLEET_BENCH_ROUNDS (default 1), FLEET_BENCH_WEBDRIVER (a Grid URL; default: one local
//! chromedriver + Chromium per session), FLEET_BENCH_BROWSER (chromium|firefox),
//! FLEET_BENCH_LATENCY_MS (simulator latency, default 150 as the simulator's default).

use std::sync::Arc;
use std::time::{Duration, Instant};

use pim_credentials::browser::BrowserKind;
use pim_credentials::fleet::{self, Fleet, FleetOptions};
use pim_credentials::progress::Progress;
use pim_sim::{self as sim, SimConfig, SimHandle};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn sims(n: usize, latency: Duration) -> Vec<SimHandle> {
    let mut v = vec![];
    for _ in 0..n {
        v.push(
            sim::start(SimConfig {
                latency,
                ..SimConfig::default()
            })
            .await
            .expect("simulator"),
        );
    }
    v
}

/// One fleet run over fresh simulators; returns the wall time and the number that succeeded.
async fn run_once(n: usize, opts: &FleetOptions, latency: Duration) -> (Duration, usize) {
    let sims = sims(n, latency).await;
    let mut toml = String::from("[defaults]\nadmin_password_env = \"BENCH_PW\"\n");
    for (i, s) in sims.iter().enumerate() {
        toml.push_str(&format!(
            "[[instances]]\nname = \"pim-{i}\"\nurl = \"{}\"\n",
            s.url()
        ));
    }
    let fleet = Fleet::parse(&toml).expect("fleet file");
    let env: fleet::EnvLookup = Arc::new(|k: &str| (k == "BENCH_PW").then(|| "admin".to_string()));
    let t = Instant::now();
    let outcomes = fleet::run_with_env(&fleet, opts, &Progress::silent(), env).await;
    let wall = t.elapsed();
    let ok = outcomes.iter().filter(|o| o.ok()).count();
    for o in &outcomes {
        if let Err(e) = &o.result {
            eprintln!("  {} failed: {e}", o.name);
        }
    }
    for s in sims {
        s.stop().await;
    }
    (wall, ok)
}

fn main() {
    let n = env_num("FLEET_BENCH_N", 4) as usize;
    let parallel = env_num("FLEET_BENCH_PARALLEL", 2) as usize;
    let rounds = env_num("FLEET_BENCH_ROUNDS", 1).max(1);
    let latency = Duration::from_millis(env_num("FLEET_BENCH_LATENCY_MS", 150));
    let webdriver = std::env::var("FLEET_BENCH_WEBDRIVER").ok();
    let browser = match std::env::var("FLEET_BENCH_BROWSER").as_deref() {
        Ok("firefox") => BrowserKind::Firefox,
        _ => BrowserKind::Chromium,
    };
    let artifacts =
        std::env::temp_dir().join(format!("pim-credentials-bench-{}", std::process::id()));
    let opts = |parallel: usize| FleetOptions {
        parallel,
        webdriver: webdriver.clone(),
        browser,
        headful: false,
        verify: true,
        timeout: Duration::from_secs(60),
        artifacts_dir: artifacts.clone(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "fleet bench: {n} simulators (latency {latency:?}), {browser} via {}, {rounds} round(s), {} cores",
        webdriver.as_deref().unwrap_or("local driver per session"),
        std::thread::available_parallelism().map(|p| p.get()).unwrap_or(1)
    );
    let mut seq = vec![];
    let mut par = vec![];
    rt.block_on(async {
        for r in 0..rounds {
            let (ws, oks) = run_once(n, &opts(1), latency).await;
            let (wp, okp) = run_once(n, &opts(parallel), latency).await;
            println!(
                "round {}: one after another {:>6.2}s ({oks}/{n} ok)   fleet --parallel {parallel} {:>6.2}s ({okp}/{n} ok)",
                r + 1,
                ws.as_secs_f64(),
                wp.as_secs_f64()
            );
            seq.push(ws);
            par.push(wp);
        }
    });
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (ms, mp) = (median(&mut seq), median(&mut par));
    println!(
        "median: one after another {:.2}s ({:.2}s per instance), fleet --parallel {parallel} {:.2}s ({:.2}s per instance), speed-up x{:.2}",
        ms.as_secs_f64(),
        ms.as_secs_f64() / n as f64,
        mp.as_secs_f64(),
        mp.as_secs_f64() / n as f64,
        ms.as_secs_f64() / mp.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&artifacts);
}
