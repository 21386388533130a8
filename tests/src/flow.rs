//! The steps of an enrollment in the real window, shared by the end-to-end
//! tests and the benchmarks: a customer's details and code, the clicks for
//! each test bank in the simulated widget (OAuth banks through their own
//! window), the done screen, and the kiosk's idle warning.

use crate::App;

/// The sandbox's bypass code: confirms any customer.
pub const BYPASS_CODE: &str = "000000";

/// A customer as typed on the details screen.
#[derive(Debug, Clone)]
pub struct Customer {
    pub first_name: &'static str,
    pub last_name: &'static str,
    /// As typed: `(415) 555-01NN`.
    pub phone: String,
    pub email: String,
}

impl Customer {
    /// A customer with the phone number `(415) 555-01NN`.
    pub fn new(first_name: &'static str, last_name: &'static str, nn: u8) -> Self {
        assert!(nn < 100, "two digits");
        Self::numbered(first_name, last_name, 100 + u16::from(nn))
    }

    /// A customer with the phone number `(415) 555-NNNN`, `n` below 10 000
    /// (the benchmarks' many customers).
    pub fn numbered(first_name: &'static str, last_name: &'static str, n: u16) -> Self {
        assert!(n < 10_000, "four digits");
        Self {
            first_name,
            last_name,
            phone: format!("(415) 555-{n:04}"),
            email: format!(
                "{}.{}.{n}@example.com",
                first_name.to_lowercase(),
                last_name.to_lowercase()
            ),
        }
    }

    /// The ten digits of the phone number.
    pub fn phone_digits(&self) -> String {
        self.phone.chars().filter(char::is_ascii_digit).collect()
    }
}

/// The simulator's test banks, with the credentials that sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bank {
    /// Any username and password; any MFA answer.
    AerosyncMfa,
    /// Consent in the bank's own window.
    AerosyncOauth,
    /// `mxuser`/`challenge`, answer `correct`.
    AerosyncMfaTrigger,
    /// `sync`/`no_mfa`.
    Aerobank,
    /// `sync`/`mfa`, answer `correct`.
    AerobankWithMfa,
    /// Consent in the bank's own window with `sync`/`no_mfa`.
    AerobankOauth,
}

impl Bank {
    pub const ALL: [Bank; 6] = [
        Bank::AerosyncMfa,
        Bank::AerosyncOauth,
        Bank::AerosyncMfaTrigger,
        Bank::Aerobank,
        Bank::AerobankWithMfa,
        Bank::AerobankOauth,
    ];

    /// The bank's `data-bank` in the widget's list.
    pub fn id(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "aerosync-mfa",
            Bank::AerosyncOauth => "aerosync-oauth",
            Bank::AerosyncMfaTrigger => "aerosync-mfa-trigger",
            Bank::Aerobank | Bank::AerobankWithMfa => "aerobank",
            Bank::AerobankOauth => "aerobank-oauth",
        }
    }

    /// The name in the widget's bank list.
    pub fn list_name(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "Aerosync Bank (MFA)",
            Bank::AerosyncOauth => "Aerosync Bank (OAuth)",
            Bank::AerosyncMfaTrigger => "Aerosync Bank (MFA Trigger)",
            Bank::Aerobank | Bank::AerobankWithMfa => "Aerobank",
            Bank::AerobankOauth => "Aerobank (OAuth)",
        }
    }

    /// The bank's name as Aeropay reports the linked account (the done
    /// screen and the enrollment record show this one).
    pub fn linked_name(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "Aerosync Bank (MFA)",
            Bank::AerosyncOauth => "Aerosync Bank (oAuth)",
            Bank::AerosyncMfaTrigger => "Aerosync Bank (MFA Trigger)",
            Bank::Aerobank | Bank::AerobankWithMfa | Bank::AerobankOauth => "Aerobank",
        }
    }

    /// Last four digits of the bank's checking account (the first one).
    pub fn checking_last4(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "5016",
            Bank::AerosyncOauth => "1329",
            Bank::AerosyncMfaTrigger => "4242",
            Bank::Aerobank | Bank::AerobankWithMfa => "6789",
            Bank::AerobankOauth => "1357",
        }
    }

    /// Last four digits of the bank's savings account (the second one).
    pub fn savings_last4(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "8824",
            Bank::AerosyncOauth => "7710",
            Bank::AerosyncMfaTrigger => "5151",
            Bank::Aerobank | Bank::AerobankWithMfa => "2468",
            Bank::AerobankOauth => "9753",
        }
    }

    fn credentials(self) -> (&'static str, &'static str) {
        match self {
            Bank::AerosyncMfa => ("kiosk-user", "any-password"),
            Bank::AerosyncOauth => ("oauth-user", "oauth-password"),
            Bank::AerosyncMfaTrigger => ("mxuser", "challenge"),
            Bank::Aerobank | Bank::AerobankOauth => ("sync", "no_mfa"),
            Bank::AerobankWithMfa => ("sync", "mfa"),
        }
    }

    fn mfa_answer(self) -> Option<&'static str> {
        match self {
            Bank::AerosyncMfa => Some("123456"),
            Bank::AerosyncMfaTrigger | Bank::AerobankWithMfa => Some("correct"),
            _ => None,
        }
    }

    pub fn is_oauth(self) -> bool {
        matches!(self, Bank::AerosyncOauth | Bank::AerobankOauth)
    }
}

pub async fn wait_ready(app: &App) {
    app.wait_for_text("#app-status", "Ready").await;
}

/// Fills in the details screen, without submitting it.
pub async fn fill_details(app: &App, customer: &Customer) {
    app.wait_for_text("#screen-title", "New customer").await;
    app.type_into("#field-firstName", customer.first_name).await;
    app.type_into("#field-lastName", customer.last_name).await;
    app.type_into("#field-phone", &customer.phone).await;
    app.type_into("#field-email", &customer.email).await;
}

/// Fills in the details screen and submits it.
pub async fn submit_details(app: &App, customer: &Customer) {
    fill_details(app, customer).await;
    app.click("#details-submit").await;
}

/// On the code screen: the sandbox's bypass code.
pub async fn confirm_with_bypass_code(app: &App) {
    app.wait_for_text("#screen-title", "Enter the code").await;
    app.type_into("#field-code", BYPASS_CODE).await;
    app.click("#code-submit").await;
}

/// Desk, a customer known on this machine: staff tick "I checked the
/// customer's photo ID" and go on without a code.
pub async fn pass_the_id_check(app: &App) {
    app.wait_for_text("#screen-title", "has enrolled on this machine before")
        .await;
    app.click("#id-checked").await;
    app.click("#id-check-continue").await;
}

/// Waits for the widget's bank list in its iframe; leaves the page in the
/// app's top-level document.
pub async fn wait_for_widget(app: &App) {
    app.wait_for_text("#screen-title", "Link a bank account")
        .await;
    app.find("#widget-frame").await;
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    app.leave_frames().await;
}

/// A new customer up to the widget: details, code, bank list.
pub async fn enroll_until_widget(app: &App, customer: &Customer) {
    wait_ready(app).await;
    submit_details(app, customer).await;
    confirm_with_bypass_code(app).await;
    wait_for_widget(app).await;
}

/// Inside the widget frame: picks the bank and signs in (the OAuth banks in
/// their own window), answering MFA, up to the account list.
pub async fn sign_in_to_bank(app: &App, bank: Bank) {
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    let (username, password) = bank.credentials();
    if bank.is_oauth() {
        let main = app.client().window().await.expect("current window");
        let before = app.windows().await;
        app.click(&format!("button[data-bank='{}']", bank.id()))
            .await;
        app.wait_for_text("#screen", "Continue at your bank").await;
        app.switch_to_new_window(&before).await;
        app.wait_for_text("#screen", &format!("Sign in to {}", bank.list_name()))
            .await;
        let open = app.windows().await.len();
        assert_eq!(
            open,
            before.len() + 1,
            "exactly one bank window opens for one sign-in"
        );
        app.type_into("#username", username).await;
        app.type_into("#password", password).await;
        app.screenshot(&format!("{}-consent", bank.id()));
        app.click("#allow").await;
        // The bank's page closes itself soon after allowing access; the
        // widget going on to the accounts (below) is the proof.
        app.switch_to_window(main).await;
        app.enter_frame(0).await;
    } else {
        app.click(&format!("button[data-bank='{}']", bank.id()))
            .await;
        app.wait_for_text("#screen", &format!("Sign in to {}", bank.list_name()))
            .await;
        app.type_into("#username", username).await;
        app.type_into("#password", password).await;
        app.click("button[type='submit']").await;
        if let Some(answer) = bank.mfa_answer() {
            app.wait_for_text("#screen", "Additional verification")
                .await;
            app.type_into("#answer", answer).await;
            app.click("button[type='submit']").await;
        }
    }
    app.wait_for_text("#screen", "Choose an account").await;
    app.leave_frames().await;
}

/// In the widget frame: picks the OAuth bank and switches to the bank's
/// window it opens (a top-level page of the widget's origin).
pub async fn open_the_bank_window(app: &App) {
    let before = app.windows().await;
    app.enter_frame(0).await;
    app.click(&format!("button[data-bank='{}']", Bank::AerosyncOauth.id()))
        .await;
    app.wait_for_text("#screen", "Continue at your bank").await;
    app.switch_to_new_window(&before).await;
    app.wait_for_text(
        "#screen",
        &format!("Sign in to {}", Bank::AerosyncOauth.list_name()),
    )
    .await;
}

/// Inside the widget frame: picks account `index` (0 checking, 1 savings)
/// and connects it.
pub async fn choose_account(app: &App, index: usize) {
    app.enter_frame(0).await;
    app.click(&format!("#acct-{index}")).await;
    app.click("button[type='submit']").await;
    app.leave_frames().await;
}

/// The whole widget flow for `bank`, connecting its checking account.
pub async fn link_checking_account(app: &App, bank: Bank) {
    sign_in_to_bank(app, bank).await;
    choose_account(app, 0).await;
}

/// Waits for the done screen after a link and checks it lists `bank`'s
/// checking account. Returns the text of the linked-accounts list.
pub async fn wait_linked(app: &App, bank: Bank) -> String {
    wait_done(app, "Bank account linked", bank).await
}

/// Waits for the done screen after the customer chose an account they
/// already had (nothing new linked), listing `bank`'s checking account.
/// Returns the text of the accounts list.
pub async fn wait_account_ready(app: &App, bank: Bank) -> String {
    wait_done(app, "Account ready", bank).await
}

async fn wait_done(app: &App, title: &str, bank: Bank) -> String {
    app.wait_for_text("#screen-title", title).await;
    let accounts = app.text("#linked-accounts").await;
    assert!(
        accounts.contains(bank.linked_name())
            && accounts.contains(&format!("•••• {}", bank.checking_last4())),
        "the done screen should list {} •••• {}: {accounts:?}",
        bank.linked_name(),
        bank.checking_last4()
    );
    assert!(
        accounts.contains("Checking"),
        "the checking account: {accounts:?}"
    );
    accounts
}

/// Kiosk: the customer taps the app page. A warning that came up closes
/// with "I need more time", and the quiet time starts again.
pub async fn touch(app: &App) {
    app.execute(
        r#"document.getElementById("idle-more-time")?.click();
        document.dispatchEvent(new PointerEvent("pointerdown"));
        return true;"#,
    )
    .await;
}

/// Kiosk with a short idle time: a new customer up to the widget's bank
/// list, touching the page on each screen so no warning comes up meanwhile.
pub async fn kiosk_until_widget(app: &App, customer: &Customer) {
    fill_details(app, customer).await;
    touch(app).await;
    app.click("#details-submit").await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    touch(app).await;
    confirm_with_bypass_code(app).await;
    wait_for_widget(app).await;
}

/// Kiosk: the customer stops; when the warning comes, "Start over" is
/// pressed. Returns once the button is pressed (the attract screen follows).
pub async fn press_start_over_on_the_warning(app: &App) {
    app.wait_for_text("#idle-warning", "Are you still there?")
        .await;
    app.click("#idle-start-over").await;
}

/// Kiosk: the customer stops; when the warning comes, they press "Start
/// over", and the attract screen is back.
pub async fn start_over_from_the_warning(app: &App) {
    press_start_over_on_the_warning(app).await;
    app.wait_for_text("#attract-start", "Tap to start").await;
}
