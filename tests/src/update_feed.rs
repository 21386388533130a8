//! A release feed on 127.0.0.1 for the update tests: serves fixed bytes at
//! fixed paths over HTTP/1.1 (one thread per connection), or, for the slow
//! feed, accepts and never answers. Stops when dropped.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct FeedServer {
    port: u16,
    files: Arc<Mutex<Files>>,
    held: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    served: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

type Files = HashMap<String, (&'static str, Vec<u8>)>;

impl FeedServer {
    /// Serves what [`FeedServer::put`] adds; any other path is a 404.
    pub fn serve() -> Self {
        Self::start(false)
    }

    /// Accepts every connection and never answers: a feed that hangs.
    pub fn hanging() -> Self {
        Self::start(true)
    }

    /// While held, requests wait (up to a minute) before they are answered:
    /// a test gets the app where it wants it while a check is under way.
    pub fn hold(&self, held: bool) {
        self.held.store(held, Ordering::Relaxed);
    }

    /// Serves `body` at `path` from now on.
    pub fn put(&self, path: &str, kind: &'static str, body: Vec<u8>) {
        self.files.lock().unwrap().insert(path.into(), (kind, body));
    }

    fn start(hang: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("feed binds a loopback port");
        let port = listener.local_addr().expect("feed address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let served = Arc::new(AtomicUsize::new(0));
        let files: Arc<Mutex<Files>> = Arc::default();
        let held = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, requests, served) = (stop.clone(), requests.clone(), served.clone());
            let (files, held) = (files.clone(), held.clone());
            std::thread::spawn(move || {
                let mut hanging = Vec::new();
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if hang {
                        hanging.push(stream);
                        continue;
                    }
                    let (files, requests, served) =
                        (files.clone(), requests.clone(), served.clone());
                    let held = held.clone();
                    std::thread::spawn(move || {
                        let deadline = std::time::Instant::now() + Duration::from_secs(60);
                        while held.load(Ordering::Relaxed) && std::time::Instant::now() < deadline {
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        answer(stream, &files, &requests, &served)
                    });
                }
                for stream in hanging {
                    let _ = stream.shutdown(Shutdown::Both);
                }
            })
        };
        Self {
            port,
            files,
            held,
            stop,
            requests,
            served,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Request lines seen so far (`GET /path HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Bodies sent in full so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::Relaxed)
    }
}

fn answer(
    mut stream: TcpStream,
    files: &Mutex<Files>,
    requests: &Mutex<Vec<String>>,
    served: &AtomicUsize,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let line = head.lines().next().unwrap_or("").to_owned();
    requests.lock().unwrap().push(line.clone());
    let path = line.split(' ').nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path);
    let found = files.lock().unwrap().get(path).cloned();
    let (status, kind, body): (&str, &str, Vec<u8>) = match found {
        Some((kind, body)) => ("200 OK", kind, body),
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if stream
        .write_all(header.as_bytes())
        .and_then(|_| stream.write_all(&body))
        .is_ok()
    {
        served.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so it sees the stop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A `latest.json`-style feed announcing `version` at `url` with
/// `signature` (the base64 of a minisign signature file, as the Tauri CLI
/// writes it), for the .deb installs and for builds without a bundle type.
pub fn latest_json(version: &str, url: &str, signature: &str) -> Vec<u8> {
    let platform = serde_json::json!({ "url": url, "signature": signature });
    serde_json::to_vec_pretty(&serde_json::json!({
        "version": version,
        "notes": "Test release",
        "pub_date": "2026-12-01T00:00:00Z",
        "platforms": {
            "linux-x86_64-deb": platform,
            "linux-x86_64": platform,
        }
    }))
    .expect("feed JSON")
}
