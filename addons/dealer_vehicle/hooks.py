from odoo import Command

# Administrator groups of the apps the dealership builds on. Their modules put them on
# the template of new users, and Odoo hands a template's new groups to every existing
# employee when such a module installs.
APP_ADMIN_GROUPS = ("project.group_project_manager", "fleet.fleet_group_manager")


def post_init_hook(env):
    """Take the app administrator groups back from the dealership staff who got them
    only through the user template: an operator must not delete projects, tasks or
    the car catalogue. Dealer administrators keep project administration through
    their role; Odoo administrators (admin, the superuser) are dealer administrators
    and are left alone."""
    staff = env.ref("dealer_base.group_dealer_operator").users
    admins = env.ref("dealer_base.group_dealer_admin").users | env.ref("base.group_system").users
    staff -= admins
    groups = [env.ref(xmlid, raise_if_not_found=False) for xmlid in APP_ADMIN_GROUPS]
    commands = [Command.unlink(group.id) for group in groups if group]
    if staff and commands:
        staff.write({"groups_id": commands})
