from django.contrib.auth.backends import ModelBackend

from linli.accounts.roles import permissions_of


class RoleBackend(ModelBackend):
    """Password authentication as Django's, permissions from the user's role only.

    Django's per-user and per-group permission tables are not used: a role is the unit
    an official is appointed to, and the audit trail records role changes.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(permissions_of(user_obj.role))
