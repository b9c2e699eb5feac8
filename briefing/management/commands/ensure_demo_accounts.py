"""Make sure the demo editor and publisher accounts exist, each with a fresh password."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_ACCOUNTS = [("demo-editor", "Editors"), ("demo-publisher", "Publishers")]


class Command(BaseCommand):
    help = "Create or update the demo accounts, give each a new random password and print it."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        for username, group_name in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            self.stdout.write(
                f"{group_name[:-1]:<10} username: {username:<15} password: {password}"
            )
