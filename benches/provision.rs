//! Benchmark of the provision flow against the in-process simulator (3.x), with fresh names on
//! every iteration (and a fresh simulator, so every run sees the same 30 other users).
//!
//! For each simulator latency (0 ms and the default 150 ms) it measures:
//! - cold runs: `flow::provision` as the CLI runs it, chromedriver + Chromium start included;
//! - warm runs: `flow::provision_on` on one browser session opened beforehand;
//!
//! and prints the median and the spread (min / max) of the whole run, the median time of each
//! step, and the number of WebDriver commands per run (polls included).
//!
//! `cargo bench --bench provision`; `PIMCRED_BENCH_ITERS=N` (default 3) sets the iterations
//! of each series, `PIMCRED_BENCH_LATENCIES=0,150` the latencies.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use pim_credentials::flow::{self, BrowserConfig, ProvisionConfig};
use pim_credentials::progress::Progress;
use pim_credentials::secrets::Secret;
use pim_sim::{self as sim, SimConfig};

/// One run: wall time, WebDriver commands, each step's time.
struct Sample {
    wall: Duration,
    commands: u64,
    steps: Vec<(String, u128)>,
}

fn config(pim_url: &str, i: usize, artifacts: PathBuf, trace: Option<PathBuf>) -> ProvisionConfig {
    let tag = format!("{}{i}", std::process::id() % 1000);
    ProvisionConfig {
        api_user: format!("bench{tag}"),
        role: format!("Bench role {tag}"),
        connection: format!("Bench connection {tag}"),
        artifacts_dir: artifacts,
        trace,
        ..ProvisionConfig::new(pim_url, "admin", Secret::new("admin"))
    }
}

async fn start_sim(latency: Duration) -> sim::SimHandle {
    sim::start(SimConfig {
        latency,
        ..SimConfig::default()
    })
    .await
    .expect("simulator")
}

fn step_times(p: &Progress) -> Vec<(String, u128)> {
    p.steps().into_iter().map(|s| (s.name, s.millis)).collect()
}

async fn cold(latency: Duration, i: usize, dir: &std::path::Path) -> Sample {
    let sim = start_sim(latency).await;
    let trace = dir.join(format!("trace-{i}.json"));
    let cfg = config(sim.url(), i, dir.join("artifacts"), Some(trace.clone()));
    let progress = Progress::silent();
    let t = Instant::now();
    flow::provision(&cfg, &progress).await.expect("cold run");
    let wall = t.elapsed();
    sim.stop().await;
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).expect("trace")).expect("json");
    Sample {
        wall,
        commands: doc["commands"].as_u64().unwrap_or(0),
        steps: step_times(&progress),
    }
}

async fn warm_series(latency: Duration, iters: usize, dir: &std::path::Path) -> Vec<Sample> {
    let bc = BrowserConfig {
        pim_url: String::new(),
        webdriver: None,
        browser: Default::default(),
        headful: false,
        timeout: Duration::from_secs(30),
        artifacts_dir: dir.join("artifacts"),
    };
    let session = flow::open_browser(&bc, &Progress::silent())
        .await
        .expect("browser");
    let b = session.browser();
    let mut out = Vec::new();
    // One untimed run first: the first navigation of a fresh profile pays one-off costs.
    for i in 0..=iters {
        let sim = start_sim(latency).await;
        let cfg = config(sim.url(), 1000 + i, dir.join("artifacts"), None);
        let progress = Progress::silent();
        let before = b.command_count();
        let t = Instant::now();
        flow::provision_on(b, &cfg, &progress)
            .await
            .expect("warm run");
        let wall = t.elapsed();
        let commands = b.command_count() - before;
        sim.stop().await;
        if i > 0 {
            out.push(Sample {
                wall,
                commands,
                steps: step_times(&progress),
            });
        }
    }
    session.close().await;
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn report(label: &str, samples: &[Sample]) {
    let mut walls: Vec<f64> = samples.iter().map(|s| ms(s.wall)).collect();
    let med = median(&mut walls);
    let (min, max) = (walls[0], walls[walls.len() - 1]);
    let mut cmds: Vec<f64> = samples.iter().map(|s| s.commands as f64).collect();
    let cmed = median(&mut cmds);
    println!(
        "{label:<24} whole run: median {med:>7.0} ms  (min {min:.0}, max {max:.0}, n={})   \
         WebDriver commands: median {cmed:.0} (min {:.0}, max {:.0})",
        samples.len(),
        cmds[0],
        cmds[cmds.len() - 1]
    );
    let mut order: Vec<String> = Vec::new();
    let mut per: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for s in samples {
        for (name, t) in &s.steps {
            if !order.contains(name) {
                order.push(name.clone());
            }
            per.entry(name.clone()).or_default().push(*t as f64);
        }
    }
    for name in order {
        let v = per.get_mut(&name).unwrap();
        println!("    {name:<22} median {:>7.0} ms", median(v));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter or `--list` mean nothing here.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let iters: usize = std::env::var("PIMCRED_BENCH_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    let latencies: Vec<u64> = std::env::var("PIMCRED_BENCH_LATENCIES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![0, 150]);
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!("provision benchmark: 3.x simulator, {iters} iteration(s) per series, fresh names");
    rt.block_on(async {
        for &lat in &latencies {
            let latency = Duration::from_millis(lat);
            let mut samples = Vec::new();
            for i in 0..iters {
                samples.push(cold(latency, i, dir.path()).await);
            }
            report(&format!("latency {lat} ms, cold"), &samples);
            let samples = warm_series(latency, iters, dir.path()).await;
            report(&format!("latency {lat} ms, warm"), &samples);
        }
    });
}
