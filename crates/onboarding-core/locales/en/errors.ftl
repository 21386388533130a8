# Error messages Rust sends to the page ({code, message, retry}).
# Messages without variables are found by their English text where an error
# becomes {code, message, retry} (crates/onboarding-core/src/i18n/errors.rs), so the
# English here must be the error's text exactly. Keep every id in
# es/errors.ftl too.

## Aeropay's documented codes (crates/aeropay-client/src/codes.rs)

err-ap001 = This device has no Aeropay API keys. Ask a manager to finish the setup.
err-ap002 = Aeropay refused this device's API keys (wrong keys, or keys of another environment). Ask a manager to check the setup.
err-ap002-user = Aeropay could not sign in for this customer: they may not be connected to this store yet (ask them to confirm their code again), or this device's API keys were refused.
err-ap003 = This store's Aeropay account is locked. Ask a manager to contact Aeropay support.
err-ap004 = The request to Aeropay was missing its sign-in. Please try again; if it keeps happening, contact support.
err-ap005 = The Aeropay session does not match. Please start again.
err-ap006 = This device is not allowed to do that with Aeropay. Please contact support.
err-ap007 = The Aeropay session expired. Please try again.
err-ap008 = The Aeropay session is no longer valid. Please try again.
err-ap101 = Aeropay did not recognise the session. Please start again.
err-ap102 = Aeropay could not create the account. Please check the details or contact support.
err-ap104 = Aeropay could not read the customer's details. Please check them and try again.
err-ap105 = The phone number needs its area code.
err-ap106 = The phone number is not in a valid format. Use +1 followed by 10 digits.
err-ap107 = This customer already has an Aeropay account.
err-ap108 = Aeropay could not add the customer. Please contact support.
err-ap109 = This customer's Aeropay account is suspended.
err-ap111 = That verification code is not right. Please check it and try again.
err-ap112 = Too many wrong codes. Please wait and request a new code.
err-ap113 = Aeropay does not know this customer.
err-ap114 = This customer is restricted by the store.
err-ap115 = This type of phone number is not supported (landline, VoIP or prepaid), or the number is invalid. Please use a mobile number.
err-ap118 = Names cannot contain numbers or special characters.
err-ap119 = Only US phone numbers (+1) are supported.
err-ap300 = Aeropay could not connect to the bank. Please try linking the bank again.
err-ap317 = Too many failed attempts. Please try again later.
err-ap400 = This customer has no bank account linked yet.
err-ap401 = That bank account cannot be used for this customer. Please link a valid account.
err-ap403 = This bank is not supported. Please link an account at another bank.
err-ap404 = The bank's routing number is not valid. Please link another account.
err-ap407 = Bank linking is turned off for this customer. Please contact Aeropay support.
err-ap408 = Aeropay does not know the bank-linking service requested. Please contact support.
err-ap409 = The bank-linking return address was refused. Please contact support.
err-ap410 = This bank account is already connected to another customer.
err-ap411 = Only checking accounts can be linked. Please choose a checking account.
err-ap412 = That bank account has been removed.
err-ap414 = This customer has reached the maximum number of linked bank accounts.
err-ap415 = This bank account is already linked.
err-ap700 = Some required information is missing. Please check the details and try again.
err-ap701 = Some information is not in the right format. Please check the details and try again.
err-invalid-format = The bank-linking request was not in the right format. Please contact support.
err-missing-parameter = The bank-linking request was missing information. Please contact support.

## The API client's own (crates/aeropay-client/src/)

err-empty-sign-in-token = Aeropay sent an empty sign-in token. Please try again or contact support.
err-no-widget-token = Aeropay sent no bank-linking token. Please try again or contact support.
err-credentials-unavailable = This device's Aeropay API keys could not be read. Ask a manager to check the setup.
err-unreadable-answer = Aeropay sent an answer this app does not understand. Please try again or contact support.
err-upstream-html = Aeropay is not answering properly right now (a web page came back instead of data). Please try again in a moment.
err-response-empty = Aeropay sent an empty answer. Please try again.
err-response-not-json = Aeropay sent an answer this app cannot read. Please try again or contact support.
err-upstream-status = Aeropay is having trouble right now. Please try again in a moment.
err-auth-status = Aeropay refused this device's sign-in. Ask a manager to check the setup.
err-not-found-status = Aeropay could not find what was asked for.
err-refused-status = Aeropay refused the request.
err-unusable-token = Aeropay issued a token this app cannot use. Please contact support.
err-network-tls = The secure connection to Aeropay failed. Check the device's date and time and the network (a proxy may be interfering).
err-network-unreachable = Aeropay cannot be reached. Check the internet connection and try again.
err-network-timeout = Aeropay took too long to answer. Please try again.
err-network-error = The connection to Aeropay broke off. Please try again.
err-refused-no-reason = Aeropay refused the request without saying why.
err-outcome-link = The bank link may or may not have gone through. The app checks the customer's accounts before trying again.
err-outcome-create-user = Aeropay may or may not have created the account (and sent a code). Check with the customer before trying again.
err-outcome-confirm-user = Aeropay may or may not have accepted the code. Check the customer's status before trying again.
err-outcome-other = Aeropay did not confirm whether the request went through.
err-response-too-large = Aeropay sent an answer far larger than expected. Please try again or contact support.

## The enrollment (crates/onboarding-core/src/enrollment/error.rs)

err-wrong-step = This action does not fit the current step ({ $step }); the screen has been refreshed.
err-widget-not-open = The bank-link widget is not open.
err-no-widget-url = Aeropay did not return the bank-link widget address; try again in a moment.
err-link-outcome-unknown = We could not confirm whether the account was linked; check the customer's accounts before trying again.
err-not-linked = Aeropay did not link the account ({ $code }); start over to choose another account.
err-widget-reported = The bank-link widget reported a problem ({ $description }); try again or choose another bank.
err-internal = The app could not finish a background task; try again.
err-enrollment-not-found = That enrollment is not on this machine any more; refresh the list.
err-other-environment = That enrollment was made in { $environment }; switch to it in Settings to continue it.
err-resume-finished = This enrollment is finished; use "Link another account" to add one.
err-resume-too-early = This enrollment stopped before Aeropay knew the customer; start a new one with their details.
err-link-another-unlinked = Only a customer whose account is linked can link another one.
err-code-limit =
    This phone number has been sent { $sent } codes in the last { $windowMinutes } minutes, the most this kiosk sends; try again in about { $waitMinutes ->
        [one] { $waitMinutes } minute
       *[other] { $waitMinutes } minutes
    }, or ask a member of staff for help.
err-id-check-required = To continue without a code, check the customer's photo ID and tick the box; or send them a code instead.
err-code-required = On a kiosk every customer confirms their phone with the code Aeropay sends.

## The customer's details (crates/onboarding-core/src/enrollment/details.rs)

err-first-name-empty = Enter the customer's first name.
err-last-name-empty = Enter the customer's last name.
err-first-name-long = The first name can have at most 50 letters.
err-last-name-long = The last name can have at most 50 letters.
err-first-name-letters = Use letters only in the first name (spaces, hyphens and apostrophes are fine).
err-last-name-letters = Use letters only in the last name (spaces, hyphens and apostrophes are fine).
err-phone-empty = Enter the customer's mobile number.
err-phone-digits = Use digits only in the mobile number, like (312) 555-0198.
err-phone-not-us = Aeropay works with US mobile numbers only (+1).
err-phone-length = Enter a 10-digit US mobile number, area code first.
err-phone-invalid = That is not a valid US mobile number; check the area code.
err-email-empty = Enter the customer's e-mail address.
err-email-invalid = Enter an e-mail address like name@example.com.

## The bank widget (crates/aerosync/src/error.rs)

err-widget-invalid-url = The bank-link widget address is not a valid web address.
err-widget-not-json = The bank-link widget sent a message that is not JSON.
err-widget-no-type = The bank-link widget sent a message without a type.
err-widget-wrong-customer = The bank-link widget answered for a different customer; please start again.

## Staff (crates/onboarding-core/src/staff/error.rs, commands)

err-pin-wrong = That PIN is not right.
err-pin-wait =
    Too many wrong PINs in a row. Wait { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    }, then try again.
err-staff-locked = Staff only: unlock with the staff PIN first.
err-staff-no-pin = No staff PIN is set on this machine, so settings are closed. Set one from a terminal: `aeropay-onboarding configure --staff-pin-stdin …` or `aeropay-onboarding set-staff-pin` (the PIN is read from standard input).
err-pin-format = A staff PIN is 4 to 12 digits.
err-pin-kiosk-short = On a kiosk the staff PIN is 6 to 12 digits. If this kiosk's PIN is shorter, set a longer one from a terminal: `aeropay-onboarding set-staff-pin` (the PIN is read from standard input).
err-staff-locked-out = Too many wrong PINs in a row: staff access to this kiosk is locked. Set the staff PIN again from a terminal on this machine: `aeropay-onboarding set-staff-pin` (the PIN is read from standard input).
err-pin-mismatch = The two PINs are not the same. Type the new PIN twice.
err-pin-damaged = The stored staff PIN is damaged: set a new one with `aeropay-onboarding set-staff-pin`.
err-not-kiosk = The app is not in kiosk mode.

## Desk (crates/onboarding-core/src/desk/error.rs, commands)

err-desk-only = The list of enrollments is for the back office; it is not shown on a kiosk.
err-desk-not-fleet = This desk is not part of a fleet: it shows its own enrollments only.
err-backwards-range = The start date is after the end date; swap them.
err-bad-offset = The time zone offset from the page is out of range.
err-no-export-folder = No folder to save the export in: set a home or Downloads folder.
err-nothing-exported = Nothing has been exported yet.
err-l10n-too-large = At most { $count } messages of { $chars } characters can be formatted at once.
err-language-desk = A desk's language is chosen in Settings.

## Settings (src-tauri/src/settings_form.rs, config.rs)

err-settings-choose-environment = Choose an environment.
err-settings-merchant-missing = Enter the Aeropay merchant id.
err-settings-merchant-number = The merchant id is a number.
err-settings-both-keys = Enter both the API key and the API secret, or neither to keep the stored ones.
err-settings-configuration-id = This configuration id is not valid.
err-settings-base-url = Enter the API address, like https://staging-api.aeropay.com
err-settings-unsafe-url = Use an https:// address, like https://staging-api.aeropay.com (plain http only for 127.0.0.1).
err-settings-kiosk-browser = A kiosk keeps bank sign-in pages inside the app: opening them in the system browser is refused on a kiosk (a stranger would be left in a full browser). Turn "oauthInSystemBrowser" off, or use desk mode.
err-settings-seconds = Enter a number of seconds from { $min } to { $max }.
err-settings-update-feed-missing = Enter the update feed's address to turn updates on.
err-settings-update-feed-url = Enter an https address, like https://updates.example.com/{"{{channel}}"}/latest.json
err-settings-update-channel = A channel is one word: letters, digits, - _ or .

## Updates (src-tauri/src/commands/updates.rs)

err-update-none = No update is waiting to be installed.

## Keychain (crates/onboarding-core/src/vault/error.rs)

err-vault-no-secret-service = No Secret Service on the session bus ({ $detail }): start gnome-keyring or KWallet in this desktop session.
err-vault-locked = The keychain is locked ({ $detail }): unlock it (log in to the desktop session, or run `gnome-keyring-daemon --unlock`) and try again.
err-vault-unavailable = The keychain refused the request ({ $detail }).
err-vault-corrupt = The keychain entry { $account } is damaged: delete it and enter the value again.
err-vault-wrong-kind = Refusing to store a value of the wrong kind under { $account }.

## Local database and settings file (crates/onboarding-core/src/store/error.rs, config.rs)

err-store-directory = Cannot create the data folder { $path }: { $reason }.
err-store-sqlite = The local database failed: { $reason }.
err-store-sqlite-too-old = This computer's SQLite library is version { $found }; the app needs { $needed } or later. Update the system, then start the app again.
err-store-unreadable = The local database holds a value this version does not understand: { $value }.
err-config-no-dir = No configuration directory: set HOME (or XDG_CONFIG_HOME).
err-config-read = Cannot read { $path }: { $reason }.
err-config-parse = { $path } is not valid settings ({ $reason }); fix or delete the file to start over.
err-config-write = Cannot write { $path }: { $reason }.

## Managed settings (crates/onboarding-core/src/policy.rs)

err-policy-read = Cannot read the policy { $path }: { $reason }. Every account that runs the app must be able to read it (the file 0644, its folder 0755).
err-policy-invalid = The policy { $path } is not valid ({ $reason }); ask whoever manages this machine to fix it.
err-policy-invalid-field = The policy { $path } is not valid: field "{ $field }" ({ $reason }); ask whoever manages this machine to fix it.
err-policy-unsafe = The policy { $path } is refused: { $reason }. It must belong to root and be writable by root only.
err-settings-managed = Managed by your organization: { $fields } cannot be changed on this machine.

## Desk with variables (crates/onboarding-core/src/desk/error.rs, commands/desk.rs)

err-desk-bad-date =
    { $field ->
        [start] Start
       *[other] End
    } date "{ $value }" is not a date; pick one from the calendar (YYYY-MM-DD).
err-desk-range-too-long = Choose at most { $maxDays } days at a time.
err-desk-bad-status = "{ $status }" is not a status the list knows.
err-desk-search-too-long = The search text is too long (at most { $max } characters).
err-desk-export-write = The export could not be saved in { $path }: { $reason }; check the folder exists and is writable.
err-desk-export-failed = The export file could not be saved: { $reason }; check the folder exists and is writable.
err-desk-reveal = The file manager could not be opened ({ $reason }). The file is { $path }.

## The bank widget, with variables (crates/aerosync/src/error.rs)

err-widget-untrusted-origin = The bank-link widget address { $origin } is not a known Aerosync address; check the environment settings.
err-widget-wrong-origin = Ignored a message from { $origin }: only the bank-link widget may talk to the app.
err-widget-too-large = Ignored a widget message of { $size } bytes (the limit is { $limit }).
err-widget-bad-success = The bank-link widget reported success without the account details; please link the account again.

## The API client, with variables or per cause (crates/aeropay-client/src/)

# $reason is Aeropay's own text, passed on as it is.
err-refused-with-reason = Aeropay refused the request: { $reason }
err-http-redirect = Aeropay's address sent this app elsewhere ({ $target }); the app does not follow redirects. Ask a manager to check the Aeropay address in Settings.
err-http-redirect-unnamed = Aeropay's address sent this app elsewhere; the app does not follow redirects. Ask a manager to check the Aeropay address in Settings.
err-request-not-encoded = This request cannot be sent: the request could not be encoded.
err-request-v1-connection = This request cannot be sent: API v1 links with the widget's user_id and user_password; this widget sent a connectionId (use API v2).
err-request-v2-legacy = This request cannot be sent: API v2 links with the widget's connectionId; this widget sent user_id and user_password (use API v1 or a newer widget).
err-request-no-user-id = This request cannot be sent: the customer's Aeropay user id is missing.
err-setup-bad-header = The Aeropay connection is not set up correctly: an extra header is not a valid HTTP header. Ask a manager to check the settings.
err-setup-no-client = The Aeropay connection is not set up correctly: the HTTP client could not start. Ask a manager to check the settings.
err-setup-bad-address = The Aeropay connection is not set up correctly: the Aeropay address is not a valid URL. Ask a manager to check the settings.
err-setup-no-request = The Aeropay connection is not set up correctly: the request could not be built. Ask a manager to check the settings.
err-setup-unsafe-scheme = The Aeropay connection is not set up correctly: the Aeropay address must start with https:// (plain http is allowed only for 127.0.0.1). Ask a manager to check the settings.

## The enrollment's notices (crates/onboarding-core/src/enrollment/flow.rs, linking.rs)

err-code-format = Type the code from the message: digits only.
err-some-not-linked-unknown = Some accounts could not be linked.
# $reason is the last refusal's message, in the same language.
err-some-not-linked = { $failed } of { $requested } accounts could not be linked: { $reason }

## The fleet's broker (crates/fleet-client/src/messages.rs, error.rs)

err-fleet-not-enrolled = This device is not enrolled with the fleet. Ask your manager for an enrollment code.
err-fleet-revoked = This device has been removed from the fleet. Ask your manager to enroll it again.
err-fleet-disabled = This device is paused by the fleet's operator. Ask your manager to enable it again.
err-fleet-user-not-verified = This customer has not confirmed their code on this device recently. Start their enrollment again.
err-fleet-rate-limited = Too many attempts from this device. Please wait a little and try again.
err-fleet-unavailable = The fleet's server is briefly unavailable. Please try again in a moment.
err-fleet-internal = Something went wrong on the fleet's server. Please try again.
err-fleet-bad-request = The request is not valid.
err-fleet-key-reused = This request was already sent with other details. Start this step again.
err-fleet-no-such-call = There is no such call.
err-fleet-code-invalid = This enrollment code is not valid. Check it was typed as printed.
err-fleet-code-expired = This enrollment code has expired. Ask your manager for a new one.
err-fleet-code-used = This enrollment code was already used. Ask your manager for a new one.
err-fleet-audit-forbidden = This desk may not read the fleet's trail. Ask the fleet's operator to add this desk's group to audit.reader_groups.
# $host is the fleet server's address (host and port).
err-fleet-unreachable = The fleet's server ({ $host }) could not be reached. Please try again in a moment, or ask your manager to check the network.
err-fleet-unexpected = The fleet's server ({ $host }) gave an answer this app cannot read. Ask your manager to check the fleet's server address.
# $reason says what is wrong with the address.
err-fleet-url = The fleet's server address is not usable: { $reason }
