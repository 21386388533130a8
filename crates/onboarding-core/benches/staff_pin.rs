//! What a staff PIN check costs: argon2id hash (setting the PIN) and verify
//! (unlocking), with the app's parameters, through `crate::staff`.
//!
//! ```sh
//! cargo bench -p onboarding-core --bench staff_pin                 # optimized
//! cargo bench -p onboarding-core --bench staff_pin --profile dev   # a debug build
//! ```
//!
//! argon2 and blake2 build with opt-level 3 in the dev profile too (see the
//! workspace Cargo.toml), so both should be close.
//!
//! With `--keychain` it also times reading the stored hash back from the OS
//! keychain, which every unlock does (a PIN may be set from the command line
//! while the app runs). Run it inside the private test keyring:
//!
//! ```sh
//! scripts/with-keyring.sh cargo bench -p onboarding-core --bench staff_pin -- --keychain
//! ```

use onboarding_core::staff::{hash_pin, read_pin_hash, store_pin, verify_pin, Pin};
use onboarding_core::vault::{OsKeychain, SecretKey, Vault};
use std::time::Instant;

fn median(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    (
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
    )
}

fn main() {
    let rounds: usize = std::env::args()
        .skip_while(|arg| arg != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let pin = Pin::parse("482913").expect("a valid PIN");
    let wrong = Pin::parse("482914").expect("a valid PIN");
    // Warm-up.
    let phc = hash_pin(&pin);
    assert!(verify_pin(&pin, &phc).unwrap());
    let (mut hashes, mut rights, mut wrongs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let start = Instant::now();
        let phc = hash_pin(&pin);
        hashes.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        assert!(verify_pin(&pin, &phc).unwrap());
        rights.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        assert!(!verify_pin(&wrong, &phc).unwrap());
        wrongs.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let mut rows = vec![
        ("hash (set PIN)", hashes),
        ("verify, right PIN", rights),
        ("verify, wrong PIN", wrongs),
    ];
    if std::env::args().any(|arg| arg == "--keychain") {
        // Its own service name: the bench never touches the app's entry.
        let vault = OsKeychain::with_service("aeropay-onboarding-bench");
        store_pin(&vault, &pin).expect("the keychain takes the hash");
        let mut reads = Vec::new();
        for _ in 0..rounds {
            let start = Instant::now();
            let read = read_pin_hash(&vault).expect("the keychain answers");
            reads.push(start.elapsed().as_secs_f64() * 1e3);
            assert!(read.is_some());
        }
        vault
            .delete(&SecretKey::StaffPin)
            .expect("bench entry removed");
        rows.push(("keychain read (hash)", reads));
    }
    println!("argon2id m=19456 KiB, t=2, p=1; {rounds} rounds; ms median (min - max)");
    for (what, samples) in rows {
        let (mid, min, max) = median(samples);
        println!("{what:<20} {mid:7.1} ({min:.1} - {max:.1})");
    }
}
