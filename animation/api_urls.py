# The animators' API (paths fixed by the animation issue), included under /api/v1/.
urlpatterns: list = []
