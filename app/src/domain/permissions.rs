//! Who may do what: written once, checked by the server on every operation and used by the
//! views to offer only what a person may do. A view hiding a button is a courtesy; the server's
//! check is the rule.
use super::account::{MemberRole, Role};

/// Who is asking, as far as one group is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// `None` when nobody is signed in.
    pub role: Option<Role>,
    /// The person's role in the group in question, if any.
    pub membership: Option<MemberRole>,
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self {
            role: None,
            membership: None,
        }
    }

    fn is_staff(self) -> bool {
        self.role.is_some_and(Role::is_staff)
    }
}

/// Members' names are personal data: the group's own members and staff see them.
/// Which of a group's needs `viewer` sees, and how much of each (`need::Audience`).
pub fn need_audience(viewer: Viewer) -> super::need::Audience {
    let actor = super::need::NeedActor::of(Some(viewer.is_staff()), viewer.membership);
    super::need::Audience::of(actor)
}

pub fn can_see_members(viewer: Viewer) -> bool {
    viewer.membership.is_some() || viewer.is_staff()
}

/// Contacts speak for the group: they invite, and turn an informal group into a formal one.
pub fn can_manage_group(viewer: Viewer) -> bool {
    viewer.membership == Some(MemberRole::Contact)
}

/// How to reach the volunteers who took a shift is for the group's contacts only: not its
/// other members, not staff (who match offers to needs without a volunteer's phone number),
/// and never the public.
pub fn can_see_volunteer_contacts(viewer: Viewer) -> bool {
    can_manage_group(viewer)
}

/// A micro-support case is read by staff and by its group's members; other people are not
/// told it exists.
pub fn can_see_case(viewer: Viewer) -> bool {
    viewer.membership.is_some() || viewer.is_staff()
}

/// Only staff see the handlers' queue and the support report.
pub fn can_handle_cases(role: Option<Role>) -> bool {
    role.is_some_and(Role::is_staff)
}

/// Only contacts invite, and they may invite both members and further contacts.
pub fn can_invite(viewer: Viewer, _role: MemberRole) -> bool {
    can_manage_group(viewer)
}

/// A member may leave; a contact may remove anyone but themselves when they are the last
/// contact (a group must keep someone to speak for it).
pub fn can_remove_member(
    viewer: Viewer,
    is_self: bool,
    target: MemberRole,
    contacts_left: usize,
) -> bool {
    let last_contact = target == MemberRole::Contact && contacts_left <= 1;
    if last_contact {
        return false;
    }
    (is_self && viewer.membership.is_some()) || can_manage_group(viewer)
}

/// Staff verify that a group is who it says it is.
pub fn can_verify_groups(role: Option<Role>) -> bool {
    role.is_some_and(Role::is_staff)
}

/// Staff see every group (to match and support them).
pub fn can_list_groups(role: Option<Role>) -> bool {
    role.is_some_and(Role::is_staff)
}

/// Staff read volunteers' offers (to match them to needs).
pub fn can_list_offers(role: Option<Role>) -> bool {
    role.is_some_and(Role::is_staff)
}

/// Only administrators create staff accounts.
pub fn can_manage_staff(role: Option<Role>) -> bool {
    role == Some(Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Option<Role>, membership: Option<MemberRole>) -> Viewer {
        Viewer { role, membership }
    }

    #[test]
    fn members_are_visible_to_the_group_and_to_staff_only() {
        assert!(!can_see_members(Viewer::anonymous()));
        assert!(!can_see_members(viewer(Some(Role::Volunteer), None)));
        assert!(can_see_members(viewer(
            Some(Role::Volunteer),
            Some(MemberRole::Member)
        )));
        assert!(can_see_members(viewer(Some(Role::Staff), None)));
        assert!(can_see_members(viewer(Some(Role::Admin), None)));
    }

    #[test]
    fn only_contacts_manage_and_invite() {
        let contact = viewer(Some(Role::Volunteer), Some(MemberRole::Contact));
        let member = viewer(Some(Role::Volunteer), Some(MemberRole::Member));
        let staff = viewer(Some(Role::Staff), None);
        assert!(can_manage_group(contact));
        assert!(can_invite(contact, MemberRole::Contact));
        assert!(can_see_volunteer_contacts(contact));
        for other in [member, staff, Viewer::anonymous()] {
            assert!(!can_manage_group(other));
            assert!(!can_see_volunteer_contacts(other));
            assert!(!can_invite(other, MemberRole::Member));
        }
    }

    #[test]
    fn the_last_contact_cannot_be_removed_and_members_may_leave() {
        let contact = viewer(Some(Role::Volunteer), Some(MemberRole::Contact));
        let member = viewer(Some(Role::Volunteer), Some(MemberRole::Member));
        assert!(!can_remove_member(contact, true, MemberRole::Contact, 1));
        assert!(can_remove_member(contact, true, MemberRole::Contact, 2));
        assert!(can_remove_member(contact, false, MemberRole::Member, 1));
        assert!(can_remove_member(member, true, MemberRole::Member, 1));
        assert!(!can_remove_member(member, false, MemberRole::Member, 2));
        let outsider = viewer(Some(Role::Volunteer), None);
        assert!(!can_remove_member(outsider, true, MemberRole::Member, 2));
    }

    #[test]
    fn staff_verify_and_admins_manage_staff() {
        assert!(!can_verify_groups(None));
        assert!(!can_verify_groups(Some(Role::Volunteer)));
        assert!(can_verify_groups(Some(Role::Staff)));
        assert!(can_list_groups(Some(Role::Admin)));
        assert!(!can_manage_staff(Some(Role::Staff)));
        assert!(can_manage_staff(Some(Role::Admin)));
    }
}
