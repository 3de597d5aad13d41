//! `--webdriver https://user:key@…`: a provision through a local TLS front of chromedriver
//! (127.0.0.1), like a cloud Selenium Grid. The front's certificate is made here (openssl CLI:
//! a CA and a leaf for IP 127.0.0.1) and trusted through `SSL_CERT_FILE`; the front checks the
//! basic-auth account on every request. The account never shows in what the tool prints.
//! Checks the simulator's state, and what the front saw.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use pim_sim::{self as sim, SimConfig, SimHandle};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

const BIN: &str = env!("CARGO_BIN_EXE_pim-credentials");
const USER: &str = "grid-user";
const KEY: &str = "grid-KEY-8c1f27e4";

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl CLI");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`) and a leaf for IP 127.0.0.1 signed by it (`leaf.pem`, `leaf.key`).
fn make_certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=pim-credentials test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "leaf.pem",
            "-extfile",
            "leaf.ext",
        ],
    );
}

fn acceptor(dir: &Path) -> TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("leaf.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("leaf.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

/// A TLS listener for axum: handshakes that fail (an untrusting client) are skipped.
struct TlsListener {
    tcp: TcpListener,
    tls: TlsAcceptor,
    handshakes_failed: Arc<AtomicUsize>,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((s, a)) = self.tcp.accept().await else {
                continue;
            };
            match self.tls.accept(s).await {
                Ok(t) => return (t, a),
                Err(_) => {
                    self.handshakes_failed.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What the front saw.
#[derive(Clone, Default)]
struct Seen {
    authorized: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    handshakes_failed: Arc<AtomicUsize>,
}

/// The front: https on 127.0.0.1, basic auth `USER:KEY` required, everything else forwarded
/// to chromedriver.
async fn start_front(dir: &Path, chromedriver: String) -> (String, Seen) {
    let seen = Seen::default();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let listener = TlsListener {
        tcp,
        tls: acceptor(dir),
        handshakes_failed: seen.handshakes_failed.clone(),
    };
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{KEY}"))
    );
    let http = reqwest::Client::new();
    let s = seen.clone();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (s, http, expected, chromedriver) = (
                s.clone(),
                http.clone(),
                expected.clone(),
                chromedriver.clone(),
            );
            async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
                if auth != Some(expected.as_str()) {
                    s.refused.fetch_add(1, Ordering::SeqCst);
                    return (StatusCode::UNAUTHORIZED, "account required").into_response();
                }
                s.authorized.fetch_add(1, Ordering::SeqCst);
                forward(&http, &chromedriver, method, &uri, body).await
            }
        },
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("https://{USER}:{KEY}@127.0.0.1:{port}"), seen)
}

async fn forward(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    uri: &Uri,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let m = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let r = http
        .request(m, format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
    let bytes = r.bytes().await.unwrap();
    (
        status,
        [("content-type", "application/json")],
        bytes.to_vec(),
    )
        .into_response()
}

/// A chromedriver this test started: killed and reaped when dropped (a failed assertion too).
struct Chromedriver(Child);

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver on a free loopback port, ready.
async fn start_chromedriver() -> (Chromedriver, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Chromedriver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = reqwest::get(format!("{url}/status")).await {
            if r.status().is_success() {
                return (child, url);
            }
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await; // allow-sleep: poll interval (test)
    }
}

/// Runs `provision` against `sim` with the WebDriver URL in `$WEBDRIVER_URL` (not argv: it
/// holds the account) and `ssl_cert_file`.
async fn run_tool(
    sim: &SimHandle,
    webdriver: &str,
    ssl_cert_file: Option<&Path>,
    art: &Path,
) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["provision", "--pim-url", sim.url(), "--artifacts-dir"])
        .arg(art)
        .env("WEBDRIVER_URL", webdriver)
        .env("PIM_ADMIN_PASSWORD", "admin")
        .env_remove("PIM_URL")
        .env_remove("SSL_CERT_DIR")
        .stdin(Stdio::null());
    match ssl_cert_file {
        Some(f) => cmd.env("SSL_CERT_FILE", f),
        None => cmd.env_remove("SSL_CERT_FILE"),
    };
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn state(sim: &SimHandle) -> Value {
    reqwest::get(format!("{}/_sim/state", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every file under `dir` (artifacts): none may hold the key.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p) {
            if String::from_utf8_lossy(&bytes).contains(needle) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_through_an_https_webdriver_with_an_account() {
    let _serial = SERIAL.lock().await;
    let certs = tempfile::tempdir().unwrap();
    make_certificates(certs.path());
    let (chromedriver, cd_url) = start_chromedriver().await;
    let (front, seen) = start_front(certs.path(), cd_url).await;
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let ca = certs.path().join("ca.pem");

    // Untrusted certificate (no SSL_CERT_FILE): a browser failure naming the certificate,
    // the account masked; nothing reached the PIM.
    let art = tempfile::tempdir().unwrap();
    let (code, out, err) = run_tool(&sim, &front, None, art.path()).await;
    assert_eq!(code, Some(5), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(err.contains("https://***@127.0.0.1"), "{err}");
    assert!(!err.contains(KEY) && !out.contains(KEY), "{err}");
    assert!(seen.handshakes_failed.load(Ordering::SeqCst) >= 1);
    assert_eq!(seen.authorized.load(Ordering::SeqCst), 0);

    // A wrong key: the front refuses (401); the message masks the URL's account.
    let wrong = front.replace(KEY, "not-the-key");
    let (code, _, err) = run_tool(&sim, &wrong, Some(&ca), art.path()).await;
    assert_eq!(code, Some(5), "{err}");
    assert!(!err.contains("not-the-key"), "{err}");
    assert!(seen.refused.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        state(&sim).await["counters"]["login"].as_u64().unwrap_or(0),
        0
    );

    // Trusted through SSL_CERT_FILE, right account: provisioned and verified.
    let art = tempfile::tempdir().unwrap();
    let (code, out, err) = run_tool(&sim, &front, Some(&ca), art.path()).await;
    assert_eq!(code, Some(0), "{err}");
    let creds: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(creds["verified"], true, "{creds}");
    assert!(seen.authorized.load(Ordering::SeqCst) >= 10);
    assert!(!err.contains(KEY) && !out.contains(KEY), "{err}");
    assert!(files_containing(art.path(), KEY).is_empty());
    let st = state(&sim).await;
    assert!(
        st["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "myAPIuser"),
        "{st}"
    );
    assert!(
        st["api_clients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_id"] == creds["client_id"]),
        "{st}"
    );

    sim.stop().await;
    drop(chromedriver);
}
