from django.contrib.auth.backends import BaseBackend


class StaffRoleBackend(BaseBackend):
    """Staff run the platform: an active staff member has every permission in the admin.

    Resellers and clients never use the admin, so no per-model permissions need managing.
    """

    def has_perm(self, user_obj, perm, obj=None):
        return bool(user_obj.is_active and getattr(user_obj, "is_platform_staff", False))

    def has_module_perms(self, user_obj, app_label):
        return self.has_perm(user_obj, app_label)
