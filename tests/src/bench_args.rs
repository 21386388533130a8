//! Command-line options of the benchmarks (`harness = false`): `--name
//! value` pairs; flags without a value, such as the `--bench` cargo passes,
//! are skipped.

use std::path::PathBuf;

pub struct BenchArgs {
    pairs: Vec<(String, String)>,
}

impl BenchArgs {
    /// This process's arguments.
    pub fn from_env() -> Self {
        Self::parse(std::env::args().skip(1))
    }

    pub fn parse(args: impl IntoIterator<Item = String>) -> Self {
        let mut pairs = Vec::new();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                continue;
            };
            if let Some(value) = args.next_if(|next| !next.starts_with("--")) {
                pairs.push((name.to_owned(), value));
            }
        }
        Self { pairs }
    }

    /// Every value given for `--name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The last value given for `--name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.all(name).last().copied()
    }

    /// `--name N`; panics with the option's name if N is not a number.
    pub fn number(&self, name: &str) -> Option<usize> {
        self.value(name).map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("--{name} needs a number, not {v:?}"))
        })
    }

    pub fn paths(&self, name: &str) -> Vec<PathBuf> {
        self.all(name).into_iter().map(PathBuf::from).collect()
    }
}

/// Runs a benchmark's `main` future on one thread.
pub fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_flags_and_repeats() {
        let args = BenchArgs::parse(
            [
                "--bench", "--runs", "5", "--app", "a", "--app", "b", "--quiet",
            ]
            .map(String::from),
        );
        assert_eq!(args.number("runs"), Some(5));
        assert_eq!(args.all("app"), ["a", "b"]);
        assert_eq!(args.value("app"), Some("b"));
        assert_eq!(args.value("bench"), None);
        assert_eq!(args.value("quiet"), None);
    }
}
