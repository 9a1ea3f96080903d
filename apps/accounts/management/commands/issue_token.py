"""``manage.py issue_token USERNAME --scope read [--scope …] [--team NAME]``: print a new token."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.choices import Scope
from apps.accounts.models import Team, User
from apps.accounts.services.api_token import api_token_issue
from apps.common.errors import ValidationFailed


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it on stdout (and nothing else)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        parser.add_argument("--team", help="bind the token to this team (by name)")
        parser.add_argument("--name", default="", help="a label for the token")

    def handle(self, *args: object, **options: object) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        team = None
        if options["team"]:
            team = Team.objects.filter(name__iexact=options["team"]).first()
            if team is None:
                raise CommandError(f"No team named {options['team']!r}.")
        try:
            _, secret = api_token_issue(
                user=user, scopes=options["scopes"], team=team, name=options["name"]
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)
