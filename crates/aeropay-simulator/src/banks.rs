//! The sandbox test banks (reference §6) and how each one answers a login.
//! The rules live here, in Rust, so tests exercise exactly what the widget
//! shows.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BankKind {
    /// Username/password in the widget.
    Credentials,
    /// Login and consent happen in a separate window.
    OAuth,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestAccount {
    pub account_id: &'static str,
    pub name: &'static str,
    pub account_type: &'static str,
    pub last4: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bank {
    pub id: &'static str,
    /// As the widget's bank list shows it.
    pub name: &'static str,
    /// As Aeropay's API reports it on a linked account.
    #[serde(skip)]
    pub api_name: &'static str,
    pub kind: BankKind,
    /// Shown under the bank in the list so trainees know what to type.
    pub hint: &'static str,
    #[serde(skip)]
    pub accounts: &'static [TestAccount],
}

const fn accounts(
    checking: &'static str,
    savings: &'static str,
    prefix: &'static str,
) -> [TestAccount; 2] {
    [
        TestAccount {
            account_id: checking,
            name: prefix,
            account_type: "checking",
            last4: checking,
        },
        TestAccount {
            account_id: savings,
            name: prefix,
            account_type: "savings",
            last4: savings,
        },
    ]
}

// 5016 "Aerosync Checking" is the account Aeropay's v1 linking example
// shows for this bank, so a link here answers what that page prints.
static MFA_ACCOUNTS: [TestAccount; 2] = accounts("5016", "8824", "Aerosync Checking");
static OAUTH_ACCOUNTS: [TestAccount; 2] = accounts("1329", "7710", "Aerosync Checking");
static TRIGGER_ACCOUNTS: [TestAccount; 2] = accounts("4242", "5151", "Aerosync Checking");
static AEROBANK_ACCOUNTS: [TestAccount; 2] = accounts("6789", "2468", "Aerobank Checking");
static AEROBANK_OAUTH_ACCOUNTS: [TestAccount; 2] = accounts("1357", "9753", "Aerobank Checking");

pub static BANKS: [Bank; 5] = [
    Bank {
        id: "aerosync-mfa",
        name: "Aerosync Bank (MFA)",
        api_name: "Aerosync Bank (MFA)",
        kind: BankKind::Credentials,
        hint: "Any username and password; any code",
        accounts: &MFA_ACCOUNTS,
    },
    Bank {
        id: "aerosync-oauth",
        name: "Aerosync Bank (OAuth)",
        api_name: "Aerosync Bank (oAuth)",
        kind: BankKind::OAuth,
        hint: "Opens the bank's window; any username and password",
        accounts: &OAUTH_ACCOUNTS,
    },
    Bank {
        id: "aerosync-mfa-trigger",
        name: "Aerosync Bank (MFA Trigger)",
        api_name: "Aerosync Bank (MFA Trigger)",
        kind: BankKind::Credentials,
        hint: "mxuser / challenge, answer: correct",
        accounts: &TRIGGER_ACCOUNTS,
    },
    Bank {
        id: "aerobank",
        name: "Aerobank",
        api_name: "Aerobank",
        kind: BankKind::Credentials,
        hint: "sync / no_mfa, or sync / mfa (answer: correct)",
        accounts: &AEROBANK_ACCOUNTS,
    },
    Bank {
        id: "aerobank-oauth",
        name: "Aerobank (OAuth)",
        api_name: "Aerobank",
        kind: BankKind::OAuth,
        hint: "Opens the bank's window; sync / no_mfa",
        accounts: &AEROBANK_OAUTH_ACCOUNTS,
    },
];

pub fn bank(id: &str) -> Option<&'static Bank> {
    BANKS.iter().find(|b| b.id == id)
}

pub fn account(bank: &Bank, account_id: &str) -> Option<&'static TestAccount> {
    bank.accounts.iter().find(|a| a.account_id == account_id)
}

/// What a bank answers to a username and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginResult {
    Accounts,
    Mfa { question: &'static str },
    WrongCredentials,
}

pub const WRONG_CREDENTIALS: &str =
    "The username or password you entered is incorrect. Please try again.";
pub const WRONG_ANSWER: &str = "That answer is incorrect. Please try again.";

pub fn login(bank: &Bank, username: &str, password: &str) -> LoginResult {
    let (username, password) = (username.trim(), password.trim());
    if username.is_empty() || password.is_empty() {
        return LoginResult::WrongCredentials;
    }
    match bank.id {
        "aerosync-mfa" => LoginResult::Mfa {
            question: "Enter the verification code sent to your device",
        },
        "aerosync-oauth" => LoginResult::Accounts,
        "aerosync-mfa-trigger" if username == "mxuser" && password == "challenge" => {
            LoginResult::Mfa {
                question: "What is the answer to the challenge question?",
            }
        }
        "aerobank" | "aerobank-oauth" if username == "sync" && password == "no_mfa" => {
            LoginResult::Accounts
        }
        "aerobank" if username == "sync" && password == "mfa" => LoginResult::Mfa {
            question: "What city were you born in?",
        },
        _ => LoginResult::WrongCredentials,
    }
}

/// Whether an MFA answer passes at this bank.
pub fn answer_ok(bank: &Bank, answer: &str) -> bool {
    let answer = answer.trim();
    match bank.id {
        // "Any string works for the credentials and the MFA code."
        "aerosync-mfa" => !answer.is_empty(),
        _ => answer == "correct",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_credentials() {
        let b = |id| bank(id).unwrap();
        assert!(matches!(
            login(b("aerosync-mfa"), "x", "y"),
            LoginResult::Mfa { .. }
        ));
        assert!(answer_ok(b("aerosync-mfa"), "1234"));
        assert!(matches!(
            login(b("aerosync-mfa-trigger"), "mxuser", "challenge"),
            LoginResult::Mfa { .. }
        ));
        assert_eq!(
            login(b("aerosync-mfa-trigger"), "mxuser", "nope"),
            LoginResult::WrongCredentials
        );
        assert!(answer_ok(b("aerosync-mfa-trigger"), "correct"));
        assert!(!answer_ok(b("aerosync-mfa-trigger"), "wrong"));
        assert_eq!(
            login(b("aerobank"), "sync", "no_mfa"),
            LoginResult::Accounts
        );
        assert_eq!(
            login(b("aerobank"), "sync", "mfa"),
            LoginResult::Mfa {
                question: "What city were you born in?"
            }
        );
        assert_eq!(
            login(b("aerobank"), "sync", "other"),
            LoginResult::WrongCredentials
        );
        assert_eq!(
            login(b("aerobank-oauth"), "sync", "mfa"),
            LoginResult::WrongCredentials
        );
    }
}
