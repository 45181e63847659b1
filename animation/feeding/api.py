"""Feeding over the REST API (paths fixed by the animation issue): prompts, pulses, the digest
choice, welcome and nudge settings. Thin: serializers validate, services decide."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from animation.feeding import selectors, services
from animation.feeding.models import Prompt, PromptSchedule
from animation.selectors import access_animated_community

# --- Prompts ---------------------------------------------------------------------------------


class PromptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body_md = serializers.CharField()
    position = serializers.IntegerField()
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    post_id = serializers.IntegerField(allow_null=True)


class ScheduleSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    hour = serializers.IntegerField(min_value=0, max_value=23)
    kind = serializers.ChoiceField(choices=PromptSchedule.Kind.choices, default=PromptSchedule.Kind.QUESTION)
    active = serializers.BooleanField(default=True)


class PromptInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body_md = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


def _schedule_data(community):
    schedule = selectors.prompt_schedule(community)
    return ScheduleSerializer(schedule).data if schedule else None


@extend_schema(
    methods=["GET"],
    responses=inline_serializer(
        "PromptList",
        {
            "schedule": ScheduleSerializer(allow_null=True),
            "queued": serializers.IntegerField(),
            "running_dry": serializers.BooleanField(),
            "results": PromptSerializer(many=True),
        },
    ),
)
@extend_schema(methods=["POST"], request=PromptInput, responses={201: PromptSerializer})
@api_view(["GET", "POST"])
def prompts(request, slug):
    """The list the question of the week is drawn from, in order; POST adds one at the end."""
    community = access_animated_community(request.user, slug)
    if request.method == "POST":
        data = PromptInput(data=request.data)
        data.is_valid(raise_exception=True)
        prompt = services.do_add_prompt(request.user, community, **data.validated_data)
        return Response(PromptSerializer(prompt).data, status=status.HTTP_201_CREATED)
    rows = list(selectors.list_prompts(community)[:500])
    queued = sum(1 for p in rows if p.status == Prompt.Status.QUEUED)
    schedule = _schedule_data(community)
    return Response({
        "schedule": schedule, "queued": queued, "running_dry": bool(schedule and schedule["active"] and queued <= 1),
        "results": PromptSerializer(rows, many=True).data,
    })  # fmt: skip


@extend_schema(request=ScheduleSerializer, responses=ScheduleSerializer)
@api_view(["PUT"])
def prompt_schedule(request, slug):
    community = access_animated_community(request.user, slug)
    data = ScheduleSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.do_set_prompt_schedule(request.user, community, **data.validated_data)
    return Response(_schedule_data(community))


# --- Pulses ----------------------------------------------------------------------------------


class PulseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(allow_null=True)
    questions = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField()

    def get_questions(self, obj) -> list[dict]:
        return [{"id": q.pk, "text": q.text} for q in obj.questions.all()]

    def get_responses(self, obj) -> int:
        return getattr(obj, "responses_count", 0)


class PulseInput(serializers.Serializer):
    questions = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=3)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)


@extend_schema(methods=["POST"], request=PulseInput, responses={201: PulseSerializer})
@extend_schema(methods=["GET"], responses=inline_serializer("PulseList", {"results": PulseSerializer(many=True)}))
@api_view(["GET", "POST"])
def pulses(request, slug):
    community = access_animated_community(request.user, slug)
    if request.method == "POST":
        data = PulseInput(data=request.data)
        data.is_valid(raise_exception=True)
        pulse = services.do_create_pulse(request.user, community, **data.validated_data)
        pulse = selectors.list_pulses(community).prefetch_related("questions").get(pk=pulse.pk)
        return Response(PulseSerializer(pulse).data, status=status.HTTP_201_CREATED)
    rows = selectors.list_pulses(community).prefetch_related("questions")[:100]
    return Response({"results": PulseSerializer(rows, many=True).data})


class AnswerInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=10)
    answers = serializers.DictField(child=serializers.CharField(max_length=2000, allow_blank=True), required=False)


@extend_schema(
    request=AnswerInput, responses={201: inline_serializer("PulseAnswered", {"score": serializers.IntegerField()})}
)
@api_view(["POST"])
def pulse_answers(request, pk):
    """A member's answer: `{"score": 0-10, "answers": {"<question id>": "text"}}`, once."""
    pulse = selectors.access_pulse_by_id(request.user, pk)
    data = AnswerInput(data=request.data)
    data.is_valid(raise_exception=True)
    response = services.do_answer_pulse(request.user, pulse, **data.validated_data)
    return Response({"score": response.score}, status=status.HTTP_201_CREATED)


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def pulse_results(request, pk):
    """Count, distribution (index = score), NPS; all but the count null below 5 answers."""
    pulse = selectors.access_pulse_by_id(request.user, pk, for_results=True)
    return Response({"id": pulse.pk, "status": pulse.status, **selectors.pulse_results(pulse)})


# --- Digest and settings --------------------------------------------------------------------


class DigestInput(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=["off", "daily", "weekly"])


@extend_schema(methods=["PUT"], request=DigestInput, responses=DigestInput)
@extend_schema(methods=["GET"], responses=DigestInput)
@api_view(["GET", "PUT"])
def digest(request):
    """My digest of what matters: off (the default), daily or weekly (Monday)."""
    if request.method == "PUT":
        data = DigestInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.do_set_digest_frequency(request.user, data.validated_data["frequency"])
    return Response({"frequency": services.digest_frequency(request.user)})


class FeedingSettingsSerializer(serializers.Serializer):
    nudges_enabled = serializers.BooleanField(required=False)
    nudge_after_hours = serializers.IntegerField(min_value=1, max_value=720, required=False)
    welcome_md = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


@extend_schema(request=FeedingSettingsSerializer, responses=FeedingSettingsSerializer)
@api_view(["GET", "PATCH"])
def feeding_settings(request, slug):
    community = access_animated_community(request.user, slug)
    if request.method == "PATCH":
        data = FeedingSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.do_update_feeding_settings(request.user, community, **data.validated_data)
    return Response(FeedingSettingsSerializer(selectors.feeding_settings(community)).data)
