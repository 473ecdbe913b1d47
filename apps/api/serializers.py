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


class EstimateRequestSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    output_tokens = serializers.IntegerField(min_value=0)
    input_tokens = serializers.IntegerField(min_value=0, default=0)
    requests = serializers.IntegerField(min_value=1, default=1)
    zone = serializers.CharField(required=False, allow_blank=True, default="")
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100, allow_null=True, default=None)
