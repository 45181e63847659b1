app_name = "repository"
urlpatterns: list = []
