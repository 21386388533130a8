//! Aeropay's documented error codes, with the category and the words a shop
//! assistant sees. Sources: the error glossaries of the v2 OpenAPI and
//! dev.aero.inc's error-handling page.

use super::error::ErrorCategory;
use ErrorCategory::*;

pub(crate) struct KnownCode {
    pub category: ErrorCategory,
    pub message: &'static str,
}

const fn known(category: ErrorCategory, message: &'static str) -> KnownCode {
    KnownCode { category, message }
}

pub(crate) const AP002_USER_SCOPE_MESSAGE: &str = "Aeropay could not sign in for this customer: \
     they may not be connected to this store yet (ask them to confirm their code again), \
     or this device's API keys were refused.";

pub(crate) fn lookup(code: &str) -> Option<KnownCode> {
    let known = match code {
        "AP001" => known(Auth, "This device has no Aeropay API keys. Ask a manager to finish the setup."),
        "AP002" => known(Auth, "Aeropay refused this device's API keys (wrong keys, or keys of another environment). Ask a manager to check the setup."),
        "AP003" => known(Auth, "This store's Aeropay account is locked. Ask a manager to contact Aeropay support."),
        "AP004" => known(Auth, "The request to Aeropay was missing its sign-in. Please try again; if it keeps happening, contact support."),
        "AP005" => known(Auth, "The Aeropay session does not match. Please start again."),
        "AP006" => known(Auth, "This device is not allowed to do that with Aeropay. Please contact support."),
        "AP007" => known(ExpiredToken, "The Aeropay session expired. Please try again."),
        "AP008" => known(ExpiredToken, "The Aeropay session is no longer valid. Please try again."),
        "AP101" => known(Auth, "Aeropay did not recognise the session. Please start again."),
        "AP102" => known(UpstreamDown, "Aeropay could not create the account. Please check the details or contact support."),
        "AP104" => known(InvalidInput, "Aeropay could not read the customer's details. Please check them and try again."),
        "AP105" => known(InvalidInput, "The phone number needs its area code."),
        "AP106" => known(InvalidInput, "The phone number is not in a valid format. Use +1 followed by 10 digits."),
        "AP107" => known(Conflict, "This customer already has an Aeropay account."),
        "AP108" => known(UpstreamDown, "Aeropay could not add the customer. Please contact support."),
        "AP109" => known(Auth, "This customer's Aeropay account is suspended."),
        "AP111" => known(InvalidInput, "That verification code is not right. Please check it and try again."),
        "AP112" => known(RateOrAttemptsLimit, "Too many wrong codes. Please wait and request a new code."),
        "AP113" => known(NotFound, "Aeropay does not know this customer."),
        "AP114" => known(Auth, "This customer is restricted by the store."),
        "AP115" => known(InvalidInput, "This type of phone number is not supported (landline, VoIP or prepaid), or the number is invalid. Please use a mobile number."),
        "AP118" => known(InvalidInput, "Names cannot contain numbers or special characters."),
        "AP119" => known(InvalidInput, "Only US phone numbers (+1) are supported."),
        "AP300" => known(UpstreamDown, "Aeropay could not connect to the bank. Please try linking the bank again."),
        "AP317" => known(RateOrAttemptsLimit, "Too many failed attempts. Please try again later."),
        "AP400" => known(NotFound, "This customer has no bank account linked yet."),
        "AP401" => known(NotFound, "That bank account cannot be used for this customer. Please link a valid account."),
        "AP403" => known(InvalidInput, "This bank is not supported. Please link an account at another bank."),
        "AP404" => known(InvalidInput, "The bank's routing number is not valid. Please link another account."),
        "AP407" => known(Auth, "Bank linking is turned off for this customer. Please contact Aeropay support."),
        "AP408" => known(InvalidInput, "Aeropay does not know the bank-linking service requested. Please contact support."),
        "AP409" => known(InvalidInput, "The bank-linking return address was refused. Please contact support."),
        "AP410" => known(Conflict, "This bank account is already connected to another customer."),
        "AP411" => known(InvalidInput, "Only checking accounts can be linked. Please choose a checking account."),
        "AP412" => known(NotFound, "That bank account has been removed."),
        "AP414" => known(RateOrAttemptsLimit, "This customer has reached the maximum number of linked bank accounts."),
        "AP415" => known(Conflict, "This bank account is already linked."),
        "AP700" => known(InvalidInput, "Some required information is missing. Please check the details and try again."),
        "AP701" => known(InvalidInput, "Some information is not in the right format. Please check the details and try again."),
        // Shape D, the 400 answers of aggregatorCredentials.
        "INVALID_FORMAT" => known(InvalidInput, "The bank-linking request was not in the right format. Please contact support."),
        "MISSING_PARAMETER" => known(InvalidInput, "The bank-linking request was missing information. Please contact support."),
        _ => return None,
    };
    Some(known)
}

/// Category implied by an HTTP status alone, for answers without a known code.
pub(crate) fn category_for_status(status: u16) -> Option<ErrorCategory> {
    match status {
        401 | 403 => Some(Auth),
        404 | 410 => Some(NotFound),
        409 => Some(Conflict),
        429 => Some(RateOrAttemptsLimit),
        400 | 405..=408 | 411..=428 | 431..=499 => Some(InvalidInput),
        500..=599 => Some(UpstreamDown),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_onboarding_code_is_known() {
        let documented = [
            "AP001",
            "AP002",
            "AP003",
            "AP004",
            "AP005",
            "AP006",
            "AP007",
            "AP008",
            "AP101",
            "AP102",
            "AP104",
            "AP105",
            "AP106",
            "AP107",
            "AP108",
            "AP109",
            "AP111",
            "AP112",
            "AP113",
            "AP114",
            "AP115",
            "AP118",
            "AP119",
            "AP300",
            "AP400",
            "AP401",
            "AP403",
            "AP404",
            "AP407",
            "AP408",
            "AP409",
            "AP410",
            "AP411",
            "AP412",
            "AP414",
            "AP415",
            "AP700",
            "AP701",
            "INVALID_FORMAT",
            "MISSING_PARAMETER",
        ];
        for code in documented {
            let known = lookup(code).unwrap_or_else(|| panic!("{code} has no message"));
            assert!(
                !known.message.contains(code),
                "{code}: message shows the code"
            );
            assert!(known.message.ends_with('.'), "{code}: not a sentence");
        }
        assert!(lookup("AP999").is_none());
    }

    #[test]
    fn status_categories() {
        assert_eq!(category_for_status(200), None);
        assert_eq!(category_for_status(401), Some(Auth));
        assert_eq!(category_for_status(502), Some(UpstreamDown));
        assert_eq!(category_for_status(429), Some(RateOrAttemptsLimit));
    }
}
