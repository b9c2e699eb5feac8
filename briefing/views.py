from django.shortcuts import get_object_or_404, render

from briefing.models import Briefing


def briefing_list(request):
    briefings = Briefing.objects.published()
    return render(request, "briefing/briefing_list.html", {"briefings": briefings})


def briefing_detail(request, slug):
    briefing = get_object_or_404(Briefing.objects.visible_to(request.user), slug=slug)
    return render(request, "briefing/briefing_detail.html", {"briefing": briefing})
