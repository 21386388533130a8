//! Error texts as the person at the screen reads them.

/// An error's `Display` text (lower case, no full stop, so it also reads
/// well inside a log line) as a sentence: capital first letter, full stop.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn capitalizes_and_ends_with_a_full_stop() {
        assert_eq!(sentence("pick a date"), "Pick a date.");
        assert_eq!(sentence("été"), "Été.");
        assert_eq!(sentence(""), "");
    }
}
