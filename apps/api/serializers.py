from rest_framework import serializers

from apps.accounts.models import Membership, Team


class MembershipSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")

    class Meta:
        model = Membership
        fields = ["slug", "name", "role"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]
