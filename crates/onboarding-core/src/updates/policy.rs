//! When a verified update may be installed: never in front of a customer.
//!
//! - A kiosk installs on its own, but only while it shows the attract screen:
//!   no enrollment on screen, no customer present, and no enrollment of this
//!   machine in `finishing` (its link may still be under way or waiting to be
//!   settled after a crash). Otherwise it waits and asks again.
//! - A desk never installs on its own: staff see "Update available" and
//!   choose when. Staff choosing is still refused while an enrollment on
//!   screen is past its details or one is `finishing`.

use crate::config::Mode;

/// What the app is doing at the moment of asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub mode: Mode,
    /// An enrollment is on screen (it has an id): a customer is in the middle.
    pub enrollment_on_screen: bool,
    /// Kiosk: a customer touched the screen since the last reset.
    pub customer_present: bool,
    /// Enrollments of this machine in status `finishing`.
    pub finishing: usize,
    /// Desk: staff pressed "Install now".
    pub staff_asked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyDecision {
    /// Install now, then restart into the new version.
    Apply,
    /// Not now; ask again later (the reason goes to the log, not the page).
    Wait(&'static str),
    /// Desk: tell staff an update is ready, install when they choose.
    AskStaff,
}

pub fn may_apply_now(moment: &Moment) -> ApplyDecision {
    if moment.finishing > 0 {
        return ApplyDecision::Wait("an enrollment is finishing its bank link");
    }
    if moment.enrollment_on_screen {
        return ApplyDecision::Wait("an enrollment is in progress");
    }
    match moment.mode {
        Mode::Kiosk if moment.customer_present => ApplyDecision::Wait("a customer is at the kiosk"),
        Mode::Kiosk => ApplyDecision::Apply,
        Mode::Desk if moment.staff_asked => ApplyDecision::Apply,
        Mode::Desk => ApplyDecision::AskStaff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kiosk_idle() -> Moment {
        Moment {
            mode: Mode::Kiosk,
            enrollment_on_screen: false,
            customer_present: false,
            finishing: 0,
            staff_asked: false,
        }
    }

    #[test]
    fn a_kiosk_applies_on_the_attract_screen_only() {
        assert_eq!(may_apply_now(&kiosk_idle()), ApplyDecision::Apply);
        let customer = Moment {
            customer_present: true,
            ..kiosk_idle()
        };
        assert!(matches!(may_apply_now(&customer), ApplyDecision::Wait(_)));
        let mid_enrollment = Moment {
            enrollment_on_screen: true,
            ..kiosk_idle()
        };
        assert_eq!(
            may_apply_now(&mid_enrollment),
            ApplyDecision::Wait("an enrollment is in progress")
        );
    }

    #[test]
    fn a_finishing_enrollment_blocks_every_install_even_one_staff_asked_for() {
        let finishing = Moment {
            finishing: 1,
            ..kiosk_idle()
        };
        assert_eq!(
            may_apply_now(&finishing),
            ApplyDecision::Wait("an enrollment is finishing its bank link")
        );
        let desk = Moment {
            mode: Mode::Desk,
            staff_asked: true,
            finishing: 2,
            ..kiosk_idle()
        };
        assert!(matches!(may_apply_now(&desk), ApplyDecision::Wait(_)));
    }

    #[test]
    fn a_desk_waits_for_staff_and_never_interrupts_an_enrollment() {
        let desk = Moment {
            mode: Mode::Desk,
            ..kiosk_idle()
        };
        assert_eq!(may_apply_now(&desk), ApplyDecision::AskStaff);
        let asked = Moment {
            staff_asked: true,
            ..desk
        };
        assert_eq!(may_apply_now(&asked), ApplyDecision::Apply);
        let busy = Moment {
            enrollment_on_screen: true,
            ..asked
        };
        assert!(matches!(may_apply_now(&busy), ApplyDecision::Wait(_)));
    }

    #[test]
    fn every_combination_that_applies_has_no_customer_and_nothing_finishing() {
        for mode in [Mode::Kiosk, Mode::Desk] {
            for bits in 0..16u8 {
                let moment = Moment {
                    mode,
                    enrollment_on_screen: bits & 1 != 0,
                    customer_present: bits & 2 != 0,
                    finishing: usize::from(bits & 4 != 0),
                    staff_asked: bits & 8 != 0,
                };
                if may_apply_now(&moment) == ApplyDecision::Apply {
                    assert!(
                        !moment.enrollment_on_screen && moment.finishing == 0,
                        "{moment:?}"
                    );
                    match mode {
                        Mode::Kiosk => assert!(!moment.customer_present, "{moment:?}"),
                        Mode::Desk => assert!(moment.staff_asked, "{moment:?}"),
                    }
                }
            }
        }
    }
}
