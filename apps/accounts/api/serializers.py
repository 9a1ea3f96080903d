from rest_framework import serializers

from apps.accounts.choices import Scope
from apps.accounts.models import ApiToken, Team, User


class TeamSerializer(serializers.ModelSerializer):
    member_usernames = serializers.SlugRelatedField(
        source="members", many=True, read_only=True, slug_field="username"
    )

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "cost_center",
            "contact_email",
            "slack_webhook_url",
            "timezone",
            "member_usernames",
            "created_at",
        ]
        read_only_fields = ["id", "created_at", "member_usernames"]

    def validate_name(self, value: str) -> str:
        clash = Team.objects.filter(name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(f"A team named {value!r} exists (names ignore case).")
        return value

    def validate_timezone(self, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise serializers.ValidationError(f"{value!r} is not an IANA time zone.") from exc
        return value


class TeamMemberInputSerializer(serializers.Serializer):
    username = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    teams = serializers.ListField(child=serializers.CharField())
    sees_all_teams = serializers.BooleanField()


class ApiTokenSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    team = serializers.CharField(source="team.name", read_only=True, default=None)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "prefix",
            "name",
            "username",
            "scopes",
            "team",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]
        read_only_fields = fields


class ApiTokenCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices), allow_empty=False
    )
    team = serializers.SlugRelatedField(
        slug_field="name", queryset=Team.objects.all(), required=False, allow_null=True
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
