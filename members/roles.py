"""The roles (Django groups) and the permissions each carries.

Groups are kept in step with this table after every `migrate` (see apps.py), so a fresh
database and an old one end up the same. Other apps add their permissions through
`register_role_permissions` from their AppConfig.ready().
"""

from django.contrib.auth.models import Group, Permission

COORDINATORS = "Coordinators"
STEERING_COMMITTEE = "Steering Committee"
# Members of these groups must have a second factor.
SECOND_FACTOR_GROUPS = (COORDINATORS, STEERING_COMMITTEE)

_role_permissions: dict[str, set[str]] = {
    COORDINATORS: {
        "members.view_member",
        "members.review_status",
        "members.approve_membership",
        "members.view_membershipapplication",
        "members.view_statuschangerequest",
    },
    STEERING_COMMITTEE: {"members.view_member"},
}


def register_role_permissions(group_name: str, permissions: set[str]) -> None:
    _role_permissions.setdefault(group_name, set()).update(permissions)


def sync_role_groups(**_kwargs) -> None:
    """Create each role group and give it exactly the permissions in the table."""
    for group_name, perm_names in _role_permissions.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = []
        for perm_name in sorted(perm_names):
            app_label, codename = perm_name.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)
