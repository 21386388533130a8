# The app's own page (ui/). Ids starting with `ui-` are the page's; the
# page applies them through `data-l10n-id` (and `data-l10n-args`).
# Keep every id in es/page.ftl too, with the same variables.

## Language choice (kiosk attract screen, Settings)

ui-language-en = English
ui-language-es = Español
ui-language-choice =
    .aria-label = Language

## Header, footer

ui-product = Aeropay Onboarding
ui-nav-desk =
    .aria-label = Desk
ui-nav-enroll = Enroll
ui-nav-list = Enrollments
ui-connecting = Connecting…
ui-open-settings = Settings
ui-update-available = Update available: version { $version }
ui-update-installing = Installing version { $version } once no enrollment is in progress…
ui-update-install = Install update
ui-progress =
    .aria-label = Progress
ui-stage-customer = Customer
ui-stage-code = Code
ui-stage-bank = Bank account
ui-starting = Starting…
ui-ready = Ready. Connected to: { $environment }.
ui-not-connected = Not connected
ui-version = { $product } { $version }
ui-error-with-code = { $message } (code { $code })
ui-error-unknown = Something went wrong: { $detail }
ui-no-ipc = This page must run inside the Aeropay Onboarding app.
ui-code-for-support = Code for support:
ui-unknown-step = This screen is not known ({ $step }). Restart the app.

## Details

ui-details-title = New customer
ui-details-lead = Enter the customer's details. Aeropay may send them a code to confirm their phone.
ui-field-first-name = First name
ui-field-last-name = Last name
ui-field-phone = Mobile phone
ui-field-phone-hint = US mobile number, e.g. (312) 555-0198
ui-field-email = E-mail
ui-details-continue = Continue

## Code

ui-code-title = Enter the code
ui-code-lead-email = Aeropay sent a code by e-mail. Type it here.
ui-code-lead-sms = Aeropay sent a code by text message to the customer's phone. Type it here.
ui-code-lead-other = Aeropay sent a code to the customer. Type it here.
ui-code-label = Code
ui-code-attempts =
    { $count ->
        [one] { $count } attempt left
       *[other] { $count } attempts left
    }
ui-code-verify = Verify
ui-code-resend = Send a new code
ui-cancel = Cancel
ui-code-resumed = Continued from the list: ask the customer for the code Aeropay sent earlier. Their phone number is not kept on this machine, so to send a new code, cancel and start a new enrollment with their details.
ui-code-resent = A new code is on its way.
ui-code-simulated = Simulator: type 000000, Aeropay's sandbox test code.

## ID check (desk)

ui-id-check-box = I checked the customer's photo ID
ui-id-check-continue = Continue without a code
ui-id-check-send-code = Send a code instead
ui-id-check-title-named = { $name } has enrolled on this machine before
ui-id-check-title = The customer has enrolled on this machine before
ui-id-check-lead = Before you see or change their bank accounts without a code, check their photo ID. Or send a code to their phone instead.

## Accounts

ui-account-line =
    { $type ->
        [checking] Checking
        [savings] Savings
       *[other] Account
    } •••• { $last4 }
ui-account-line-unverified =
    { $type ->
        [checking] Checking
        [savings] Savings
       *[other] Account
    } •••• { $last4 } · not verified yet
ui-existing-title-named = { $name } already has a bank account with Aeropay
ui-existing-title = The customer already has a bank account with Aeropay
ui-existing-lead = Use it, or link another account.
ui-use-account = Use this account
ui-link-another = Link another account

## Linking

ui-linking-title = Link a bank account
ui-linking-lead = The customer signs in to their bank below and picks the account to use.
ui-linking-simulated = Simulated bank — no real bank data.
ui-linking-widget-english = The bank connection below is provided by Aerosync and may appear in English.
ui-widget-frame =
    .title = Bank sign-in
ui-widget-closed-title = The bank window was closed
ui-widget-closed-lead = No account was linked. Open the bank list again to continue.
ui-widget-reopen = Open the bank list again
ui-cancel-enrollment = Cancel enrollment
ui-checking-accounts = Checking the customer's bank accounts…
ui-finishing-checking = Checking with Aeropay whether the account is linked…
ui-finishing = Linking your account…
ui-still-working = Still working — this can take up to half a minute. Please don't close anything.

## Done

ui-done-ready-named = { $name }'s account is ready for Aeropay payments.
ui-done-ready = The account is ready for Aeropay payments.
ui-done-welcome-named = Welcome back. { $name }'s account is ready for Aeropay payments.
ui-done-welcome = Welcome back. The account is ready for Aeropay payments.
ui-done-default-named = { $name }'s account is ready for Aeropay payments. This account is now the default for payments.
ui-done-default = The account is ready for Aeropay payments. This account is now the default for payments.
ui-done-welcome-default-named = Welcome back. { $name }'s account is ready for Aeropay payments. This account is now the default for payments.
ui-done-welcome-default = Welcome back. The account is ready for Aeropay payments. This account is now the default for payments.
ui-done-linked = Bank account linked
ui-done-ready-title = Account ready
ui-next-customer = Enroll the next customer

## Failed, needs review, cancelled

ui-failed-title = We could not finish
ui-try-again = Try again
ui-choose-another = Choose another account
ui-start-over = Start over
ui-review-title = The link could not be confirmed
ui-review-lead = The bank account may already be linked. Nothing more is needed from the customer now.
ui-review-staff = Staff: open this enrollment from the Enrollments list later; it checks the customer's accounts with Aeropay before offering to link again.
ui-cancelled-title = Enrollment cancelled
ui-cancelled-lead = Nothing was linked.
ui-start-new = Start a new enrollment

## Kiosk

ui-attract-title = Link your bank account with Aeropay
ui-attract-cta = Tap to start
ui-attract =
    .aria-label = Welcome
ui-idle-title = Are you still there?
ui-idle-text =
    For your privacy this screen starts over in { $seconds } { $seconds ->
        [one] second
       *[other] seconds
    }.
ui-idle-more-time = I need more time

ui-larger-text = Larger text
ui-settings-more-time = Kiosk: more time (every limit above counts double)
ui-idle-left =
    { $seconds ->
        [one] { $seconds } second left.
       *[other] { $seconds } seconds left.
    }

## Desk list

ui-status-linked = Linked
ui-status-waiting = Waiting for code
ui-status-unfinished = Not finished
ui-status-finishing = Finishing the link
ui-status-widget-closed = Bank window closed
ui-status-needs-review = Needs review
ui-status-failed = Failed
ui-status-cancelled = Cancelled
ui-status-all = All statuses
ui-resume = Resume
ui-resume-row =
    .aria-label = Resume { $customer }'s enrollment
ui-link-another-row =
    .aria-label = Link another account for { $customer }
ui-list-caption = Enrollments on this machine, newest first
ui-col-date = Date
ui-col-customer = Customer
ui-col-phone = Phone
ui-col-bank = Bank account
ui-col-status = Status
ui-filter-search =
    .placeholder = Name, last phone digits, bank…
ui-filter-from = From
ui-filter-to = To
ui-filter-status = Status
ui-filter-text = Search
ui-list-count =
    { $count ->
        [one] { $count } enrollment
       *[other] { $count } enrollments
    }
ui-loading = Loading…
ui-list-empty = No enrollments match. Widen the dates or clear the search.
ui-list-title = Enrollments on this machine
ui-export-csv = Export CSV
ui-export-saved =
    { $count ->
        [one] Saved { $count } enrollment to
       *[other] Saved { $count } enrollments to
    }
ui-show-in-folder = Show in folder

## Desk of a fleet: the whole fleet's enrollments (ui/fleet.js)

ui-scope-label = Which enrollments
ui-scope-desk = This desk
ui-scope-fleet = Whole fleet
ui-fleet-title = Enrollments in the fleet
ui-fleet-caption = Enrollments of every device of the fleet, newest first
ui-col-store = Store
ui-col-device = Device
ui-col-mode = Mode
ui-col-last-step = Last step
ui-fleet-store = Store
ui-fleet-device = Device
ui-fleet-all-stores = All stores
ui-fleet-all-devices = All devices
ui-fleet-refresh = Refresh
ui-fleet-loading = Reading the fleet's enrollments from the fleet's server…
ui-fleet-empty = No enrollments in the fleet's trail for this store and device.
# $count is the most entries of the trail read at once (10,000).
ui-fleet-incomplete = Only the first { $count } entries of the fleet's trail were read. Pick a store or a device to see the rest.
ui-fleet-status-abandoned = Abandoned
ui-fleet-mode-kiosk = Kiosk
ui-fleet-mode-desk = Desk
ui-fleet-step-started = Started
ui-fleet-step-code-sent = Code sent
ui-fleet-step-code-confirmed = Code confirmed
ui-fleet-step-code-failed = Code refused
ui-fleet-step-id-checked = ID checked
ui-fleet-step-widget-opened = Bank widget opened
ui-fleet-step-linked = Account linked
ui-fleet-step-link-failed = Link failed
ui-fleet-step-link-unconfirmed = Link not confirmed
ui-fleet-step-cancelled = Cancelled

## Staff

ui-staff-unlocked = Staff unlocked ·
ui-staff-lock = Lock
ui-staff-corner = Staff
ui-pin-digits-kiosk = 6 to 12 digits on a kiosk
ui-pin-digits-desk = 4 to 12 digits
ui-pin-digits-kiosk-sentence = 6 to 12 digits on a kiosk
ui-pin-digits-desk-sentence = 4 to 12 digits
ui-staff-unlock = Unlock
ui-staff-pin = Staff PIN
ui-staff-only = Staff only
ui-staff-wait =
    Try again in { $seconds } { $seconds ->
        [one] second
       *[other] seconds
    }.
ui-staff-try-now = You can try again now.
ui-staff-locked-out = Too many wrong PINs in a row: staff access to this kiosk is locked. Set the staff PIN again from a terminal on this machine (aeropay-onboarding set-staff-pin).
ui-staff-menu-title = Staff
ui-staff-menu-settings = Settings
ui-staff-menu-exit = Leave kiosk mode
ui-back = Back
ui-pin-hint-set =
    A staff PIN is set. To change it, type the new PIN twice ({ $kiosk ->
        [yes] { ui-pin-digits-kiosk }
       *[no] { ui-pin-digits-desk }
    }).
ui-pin-hint-unset =
    No staff PIN yet: anyone at this desk can open Settings, and a kiosk cannot open them at all. { $kiosk ->
        [yes] { ui-pin-digits-kiosk-sentence }
       *[no] { ui-pin-digits-desk-sentence }
    }.
ui-pin-change = Change PIN
ui-pin-set = Set PIN
ui-pin-new = New PIN
ui-pin-again = New PIN again
ui-pin-saved = Staff PIN saved.

## Settings

ui-settings-title = Settings
ui-settings-managed = Managed by your organization
ui-settings-fleet-managed = Set by the fleet's server
ui-settings-fleet = This device is { $device } (group { $group }) of the fleet at { $broker }. The fleet's server holds the Aeropay API key and secret.
ui-env-simulator = Simulator (no real bank data)
ui-env-sandbox = Aeropay sandbox
ui-env-production = Production
ui-env-custom = Custom address
ui-env-broker = Fleet server
ui-settings-base-url = API address
ui-settings-base-url-hint = For a custom environment, e.g. https://staging-api.aeropay.com
ui-settings-secret-kept = A key and secret are stored in the keychain. Leave both empty to keep them.
ui-settings-secret-new = Stored in the OS keychain, never shown again.
ui-settings-environment = Environment
ui-settings-api-version = API version
ui-settings-merchant-id = Merchant id
ui-settings-api-key = API key
ui-settings-api-secret = API secret
ui-settings-configuration-id = Widget configuration id
ui-settings-configuration-id-hint = Optional; from Aeropay
ui-settings-theme = Widget theme
ui-theme-light = Light
ui-theme-dark = Dark
ui-settings-oauth-manually = The app opens bank sign-in pages itself (handleOAuthManually)
ui-settings-system-browser = Open bank sign-in pages in the system browser (desk only; for banks that refuse in-app windows)
ui-settings-mode = Mode
ui-mode-desk = Desk (a normal window for staff)
ui-mode-kiosk = Kiosk (full screen, customers alone)
ui-settings-mode-hint = Takes effect after a restart; --mode on the command line overrides it.
ui-settings-language = Language
ui-settings-language-hint = A desk speaks this language; a kiosk starts each customer in it, and they may pick another on the welcome screen.
ui-language-auto = Automatic (the computer's language)
ui-settings-idle = Kiosk: quiet seconds before the warning
ui-settings-idle-hint = 10 to 3600
ui-settings-warning = Kiosk: warning countdown in seconds
ui-settings-warning-hint = 20 to 600
ui-settings-widget-idle = Kiosk: quiet seconds while the bank widget is open
ui-settings-widget-idle-hint = At least the quiet seconds above, at most 7200
ui-settings-updates = Install signed updates from the feed below (a kiosk on its welcome screen; a desk when staff choose; never with the simulator)
ui-settings-update-feed = Update feed
ui-settings-update-feed-hint = https://…/{"{{channel}}"}/latest.json
ui-settings-update-channel = Update channel
ui-settings-update-channel-hint = One word, e.g. stable
ui-save = Save
ui-settings-saved = Settings saved. Restart the app to use them.
ui-settings-saved-language = Settings saved. The new language applies now.
ui-settings-saved-now = Settings saved.
ui-settings-pending = Saved settings are waiting for a restart.
ui-restart-now = Restart now

## Environment badge (from Rust)

env-simulator = Simulator — no real bank data
env-sandbox = Aeropay sandbox
env-production = Production
env-custom = Custom ({ $url })
env-fleet = Fleet: { $device } — { $aeropay }

## Dates (see crates/onboarding-core/src/i18n/format.rs)

datetime-medium = { $month } { $day }, { $year }, { $hour }:{ $minute } { $period }
time-am = AM
time-pm = PM
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
