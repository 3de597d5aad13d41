//! Side-by-side benchmark of the 3.x tutorial flow: our `pim-credentials provision` (the release
//! binary, as a user runs it) against the two peer reference clients of shared/peers (Python
//! Selenium and Node playwright-core), ALTERNATING, each run on a fresh simulator with the
//! defaults (3.x, 30 users, 150 ms per XHR) and fresh names.
//!
//! Prints, per client, the median and the spread (min / max) of the whole run (browser start
//! and stop included) and of the browser part alone when the client reports it, then the ratio
//! of ours to the faster peer. Every run is checked against the simulator's state (user, role
//! with Overall Web API access and the user, API connection): a run that did not provision
//! aborts the benchmark.
//!
//! `cargo bench --bench provision`. The peers are installed (idempotent) by
//! `webdriver/install-peers.sh`; `PIMCRED_BENCH_ITERS=N` (default 5) sets the rounds,
//! `PIMCRED_BENCH_CLIENTS=ours,selenium,playwright` the clients, `PIMCRED_BENCH_LATENCY=150`
//! the latency (ms); `PIMCRED_BENCH_LOG=1` prints each client's requests of the first round.
//! "requests in flight" is the time at least one request was being answered by the simulator.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pim_sim::{self as sim, SimConfig};
use serde_json::Value;

/// The clients compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Ours,
    Selenium,
    Playwright,
}

impl Client {
    fn name(self) -> &'static str {
        match self {
            Client::Ours => "ours",
            Client::Selenium => "selenium",
            Client::Playwright => "playwright",
        }
    }

    fn parse(s: &str) -> Option<Client> {
        [Client::Ours, Client::Selenium, Client::Playwright]
            .into_iter()
            .find(|c| c.name() == s.trim())
    }
}

/// One run: wall time of the process, the browser part when the client reports it, and the
/// time some request was in flight on the simulator (the union of the logged requests'
/// intervals: with the latency, about "sequential request levels × latency").
struct Sample {
    wall: Duration,
    browser: Option<Duration>,
    network: Duration,
}

/// The union of the `[start, end]` intervals of the logged requests.
fn network_time(log: &[pim_sim::reqlog::Entry]) -> Duration {
    let mut v: Vec<(f64, f64)> = log.iter().map(|e| (e.start_ms, e.end_ms)).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut total, mut cur): (f64, Option<(f64, f64)>) = (0.0, None);
    for (s, e) in v {
        cur = match cur {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = cur {
        total += ce - cs;
    }
    Duration::from_secs_f64(total / 1000.0)
}

/// The names of one run (role labels are 25 characters at most).
struct Names {
    user: String,
    password: String,
    role: String,
    connection: String,
}

fn names(round: usize, client: Client) -> Names {
    let tag = format!(
        "{}{round}{}",
        std::process::id() % 1000,
        &client.name()[..1]
    );
    Names {
        user: format!("bench{tag}"),
        password: format!("Bench-pw-{tag}-x1"),
        role: format!("Bench role {tag}"),
        connection: format!("Bench connection {tag}"),
    }
}

/// Installs the peers (idempotent) and returns their folder.
fn install_peers() -> Result<PathBuf, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("webdriver/install-peers.sh");
    let out = Command::new("bash")
        .arg(&script)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed ({})", script.display(), out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let dir = text.lines().last().unwrap_or("").trim().to_string();
    Ok(PathBuf::from(dir))
}

/// True when our binary knows `--api-permissions` (added by another change).
fn has_api_permissions_flag(bin: &Path) -> bool {
    Command::new(bin)
        .args(["provision", "--help"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("--api-permissions"))
        .unwrap_or(false)
}

/// The command line of one run (secrets of ours go through the environment).
fn command(client: Client, url: &str, n: &Names, peers: &Path, work: &Path) -> Command {
    match client {
        Client::Ours => {
            let bin = PathBuf::from(env!("CARGO_BIN_EXE_pim-credentials"));
            let mut c = Command::new(&bin);
            c.args(["provision", "--pim-url", url, "--api-user", &n.user])
                .args(["--role", &n.role, "--connection", &n.connection])
                .arg("--output")
                .arg(work.join(format!("{}.json", n.user)))
                .arg("--artifacts-dir")
                .arg(work.join("artifacts"))
                .arg("--quiet")
                .env("PIM_ADMIN_PASSWORD", "admin")
                .env("PIM_API_PASSWORD", &n.password);
            if has_api_permissions_flag(&bin) {
                c.args(["--api-permissions", "overall"]);
            }
            c
        }
        Client::Selenium | Client::Playwright => {
            let mut c = if client == Client::Selenium {
                let mut c = Command::new(peers.join("venv/bin/python"));
                c.arg(peers.join("ref_selenium.py"));
                c
            } else {
                let mut c = Command::new("node");
                c.arg(peers.join("ref_playwright.mjs"));
                c
            };
            c.args([
                "--pim-url",
                url,
                "--pim-version",
                "3",
                "--username",
                &n.user,
            ])
            .args(["--password", &n.password, "--role-label", &n.role])
            .args(["--connection-label", &n.connection]);
            c
        }
    }
}

/// Checks the simulator's state after a run: the user, the role (granted, with the user) and
/// the API connection exist.
fn check_state(state: &Value, n: &Names) -> Result<(), String> {
    let list = |k: &str| state[k].as_array().cloned().unwrap_or_default();
    if !list("users")
        .iter()
        .any(|u| u["username"] == n.user.as_str())
    {
        return Err(format!("user {} not created", n.user));
    }
    let role = list("roles")
        .into_iter()
        .find(|r| r["label"] == n.role.as_str())
        .ok_or_else(|| format!("role {:?} not created", n.role))?;
    let has = |k: &str, v: &str| role[k].as_array().is_some_and(|a| a.iter().any(|x| x == v));
    if !has("acls", "pim_api_overall_access") || !has("users", &n.user) {
        return Err(format!(
            "role {:?} lacks the grant or the user: {role}",
            n.role
        ));
    }
    if !list("api_clients")
        .iter()
        .any(|c| c["label"] == n.connection.as_str())
    {
        return Err(format!("API connection {:?} not created", n.connection));
    }
    Ok(())
}

/// One run of `client` on a fresh simulator.
async fn run(client: Client, round: usize, latency: Duration, peers: &Path, work: &Path) -> Sample {
    let sim = sim::start(SimConfig {
        latency,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let n = names(round, client);
    let mut cmd = command(client, sim.url(), &n, peers, work);
    cmd.stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped());
    let t = Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("client process");
    let wall = t.elapsed();
    let state = sim.state();
    let log = sim.app().requests.entries();
    if round == 0 && std::env::var_os("PIMCRED_BENCH_LOG").is_some() {
        eprintln!("requests of {} (round 0):", client.name());
        for e in &log {
            eprintln!(
                "  {:>7.0} {:>7.0}  {} {}",
                e.start_ms,
                e.end_ms,
                e.method,
                e.path.split('?').next().unwrap_or("")
            );
        }
    }
    sim.stop().await;
    if !out.status.success() {
        panic!(
            "{} failed ({}):\n{}\n{}",
            client.name(),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            // The peers print one JSON document (its secret belongs to a throw-away simulator).
            String::from_utf8_lossy(&out.stdout)
        );
    }
    if let Err(e) = check_state(&state, &n) {
        panic!("{} exited 0 but did not provision: {e}", client.name());
    }
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let browser = report["browser_seconds"]
        .as_f64()
        .map(Duration::from_secs_f64);
    Sample {
        wall,
        browser,
        network: network_time(&log),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, min and max of `v` (sorted in place).
fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    let med = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (med, v[0], v[n - 1])
}

fn report(client: Client, samples: &[Sample]) -> f64 {
    let mut walls: Vec<f64> = samples.iter().map(|s| ms(s.wall)).collect();
    let (med, min, max) = stats(&mut walls);
    let mut line = format!(
        "{:<11} whole run: median {med:>6.0} ms (min {min:.0}, max {max:.0}, n={})",
        client.name(),
        samples.len()
    );
    let mut browser: Vec<f64> = samples.iter().filter_map(|s| s.browser.map(ms)).collect();
    if !browser.is_empty() {
        let (bm, bmin, bmax) = stats(&mut browser);
        line += &format!("   browser part: median {bm:.0} ms (min {bmin:.0}, max {bmax:.0})");
    }
    let mut net: Vec<f64> = samples.iter().map(|s| ms(s.network)).collect();
    let (nm, _, _) = stats(&mut net);
    line += &format!("   requests in flight: median {nm:.0} ms");
    println!("{line}");
    med
}

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter or `--list` mean nothing here.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds: usize = env_or("PIMCRED_BENCH_ITERS", 5usize).max(1);
    let latency = Duration::from_millis(env_or("PIMCRED_BENCH_LATENCY", 150u64));
    let clients: Vec<Client> = std::env::var("PIMCRED_BENCH_CLIENTS")
        .unwrap_or_else(|_| "ours,selenium,playwright".into())
        .split(',')
        .filter_map(Client::parse)
        .collect();
    let peers = if clients.iter().any(|c| *c != Client::Ours) {
        install_peers().unwrap_or_else(|e| panic!("peers not installed: {e}"))
    } else {
        PathBuf::new()
    };
    let work = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "provision benchmark: 3.x simulator, 30 users, {} ms per XHR, {rounds} round(s), clients alternating",
        latency.as_millis()
    );
    let mut samples: Vec<Vec<Sample>> = clients.iter().map(|_| Vec::new()).collect();
    rt.block_on(async {
        for round in 0..rounds {
            // Rotate who goes first, so that no client always follows the same one.
            for k in 0..clients.len() {
                let i = (round + k) % clients.len();
                let s = run(clients[i], round, latency, &peers, work.path()).await;
                eprintln!(
                    "round {round}: {:<10} {:>6.0} ms",
                    clients[i].name(),
                    ms(s.wall)
                );
                samples[i].push(s);
            }
        }
    });
    let medians: Vec<(Client, f64)> = clients
        .iter()
        .zip(&samples)
        .map(|(c, s)| (*c, report(*c, s)))
        .collect();
    let ours = medians.iter().find(|(c, _)| *c == Client::Ours);
    let peer = medians
        .iter()
        .filter(|(c, _)| *c != Client::Ours)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some((_, o)), Some((p, m))) = (ours, peer) {
        println!(
            "ours / fastest peer ({}): {:.2} (median whole runs)",
            p.name(),
            o / m
        );
    }
}
