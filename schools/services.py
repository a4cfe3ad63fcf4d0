"""Every change to the school community: adding and inviting people, roles, leavers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from core import audit
from core.roles import PRIVILEGED_ROLES, Cap, Role, capabilities_for

from .models import Guardianship, Membership, MembershipRole, Pupil, School, TrustMembership


@dataclass(frozen=True)
class ChildLink:
    pupil: Pupil
    relationship: str
    parental_responsibility: bool = True


def _check_may_grant(*, roles, granted_by_capabilities):
    """The office can invite a teacher; only leaders can hand out roles that reach
    sensitive data or manage people."""
    if not roles:
        raise ValidationError({"roles": "Choose at least one role."})
    privileged = set(roles) & PRIVILEGED_ROLES
    if privileged and Cap.MANAGE_ROLES not in granted_by_capabilities:
        labels = ", ".join(sorted(Role(r).label for r in privileged))
        raise ValidationError({"roles": f"Only the headteacher or deputy can give these roles: {labels}."})


def _set_roles(membership: Membership, roles) -> None:
    membership.roles.exclude(role__in=roles).delete()
    existing = set(membership.roles.values_list("role", flat=True))
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=membership, role=r) for r in sorted(set(roles) - existing)]
    )


@transaction.atomic
def add_person(
    *,
    school: School,
    email: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    by,
    by_capabilities=frozenset(),
    job_title: str = "",
    staff_type: str = "",
    start_date: datetime.date | None = None,
    children: list[ChildLink] = (),
    send_invitation: bool = True,
    request=None,
) -> Membership:
    """Add someone to the school with their roles, and invite them by email. An email
    the portal already knows gets a new membership on the same account."""
    _check_may_grant(roles=roles, granted_by_capabilities=by_capabilities)
    if Role.PARENT in roles and not children:
        raise ValidationError({"children": "Choose the child or children this parent or carer looks after."})
    for link in children:
        if link.pupil.school_id != school.pk:
            raise ValidationError({"children": "Choose children from this school."})

    user, _ = account_services.find_or_create_person(email=email, first_name=first_name, last_name=last_name)
    membership = Membership.objects.select_for_update().filter(user=user, school=school).first()
    if membership is not None and membership.status != Membership.Status.LEFT:
        return _add_to_current_membership(membership=membership, roles=roles, children=children, by=by, request=request)
    if membership is None:
        membership = Membership(user=user, school=school)
    membership.status = (
        Membership.Status.ACTIVE if user.is_active and not send_invitation else Membership.Status.INVITED
    )
    membership.job_title = job_title
    membership.staff_type = staff_type
    membership.start_date = start_date
    membership.leaving_date = None
    membership.ended_at = None
    membership.save()
    _set_roles(membership, roles)
    _link_children(user, children)
    audit.record(
        action="membership.added",
        actor=by,
        school=school,
        obj=membership,
        request=request,
        summary=f"Added {user.email} as {', '.join(Role(r).label for r in sorted(roles))}",
        data={"roles": sorted(roles)},
    )
    if send_invitation:
        invite(membership=membership, by=by, request=request)
    return membership


def _link_children(user, children) -> None:
    for link in children:
        Guardianship.objects.update_or_create(
            pupil=link.pupil,
            carer=user,
            defaults={"relationship": link.relationship, "parental_responsibility": link.parental_responsibility},
        )


def _add_to_current_membership(*, membership: Membership, roles, children, by, request=None) -> Membership:
    """Someone already here gains what they did not have: a teacher who is also a
    parent at the school, or a parent who joins the staff, or a parent's further
    child. Adding staff who are already staff is refused: their page changes roles."""
    held = set(membership.role_codes)
    new_staff_roles = set(roles) - {Role.PARENT}
    already_linked = set(membership.user.guardianships.values_list("pupil_id", flat=True))
    new_children = [link for link in children if link.pupil.pk not in already_linked]
    if (new_staff_roles and held - {Role.PARENT}) or (Role.PARENT in roles and not new_children):
        raise ValidationError({"email": f"{membership.user.email} is already a member of {membership.school.name}."})
    _set_roles(membership, held | set(roles))
    _link_children(membership.user, new_children)
    added = sorted(set(roles) - held)
    changes = []
    if added:
        changes.append(f"now also {', '.join(Role(r).label for r in added)}")
    if new_children:
        changes.append(f"now also cares for {', '.join(str(c.pupil) for c in new_children)}")
    audit.record(
        action="membership.roles_changed" if added else "membership.children_linked",
        actor=by,
        school=membership.school,
        obj=membership,
        request=request,
        summary=f"{membership.user.email}: {'; '.join(changes)}",
        data={"from": sorted(held), "to": sorted(held | set(roles)), "children": [c.pupil.pk for c in new_children]},
    )
    return membership


def invite(*, membership: Membership, by, request=None):
    if membership.status == Membership.Status.LEFT:
        raise ValidationError("This person has left the school. Add them again to invite them.")
    if membership.status == Membership.Status.ACTIVE:
        raise ValidationError(f"{membership.user.email} has already joined.")
    return account_services.invite(
        email=membership.user.email,
        target=membership,
        invited_to=membership.school.name,
        invited_by=by,
        request=request,
        school=membership.school,
    )


@transaction.atomic
def change_roles(*, membership: Membership, roles: list[str], by, by_capabilities, request=None) -> None:
    old = set(membership.role_codes)
    new = set(roles)
    # Taking a privileged role away needs the same authority as giving it.
    _check_may_grant(roles=roles, granted_by_capabilities=by_capabilities)
    if (old - new) & PRIVILEGED_ROLES and Cap.MANAGE_ROLES not in by_capabilities:
        raise ValidationError({"roles": "Only the headteacher or deputy can take away a leadership role."})
    if membership.user_id == getattr(by, "pk", None) and Cap.MANAGE_ROLES not in capabilities_for(new):
        if Cap.MANAGE_ROLES in capabilities_for(old):
            raise ValidationError({"roles": "You can't remove your own leadership role. Ask another leader."})
    # The head cannot take away her own Headteacher role, even keeping another leader's
    # role: the school would lose its head by one click. Another person who may manage
    # roles must do it (and they can: the head is then not the one changing them).
    if membership.user_id == getattr(by, "pk", None) and Role.HEADTEACHER in old - new:
        raise ValidationError(
            {
                "roles": "You can't remove your own Headteacher role. "
                "Another leader who can change roles (the deputy, for example) must do it."
            }
        )
    if old == new:
        return
    _set_roles(membership, new)
    audit.record(
        action="membership.roles_changed",
        actor=by,
        school=membership.school,
        obj=membership,
        request=request,
        summary=f"Roles of {membership.user.email}: {', '.join(sorted(old))} → {', '.join(sorted(new))}",
        data={"from": sorted(old), "to": sorted(new)},
    )


def _end_sessions(users) -> int:
    """Sign these people out everywhere. (An inactive user is signed out on their next
    request anyway, because the auth backend refuses inactive users; this also
    removes the sessions from their list.)"""
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user__in=users))
    for user_session in sessions:
        user_session.end()
    return len(sessions)


@transaction.atomic
def mark_leaver(
    *, membership: Membership, leaving_date: datetime.date, by=None, by_capabilities=None, request=None
) -> None:
    """Record that someone leaves. On or after the leaving date their membership
    ends, and, unless they still belong to another school, their login is disabled at
    once. Their records are kept. Only leaders can mark a leader as leaving (the
    same authority as taking away their role)."""
    membership = Membership.objects.select_for_update().select_related("user", "school").get(pk=membership.pk)
    if membership.status == Membership.Status.LEFT:
        raise ValidationError("This person has already left.")
    if (
        by_capabilities is not None
        and set(membership.role_codes) & PRIVILEGED_ROLES
        and Cap.MANAGE_ROLES not in by_capabilities
    ):
        raise ValidationError("Only the headteacher or deputy can mark someone in a leadership role as leaving.")
    if by is not None and membership.user_id == by.pk:
        raise ValidationError("You can't mark yourself as a leaver. Ask another leader.")
    membership.leaving_date = leaving_date
    membership.save(update_fields=["leaving_date"])
    audit.record(
        action="membership.leaving_date_set",
        actor=by,
        school=membership.school,
        obj=membership,
        request=request,
        summary=f"{membership.user.email} leaves on {leaving_date:%d/%m/%Y}",
    )
    if leaving_date <= timezone.localdate():
        end_membership_now(membership, by=by, request=request)


def end_membership_now(membership: Membership, *, by=None, request=None) -> None:
    """End a membership today (see mark_leaver)."""
    end_memberships_now([membership], by=by, request=request)


def end_memberships_now(memberships: list[Membership], *, by=None, request=None) -> None:
    """End these memberships today, in a handful of queries however many there are
    (the MIS import ends a term's leavers at once). Invitations to them stop working;
    a person who belongs nowhere else any more can no longer sign in and is signed out
    everywhere; each ending is recorded in the audit log. Give the memberships with
    their user and school loaded (select_related)."""
    if not memberships:
        return
    now = timezone.now()
    for membership in memberships:
        membership.status, membership.ended_at = Membership.Status.LEFT, now
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(status=Membership.Status.LEFT, ended_at=now)
    account_services.revoke_invitations_for(targets=memberships)
    user_ids = {m.user_id for m in memberships}
    belonging = set(Membership.objects.current().filter(user__in=user_ids).values_list("user_id", flat=True))
    belonging |= set(TrustMembership.objects.active().filter(user__in=user_ids).values_list("user_id", flat=True))
    gone = user_ids - belonging
    if gone:
        User.objects.filter(pk__in=gone, is_active=True).update(is_active=False)
        _end_sessions(gone)
    events = []
    for membership in memberships:
        user = membership.user
        if user.pk in gone:
            user.is_active = False
        events.append(
            audit.event(
                action="membership.left",
                actor=by,
                school=membership.school,
                obj=membership,
                request=request,
                summary=f"{user.email} left"
                + ("" if user.pk in belonging else "; their login is disabled and they were signed out everywhere"),
            )
        )
    audit.record_many(events)


@transaction.atomic
def end_memberships_past_leaving_date(today: datetime.date | None = None) -> int:
    """Run by Celery beat: end every membership whose leaving date has come. The rows
    are locked, so a second beat running at once finds nothing left to end."""
    today = today or timezone.localdate()
    due = list(
        Membership.objects.current()
        .filter(leaving_date__lte=today)
        .select_for_update(of=("self",))
        .select_related("user", "school")
    )
    end_memberships_now(due)
    return len(due)


@transaction.atomic
def activate_membership_from_invitation(*, membership: Membership, user, request=None) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Membership.Status.LEFT:
        raise ValidationError("This place at the school has been withdrawn.")
    membership.status = Membership.Status.ACTIVE
    membership.save(update_fields=["status"])
    audit.record(
        action="invitation.accepted",
        actor=user,
        school=membership.school,
        obj=membership,
        request=request,
        summary=f"{user.email} accepted the invitation and joined",
    )


@transaction.atomic
def update_school_settings(*, form, by, request=None) -> School:
    """Save the school's settings form, recording what changed."""
    changed = list(form.changed_data)
    school = form.save()
    if changed:
        audit.record(
            action="school.settings_changed",
            actor=by,
            school=school,
            obj=school,
            request=request,
            summary=f"Changed settings: {', '.join(form.fields[n].label or n for n in changed)}",
            data={"fields": changed},
        )
    return school
